package dev.stepwise.spec.model;

import java.util.List;
import java.util.stream.Collectors;

/**
 * How a canary's weight reaches traffic. With no router the weight is a replica ratio (Argo's basic canary: 20% means
 * 20% of the pods run the new version). Argo lets several routers work together (e.g. Nginx and SMI), hence a list.
 * {@code managedRoutes} are the routes header and mirror steps may create; {@code maxTrafficWeight} is what weights
 * are out of (default 100).
 */
public record TrafficRouting(List<TrafficRouter> routers, List<String> managedRoutes, int maxTrafficWeight) {

    public static final TrafficRouting REPLICA_RATIO = new TrafficRouting(List.of(), List.of(), 100);

    public TrafficRouting {
        routers = List.copyOf(routers);
        managedRoutes = List.copyOf(managedRoutes);
    }

    public boolean isReplicaRatio() {
        return routers.isEmpty();
    }

    public String describe() {
        if (routers.isEmpty()) {
            return "replica ratio (no traffic router)";
        }
        return routers.stream().map(TrafficRouter::describe).collect(Collectors.joining("; "));
    }
}
