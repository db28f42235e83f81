package dev.stepwise.reconcile;

import dev.stepwise.engine.EngineEvent;
import dev.stepwise.engine.GateDecision;
import dev.stepwise.engine.MeasurementDue;
import dev.stepwise.engine.RolloutStatus;
import dev.stepwise.git.Revision;
import dev.stepwise.git.RolloutKey;
import dev.stepwise.spec.Finding;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the reconciler knows of one rollout between cycles: the revision it acts on (the last one that passed
 * validation), a newer one it refuses and why, the engine's state per cluster as last committed to Git, the
 * measurements and gate decisions waiting for the next decision, and when it is due again.
 *
 * <p>The reconciler's cycle thread changes it; at most one decide or apply task per rollout runs at a time (one
 * reconcile at a time per rollout), and the collections such a task may touch while a later cycle reads are
 * thread-safe.
 */
final class TrackedRollout {

    /** Events kept for the HTTP API. */
    static final int RECENT_EVENTS = 20;

    final RolloutKey key;
    /** The last revision of the spec that passed validation and policy: what is acted on. */
    RevisionCheck.RolloutAtRevision current;
    Revision source;
    /** The commit the stable version came from, for reverts. */
    String stableSource = "";
    /** A newer revision held back, with its errors; null when none. */
    Revision refused;
    List<Finding> refusedErrors = List.of();
    /**
     * Findings not about the spec: refused gate decisions, cluster drift, proposals written. Synchronized: an apply that
     * outlived its cycle may still write here while the next cycle renders the status.
     */
    final Map<String, Finding> notes = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    /** The engine state per cluster, as last committed (or being committed). */
    Map<String, RolloutStatus> statuses = new LinkedHashMap<>();
    /** Measurements the last committed decision asked for, per cluster. */
    Map<String, List<MeasurementDue>> dues = new LinkedHashMap<>();
    /** Gate decisions accepted from Git and not yet part of a committed decision. */
    final List<GateDecision> gates = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<Map<String, Object>> gateLog = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The status file as last read or pushed, and its text. */
    StatusDocument committed;
    String committedText = "";
    /** Why the rollout is not acted on at all (its status file cannot be read): nothing is overwritten. */
    String heldBecause = "";
    /** The unreadable status file's text, so that only a changed file is read again. */
    String heldText = "";
    Instant nextAt = Instant.MIN;
    /** The status must be written even without a decision (findings changed). */
    boolean dirty;
    final Deque<EngineEvent> recent = new ArrayDeque<>();
    Instant lastReconciled;
    String lastError = "";
    /** When a Flagger Canary's rollback webhooks were last asked (they are asked once per analysis interval). */
    Instant rollbackAskedAt;
    /** Per cluster: when the confirm webhooks of the gate a Flagger Canary waits at were last asked. */
    final Map<String, Instant> confirmAskedAt = new java.util.concurrent.ConcurrentHashMap<>();

    TrackedRollout(RolloutKey key) {
        this.key = key;
    }

    boolean acting() {
        return current != null && current.actionable() && heldBecause.isEmpty();
    }

    boolean due(Instant now) {
        return acting() && !nextAt.isAfter(now);
    }

    void remember(List<EngineEvent> events) {
        for (EngineEvent e : events) {
            recent.addLast(e);
            while (recent.size() > RECENT_EVENTS) {
                recent.removeFirst();
            }
        }
    }

    List<Finding> findings() {
        List<Finding> out = new ArrayList<>(refusedErrors);
        synchronized (notes) {
            out.addAll(notes.values());
        }
        return out;
    }
}
