package dev.stepwise.traffic;

import static dev.stepwise.traffic.GenericObjects.list;
import static dev.stepwise.traffic.GenericObjects.map;

import dev.stepwise.cluster.StepwiseLabels;
import dev.stepwise.engine.HeaderRoute;
import dev.stepwise.engine.MirrorRoute;
import dev.stepwise.spec.model.HeaderMatch;
import dev.stepwise.spec.model.IstioRouter;
import dev.stepwise.spec.model.RouteMatch;
import dev.stepwise.spec.model.StringMatch;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Istio: route weights in the VirtualService's HTTP routes, by host (stableService/canaryService) or, with a
 * DestinationRule, by subset (its canary and stable subsets carry the versions' hash labels). Header and mirror
 * routes are HTTP routes of their own, named after the managed route, placed before the weighted routes.
 */
public final class IstioTrafficRouter implements TrafficRouter {
    private final IstioRouter spec;

    public IstioTrafficRouter(IstioRouter spec) {
        this.spec = spec;
    }

    @Override
    public String name() {
        return "istio";
    }

    /**
     * Points the DestinationRule's subsets at the versions' hashes. Done before any weight change (an abort included):
     * a weight moved onto a subset that still selects the old pods would send traffic to the wrong version.
     */
    public void setSubsets(RouteContext ctx) {
        spec.destinationRule().ifPresent(dr -> GenericRouteWriter.edit(ctx, GenericObjects.DESTINATION_RULE, dr.name(), r -> {
            for (Object o : list(GenericObjects.spec(r).get("subsets"))) {
                Map<String, Object> subset = map(o);
                String hash = dr.canarySubsetName().equals(subset.get("name")) ? ctx.canaryVersion()
                        : dr.stableSubsetName().equals(subset.get("name")) ? ctx.stableVersion() : null;
                if (hash != null) {
                    Map<String, Object> labels = new LinkedHashMap<>(map(subset.get("labels")) == null ? Map.of() : map(subset.get("labels")));
                    labels.put(StepwiseLabels.HASH, hash);
                    subset.put("labels", labels);
                }
            }
        }));
    }

    @Override
    public void setWeight(RouteContext ctx, int canaryWeight) {
        for (IstioRouter.VirtualService vs : spec.virtualServices()) {
            GenericRouteWriter.edit(ctx, GenericObjects.VIRTUAL_SERVICE, vs.name(), r -> weights(ctx, r, vs, canaryWeight));
        }
    }

    /** One read and at most one write per VirtualService for routes and weight together. */
    @Override
    public void route(RouteContext ctx, int canaryWeight, List<HeaderRoute> headers, List<MirrorRoute> mirrors) {
        List<Map<String, Object>> headerRoutes = headerRoutes(ctx, headers);
        List<Map<String, Object>> mirrorRoutes = mirrorRoutes(ctx, mirrors);
        for (IstioRouter.VirtualService vs : spec.virtualServices()) {
            GenericRouteWriter.edit(ctx, GenericObjects.VIRTUAL_SERVICE, vs.name(), r -> {
                managed(r, headerRoutes, "header");
                managed(r, mirrorRoutes, "mirror");
                weights(ctx, r, vs, canaryWeight);
            });
        }
    }

    private void weights(RouteContext ctx, GenericKubernetesResource r, IstioRouter.VirtualService vs, int canaryWeight) {
        int stableWeight = ctx.maxWeight() - canaryWeight;
        for (Map<String, Object> route : weightedRoutes(r, vs)) {
            for (Object d : list(route.get("route"))) {
                Map<String, Object> dest = map(d);
                if (isCanary(ctx, map(dest.get("destination")))) {
                    dest.put("weight", percent(ctx, canaryWeight));
                } else if (isStable(ctx, map(dest.get("destination")))) {
                    dest.put("weight", percent(ctx, stableWeight));
                }
            }
        }
        GenericRouteWriter.markWeight(r, ctx.rollout(), canaryWeight);
    }

    // Istio weights are percentages; a rollout with maxTrafficWeight other than 100 is scaled to them.
    private static int percent(RouteContext ctx, int weight) {
        return ctx.maxWeight() == 100 ? weight : Math.round(weight * 100f / ctx.maxWeight());
    }

    private List<Map<String, Object>> weightedRoutes(GenericKubernetesResource r, IstioRouter.VirtualService vs) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object o : list(GenericObjects.spec(r).get("http"))) {
            Map<String, Object> route = map(o);
            Object name = route.get("name");
            if (vs.routes().isEmpty() ? !isManaged(route) : vs.routes().contains(name)) {
                out.add(route);
            }
        }
        return out;
    }

    private static boolean isManaged(Map<String, Object> route) {
        return route.get("name") instanceof String n && n.startsWith(MANAGED_PREFIX);
    }

    /** Managed routes are named with this prefix so they are never mistaken for the user's own. */
    static final String MANAGED_PREFIX = "stepwise-";

    private boolean isCanary(RouteContext ctx, Map<String, Object> dest) {
        if (dest == null) {
            return false;
        }
        return spec.destinationRule().map(dr -> dr.canarySubsetName().equals(dest.get("subset")))
                .orElseGet(() -> hostIs(dest, ctx.canaryService()));
    }

    private boolean isStable(RouteContext ctx, Map<String, Object> dest) {
        if (dest == null) {
            return false;
        }
        return spec.destinationRule().map(dr -> dr.stableSubsetName().equals(dest.get("subset")))
                .orElseGet(() -> hostIs(dest, ctx.stableService()));
    }

    private static boolean hostIs(Map<String, Object> dest, String service) {
        return dest.get("host") instanceof String h && service != null && (h.equals(service) || h.startsWith(service + "."));
    }

    private Map<String, Object> destination(RouteContext ctx, boolean canary) {
        Map<String, Object> d = new LinkedHashMap<>();
        spec.destinationRule().ifPresentOrElse(dr -> {
            d.put("host", ctx.stableService() != null ? ctx.stableService() : ctx.rollout());
            d.put("subset", canary ? dr.canarySubsetName() : dr.stableSubsetName());
        }, () -> d.put("host", canary ? ctx.canaryService() : ctx.stableService()));
        return d;
    }

    @Override
    public void setHeaderRoutes(RouteContext ctx, List<HeaderRoute> routes) {
        replaceManaged(ctx, headerRoutes(ctx, routes), "header");
    }

    private List<Map<String, Object>> headerRoutes(RouteContext ctx, List<HeaderRoute> routes) {
        List<Map<String, Object>> wanted = new ArrayList<>();
        for (HeaderRoute h : routes) {
            Map<String, Object> headers = new LinkedHashMap<>();
            for (HeaderMatch m : h.matches()) {
                headers.put(m.headerName(), Map.of(m.headerValue().type().field(), m.headerValue().value()));
            }
            Map<String, Object> route = new LinkedHashMap<>();
            route.put("name", MANAGED_PREFIX + h.name());
            route.put("match", List.of(Map.of("headers", headers)));
            route.put("route", List.of(Map.of("destination", destination(ctx, true))));
            wanted.add(route);
        }
        return wanted;
    }

    @Override
    public void setMirrorRoutes(RouteContext ctx, List<MirrorRoute> routes) {
        replaceManaged(ctx, mirrorRoutes(ctx, routes), "mirror");
    }

    private List<Map<String, Object>> mirrorRoutes(RouteContext ctx, List<MirrorRoute> routes) {
        List<Map<String, Object>> wanted = new ArrayList<>();
        for (MirrorRoute m : routes) {
            Map<String, Object> route = new LinkedHashMap<>();
            route.put("name", MANAGED_PREFIX + m.name());
            List<Object> matches = new ArrayList<>();
            for (RouteMatch rm : m.matches()) {
                Map<String, Object> match = new LinkedHashMap<>();
                rm.method().ifPresent(s -> match.put("method", stringMatch(s)));
                rm.path().ifPresent(s -> match.put("uri", stringMatch(s)));
                if (!rm.headers().isEmpty()) {
                    Map<String, Object> headers = new LinkedHashMap<>();
                    rm.headers().forEach((k, v) -> headers.put(k, stringMatch(v)));
                    match.put("headers", headers);
                }
                matches.add(match);
            }
            if (!matches.isEmpty()) {
                route.put("match", matches);
            }
            route.put("route", List.of(Map.of("destination", destination(ctx, false))));
            route.put("mirror", destination(ctx, true));
            route.put("mirrorPercentage", Map.of("value", m.percentage()));
            wanted.add(route);
        }
        return wanted;
    }

    private static Map<String, Object> stringMatch(StringMatch s) {
        return Map.of(s.type().field(), s.value());
    }

    /** Replaces the managed routes of one sort (header or mirror), keeping the other sort and the user's routes. */
    private void replaceManaged(RouteContext ctx, List<Map<String, Object>> wanted, String sort) {
        for (IstioRouter.VirtualService vs : spec.virtualServices()) {
            GenericRouteWriter.edit(ctx, GenericObjects.VIRTUAL_SERVICE, vs.name(), r -> managed(r, wanted, sort));
        }
    }

    private void managed(GenericKubernetesResource r, List<Map<String, Object>> wanted, String sort) {
        {
            {
                List<Object> http = list(GenericObjects.spec(r).get("http"));
                List<Object> kept = new ArrayList<>();
                List<Object> otherManaged = new ArrayList<>();
                for (Object o : http) {
                    Map<String, Object> route = map(o);
                    if (!isManaged(route)) {
                        kept.add(o);
                    } else if (sort.equals("header") == route.containsKey("mirror")) {
                        otherManaged.add(o); // the other sort: keep as is
                    }
                }
                List<Object> next = new ArrayList<>(sort.equals("header") ? wanted : otherManaged);
                next.addAll(sort.equals("header") ? otherManaged : wanted);
                next.addAll(kept);
                GenericObjects.spec(r).put("http", next);
            }
        }
    }

    @Override
    public Optional<Integer> currentWeight(RouteContext ctx) {
        Integer found = null;
        for (IstioRouter.VirtualService vs : spec.virtualServices()) {
            GenericKubernetesResource r = GenericRouteWriter.read(ctx, GenericObjects.VIRTUAL_SERVICE, vs.name());
            if (r == null) {
                return Optional.empty();
            }
            for (Map<String, Object> route : weightedRoutes(r, vs)) {
                int canary = 0;
                for (Object d : list(route.get("route"))) {
                    Map<String, Object> dest = map(d);
                    if (isCanary(ctx, map(dest.get("destination")))) {
                        canary = GenericObjects.intOf(dest.get("weight"));
                    }
                }
                int weight = ctx.maxWeight() == 100 ? canary : Math.round(canary * ctx.maxWeight() / 100f);
                if (found != null && found != weight) {
                    return Optional.empty(); // routes disagree: no single weight holds
                }
                found = weight;
            }
        }
        return Optional.ofNullable(found);
    }

    /** The hashes the DestinationRule's canary and stable subsets select now (for verification and tests). */
    public Optional<Map<String, String>> subsetHashes(RouteContext ctx) {
        return spec.destinationRule().map(dr -> {
            Map<String, String> out = new LinkedHashMap<>();
            GenericKubernetesResource r = GenericRouteWriter.read(ctx, GenericObjects.DESTINATION_RULE, dr.name());
            if (r != null) {
                for (Object o : list(GenericObjects.spec(r).get("subsets"))) {
                    Map<String, Object> s = map(o);
                    Map<String, Object> labels = map(s.get("labels"));
                    out.put(String.valueOf(s.get("name")), labels == null ? "" : String.valueOf(labels.get(StepwiseLabels.HASH)));
                }
            }
            return out;
        });
    }

    @Override
    public void removeManagedRoutes(RouteContext ctx) {
        replaceManaged(ctx, List.of(), "header");
        replaceManaged(ctx, List.of(), "mirror");
    }

    @Override
    public boolean supportsHeaderRoutes() {
        return true;
    }

    @Override
    public boolean supportsMirrorRoutes() {
        return true;
    }

    @Override
    public boolean hasManagedRoutes(RouteContext ctx) {
        for (IstioRouter.VirtualService vs : spec.virtualServices()) {
            GenericKubernetesResource r = GenericRouteWriter.read(ctx, GenericObjects.VIRTUAL_SERVICE, vs.name());
            if (r != null && list(GenericObjects.spec(r).get("http")).stream().anyMatch(o -> isManaged(map(o)))) {
                return true;
            }
        }
        return false;
    }

    static final Set<String> KINDS = Set.of("VirtualService", "DestinationRule");
}
