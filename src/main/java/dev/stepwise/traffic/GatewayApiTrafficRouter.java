package dev.stepwise.traffic;

import static dev.stepwise.traffic.GenericObjects.list;
import static dev.stepwise.traffic.GenericObjects.map;

import dev.stepwise.engine.HeaderRoute;
import dev.stepwise.engine.MirrorRoute;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Gateway API (Argo's {@code argoproj-labs/gatewayAPI} plugin): the weights of the stable and canary backendRefs in
 * every rule of the HTTPRoute(s) that name both Services.
 */
public final class GatewayApiTrafficRouter implements TrafficRouter {
    private final List<String> routes;

    public GatewayApiTrafficRouter(List<String> routes) {
        this.routes = List.copyOf(routes);
    }

    /** The HTTPRoute names of a plugin configuration ({@code httpRoute}, or {@code httpRoutes[].name}). */
    public static List<String> routesOf(Map<String, Object> config) {
        List<String> out = new ArrayList<>();
        if (config.get("httpRoute") instanceof String s) {
            out.add(s);
        }
        for (Object o : list(config.get("httpRoutes"))) {
            if (map(o) != null && map(o).get("name") instanceof String s) {
                out.add(s);
            } else if (o instanceof String s) {
                out.add(s);
            }
        }
        return out;
    }

    @Override
    public String name() {
        return "gatewayAPI";
    }

    @Override
    public void setWeight(RouteContext ctx, int canaryWeight) {
        for (String route : routes) {
            GenericRouteWriter.edit(ctx, GenericObjects.HTTP_ROUTE, route, r -> {
                for (Object rule : list(GenericObjects.spec(r).get("rules"))) {
                    for (Object ref : list(map(rule).get("backendRefs"))) {
                        Map<String, Object> b = map(ref);
                        if (ctx.canaryService().equals(b.get("name"))) {
                            b.put("weight", canaryWeight);
                        } else if (ctx.stableService().equals(b.get("name"))) {
                            b.put("weight", ctx.maxWeight() - canaryWeight);
                        }
                    }
                }
                GenericRouteWriter.markWeight(r, ctx.rollout(), canaryWeight);
            });
        }
    }

    @Override
    public void setHeaderRoutes(RouteContext ctx, List<HeaderRoute> routes) {
        // not supported by this router yet (see docs/cluster.md)
    }

    @Override
    public void setMirrorRoutes(RouteContext ctx, List<MirrorRoute> routes) {
    }

    @Override
    public Optional<Integer> currentWeight(RouteContext ctx) {
        Integer found = null;
        for (String route : routes) {
            GenericKubernetesResource r = GenericRouteWriter.read(ctx, GenericObjects.HTTP_ROUTE, route);
            if (r == null) {
                return Optional.empty();
            }
            for (Object rule : list(GenericObjects.spec(r).get("rules"))) {
                for (Object ref : list(map(rule).get("backendRefs"))) {
                    Map<String, Object> b = map(ref);
                    if (ctx.canaryService().equals(b.get("name"))) {
                        int w = GenericObjects.intOf(b.get("weight"));
                        if (found != null && found != w) {
                            return Optional.empty();
                        }
                        found = w;
                    }
                }
            }
        }
        return Optional.ofNullable(found);
    }

    @Override
    public void removeManagedRoutes(RouteContext ctx) {
    }
}
