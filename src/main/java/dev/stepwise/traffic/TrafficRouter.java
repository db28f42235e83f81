package dev.stepwise.traffic;

import dev.stepwise.engine.HeaderRoute;
import dev.stepwise.engine.MirrorRoute;
import java.util.List;
import java.util.Optional;

/**
 * One way of moving traffic between the stable and the canary version. Each method is idempotent and writes only
 * when the object differs; {@link #verifyWeight} reads the object back, so the engine advances only on a weight the
 * cluster holds.
 */
public interface TrafficRouter {

    /** A short name for findings and docs ({@code nginx}, {@code istio}, …). */
    String name();

    /** Sends {@code canaryWeight} (out of maxWeight) to the canary, the rest to stable. */
    void setWeight(RouteContext ctx, int canaryWeight);

    /** Makes the managed header routes exactly {@code routes} (empty: none). */
    void setHeaderRoutes(RouteContext ctx, List<HeaderRoute> routes);

    /** Makes the managed mirror routes exactly {@code routes} (empty: none). */
    void setMirrorRoutes(RouteContext ctx, List<MirrorRoute> routes);

    /**
     * Header routes, mirror routes and weight together. Routers whose three live in one object override it to read
     * and write that object once.
     */
    default void route(RouteContext ctx, int canaryWeight, List<HeaderRoute> headers, List<MirrorRoute> mirrors) {
        setHeaderRoutes(ctx, headers);
        setMirrorRoutes(ctx, mirrors);
        setWeight(ctx, canaryWeight);
    }

    /** The canary weight the router's objects hold now, read from the cluster; empty when it cannot tell. */
    Optional<Integer> currentWeight(RouteContext ctx);

    /** True when the cluster holds {@code canaryWeight}. */
    default boolean verifyWeight(RouteContext ctx, int canaryWeight) {
        return currentWeight(ctx).map(w -> w == canaryWeight).orElse(false);
    }

    /**
     * Removes the managed header and mirror routes this router wrote for the rollout (Argo's RemoveManagedRoutes,
     * called when a rollout completes or aborts); the weight and the objects that carry it stay.
     */
    void removeManagedRoutes(RouteContext ctx);

    /** True when the router's objects hold managed header or mirror routes of the rollout (read from the cluster). */
    default boolean hasManagedRoutes(RouteContext ctx) {
        return false;
    }

    /** Whether this router can send requests to the canary by header ({@code setHeaderRoute}). */
    default boolean supportsHeaderRoutes() {
        return false;
    }

    /** Whether this router can mirror requests to the canary ({@code setMirrorRoute}). */
    default boolean supportsMirrorRoutes() {
        return false;
    }

    /**
     * What of {@code headers} and {@code mirrors} this router cannot apply, one sentence each (empty: all of it). The
     * apply reports each as an {@code UnsupportedRoute} finding; the weight moves regardless.
     */
    default List<String> routeProblems(List<HeaderRoute> headers, List<MirrorRoute> mirrors) {
        List<String> out = new java.util.ArrayList<>();
        if (!headers.isEmpty() && !supportsHeaderRoutes()) {
            out.add("traffic router '" + name() + "' cannot route by header: setHeaderRoute is not applied there, traffic follows the weight");
        }
        if (!mirrors.isEmpty() && !supportsMirrorRoutes()) {
            out.add("traffic router '" + name() + "' cannot mirror requests: setMirrorRoute is not applied there");
        }
        return out;
    }
}
