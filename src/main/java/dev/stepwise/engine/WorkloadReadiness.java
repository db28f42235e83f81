package dev.stepwise.engine;

import java.time.Instant;

/**
 * What the cluster reports for one version's pods: how many it was asked for ({@code desired}), how many are ready,
 * and how many have been ready for minReadySeconds ({@code available}, what the engine counts on).
 */
public record WorkloadReadiness(String version, int desired, int ready, int available, Instant observedAt) {

    public static WorkloadReadiness available(String version, int replicas, Instant at) {
        return new WorkloadReadiness(version, replicas, replicas, replicas, at);
    }
}
