package dev.stepwise.engine;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the cluster should look like after a decision.
 *
 * @param replicas     pods per version (pod-template hash) and per experiment ReplicaSet ({@code experiment/<name>});
 *                     a version not listed should have none
 * @param canaryWeight the share of traffic the canary gets, out of {@code maxWeight}. With a traffic router it is the
 *                     router's weight; for a basic canary (no router) it is the share of available pods the canary has
 *                     in the decision's replica counts, as traffic follows pods there
 * @param services     Service name → the version its selector should pick (stable/canary services, blue-green
 *                     active/preview)
 * @param headerRoutes managed header routes that send matching requests to the canary
 * @param mirrorRoutes managed routes that mirror requests to the canary
 * @param experiments  experiment ReplicaSets running beside the rollout
 */
public record DesiredState(String stableVersion, String canaryVersion, Map<String, Integer> replicas, int canaryWeight,
                           int maxWeight, Map<String, String> services, List<HeaderRoute> headerRoutes,
                           List<MirrorRoute> mirrorRoutes, List<ExperimentReplicaSet> experiments) {

    public DesiredState {
        replicas = Collections.unmodifiableMap(new LinkedHashMap<>(replicas));
        services = Collections.unmodifiableMap(new LinkedHashMap<>(services));
        headerRoutes = List.copyOf(headerRoutes);
        mirrorRoutes = List.copyOf(mirrorRoutes);
        experiments = List.copyOf(experiments);
    }

    public int replicasOf(String version) {
        return replicas.getOrDefault(version, 0);
    }

    /** The share of traffic the stable version gets, out of {@code maxWeight} (experiments take theirs from it). */
    public int stableWeight() {
        int experimentWeight = 0;
        for (ExperimentReplicaSet e : experiments) {
            experimentWeight += e.weight();
        }
        return canaryVersion.equals(stableVersion) ? maxWeight - experimentWeight
                : Math.max(0, maxWeight - canaryWeight - experimentWeight);
    }
}
