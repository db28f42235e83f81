package dev.stepwise.traffic;

import dev.stepwise.engine.HeaderRoute;
import dev.stepwise.engine.MirrorRoute;
import java.util.List;
import java.util.Optional;

/**
 * No traffic router: traffic follows pods (Argo's basic canary), so the weight is whatever the replica counts make it
 * and there is nothing to write or read back. Header and mirror routes need a router and are ignored here.
 */
public final class ReplicaRatioRouter implements TrafficRouter {
    @Override
    public String name() {
        return "replica-ratio";
    }

    @Override
    public void setWeight(RouteContext ctx, int canaryWeight) {
    }

    @Override
    public void setHeaderRoutes(RouteContext ctx, List<HeaderRoute> routes) {
    }

    @Override
    public void setMirrorRoutes(RouteContext ctx, List<MirrorRoute> routes) {
    }

    @Override
    public Optional<Integer> currentWeight(RouteContext ctx) {
        return Optional.empty();
    }

    @Override
    public boolean verifyWeight(RouteContext ctx, int canaryWeight) {
        return true; // pods are the weight; readiness is reported separately
    }

    @Override
    public void removeManagedRoutes(RouteContext ctx) {
    }
}
