package dev.stepwise.traffic;

import dev.stepwise.cluster.Writes;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * What a router needs to know about the rollout it routes for: where, the two Services (host-level routing) or the two
 * versions (subset-level routing), what weights are out of, and the writer that retries on conflicts.
 */
public record RouteContext(KubernetesClient client, Writes writes, String namespace, String rollout,
                           String stableService, String canaryService, String stableVersion, String canaryVersion,
                           int maxWeight) {
}
