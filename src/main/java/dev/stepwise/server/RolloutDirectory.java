package dev.stepwise.server;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the HTTP API serves about rollouts; implemented by the reconciler. Values are JSON-ready: maps, lists,
 * strings, numbers, booleans and null, so the API writes them as they are and never needs to know the reconciler's
 * types. Both methods are called on HTTP worker threads, concurrently with reconciliation: return snapshots.
 */
public interface RolloutDirectory {

    /** One summary per rollout, sorted by namespace, then name. */
    List<Map<String, Object>> rollouts();

    /** The full status of one rollout and its recent events; empty when there is no such rollout. */
    Optional<Map<String, Object>> rollout(String namespace, String name);

    /** A directory with no rollouts, for a server that starts before the first reconcile. */
    static RolloutDirectory empty() {
        return new RolloutDirectory() {
            @Override
            public List<Map<String, Object>> rollouts() {
                return List.of();
            }

            @Override
            public Optional<Map<String, Object>> rollout(String namespace, String name) {
                return Optional.empty();
            }
        };
    }
}
