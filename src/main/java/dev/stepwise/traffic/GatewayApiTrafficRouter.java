package dev.stepwise.traffic;

import static dev.stepwise.traffic.GenericObjects.list;
import static dev.stepwise.traffic.GenericObjects.map;

import dev.stepwise.engine.HeaderRoute;
import dev.stepwise.engine.MirrorRoute;
import dev.stepwise.spec.model.HeaderMatch;
import dev.stepwise.spec.model.RouteMatch;
import dev.stepwise.spec.model.StringMatch;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Gateway API (Argo's {@code argoproj-labs/gatewayAPI} plugin): the weights of the stable and canary backendRefs in
 * every rule of the HTTPRoute(s) that name both Services. Header and mirror routes are rules of their own, named
 * {@code stepwise-<managed route>} (as the plugin names them after the managed route since 0.13, the way Istio's are),
 * placed first; weights never touch them.
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

    /** Managed rules carry a {@code name} (Gateway API 1.2+) with this prefix, so they are never taken for the user's. */
    static final String MANAGED_PREFIX = "stepwise-";

    @Override
    public void setWeight(RouteContext ctx, int canaryWeight) {
        for (String route : routes) {
            GenericRouteWriter.edit(ctx, GenericObjects.HTTP_ROUTE, route, r -> weights(ctx, r, canaryWeight));
        }
    }

    /** Header rules, mirror rules and weights in one read and at most one write per HTTPRoute. */
    @Override
    public void route(RouteContext ctx, int canaryWeight, List<HeaderRoute> headers, List<MirrorRoute> mirrors) {
        for (String route : routes) {
            GenericRouteWriter.edit(ctx, GenericObjects.HTTP_ROUTE, route, r -> {
                managed(ctx, r, headers, mirrors);
                weights(ctx, r, canaryWeight);
            });
        }
    }

    /** The weights of the stable and canary backendRefs in every rule but the managed ones (header rules keep theirs). */
    private static void weights(RouteContext ctx, GenericKubernetesResource r, int canaryWeight) {
        for (Object rule : list(GenericObjects.spec(r).get("rules"))) {
            if (isManaged(map(rule))) {
                continue;
            }
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
    }

    private static boolean isManaged(Map<String, Object> rule) {
        return rule != null && rule.get("name") instanceof String n && n.startsWith(MANAGED_PREFIX);
    }

    /**
     * Makes the managed rules exactly {@code headers} then {@code mirrors}, placed first, the user's rules kept after
     * them. A header route is a rule whose {@code matches} (any of them) send requests to the canary backendRef; a
     * mirror route is a rule for its matches that serves from stable with a {@code RequestMirror} filter copying
     * {@code percent}% of them to the canary. (Gateway API gives a more specific match precedence anyway.)
     */
    private static void managed(RouteContext ctx, GenericKubernetesResource r, List<HeaderRoute> headers, List<MirrorRoute> mirrors) {
        replaceManaged(ctx, r, headers, mirrors);
    }

    /** Replaces the managed header rules ({@code headers} non-null) and/or mirror rules ({@code mirrors} non-null). */
    private static void replaceManaged(RouteContext ctx, GenericKubernetesResource r, List<HeaderRoute> headers, List<MirrorRoute> mirrors) {
        List<Object> kept = new ArrayList<>();
        List<Object> headerRules = new ArrayList<>();
        List<Object> mirrorRules = new ArrayList<>();
        for (Object o : list(GenericObjects.spec(r).get("rules"))) {
            Map<String, Object> rule = map(o);
            (!isManaged(rule) ? kept : isMirror(rule) ? mirrorRules : headerRules).add(o);
        }
        Object port = port(ctx, kept);
        List<Object> next = new ArrayList<>(headers == null ? headerRules : headerRules(ctx, port, headers));
        next.addAll(mirrors == null ? mirrorRules : mirrorRules(ctx, port, mirrors));
        next.addAll(kept);
        GenericObjects.spec(r).put("rules", next);
    }

    private static List<Object> headerRules(RouteContext ctx, Object port, List<HeaderRoute> headers) {
        List<Object> out = new ArrayList<>();
        for (HeaderRoute h : headers) {
            List<Object> matches = new ArrayList<>();
            for (HeaderMatch m : h.matches()) {
                matches.add(new LinkedHashMap<>(Map.of("headers", List.of(header(m.headerName(), m.headerValue())))));
            }
            Map<String, Object> rule = new LinkedHashMap<>();
            rule.put("name", MANAGED_PREFIX + h.name());
            rule.put("matches", matches);
            rule.put("backendRefs", List.of(backend(ctx.canaryService(), port)));
            out.add(rule);
        }
        return out;
    }

    private static List<Object> mirrorRules(RouteContext ctx, Object port, List<MirrorRoute> mirrors) {
        List<Object> out = new ArrayList<>();
        for (MirrorRoute m : mirrors) {
            List<Object> matches = new ArrayList<>();
            for (RouteMatch rm : m.matches()) {
                Map<String, Object> match = new LinkedHashMap<>();
                rm.path().ifPresent(p -> match.put("path", Map.of("type", switch (p.type()) {
                    case EXACT -> "Exact";
                    case PREFIX -> "PathPrefix";
                    case REGEX -> "RegularExpression";
                }, "value", p.value())));
                // Gateway API matches a method exactly; a prefix or regex method is taken as written (GET, POST)
                rm.method().ifPresent(x -> match.put("method", x.value()));
                if (!rm.headers().isEmpty()) {
                    List<Object> hs = new ArrayList<>();
                    rm.headers().forEach((k, v) -> hs.add(header(k, v)));
                    match.put("headers", hs);
                }
                matches.add(match);
            }
            Map<String, Object> mirror = new LinkedHashMap<>();
            mirror.put("backendRef", backendNoWeight(ctx.canaryService(), port));
            mirror.put("percent", m.percentage());
            Map<String, Object> rule = new LinkedHashMap<>();
            rule.put("name", MANAGED_PREFIX + m.name());
            if (!matches.isEmpty()) {
                rule.put("matches", matches);
            }
            rule.put("filters", List.of(new LinkedHashMap<>(Map.of("type", "RequestMirror", "requestMirror", mirror))));
            rule.put("backendRefs", List.of(backend(ctx.stableService(), port)));
            out.add(rule);
        }
        return out;
    }

    private static Map<String, Object> header(String name, StringMatch value) {
        Map<String, Object> h = new LinkedHashMap<>();
        // Gateway API has Exact and RegularExpression header matches: a prefix becomes an anchored expression
        h.put("type", value.type() == StringMatch.Type.EXACT ? "Exact" : "RegularExpression");
        h.put("name", name);
        h.put("value", value.type() == StringMatch.Type.PREFIX ? "^" + java.util.regex.Pattern.quote(value.value()) + ".*" : value.value());
        return h;
    }

    /** The port the user's rules send to the canary (else the stable) Service on, if they name one. */
    private static Object port(RouteContext ctx, List<Object> rules) {
        Object stablePort = null;
        for (Object rule : rules) {
            for (Object ref : list(map(rule).get("backendRefs"))) {
                Map<String, Object> b = map(ref);
                if (ctx.canaryService().equals(b.get("name")) && b.get("port") != null) {
                    return b.get("port");
                }
                if (ctx.stableService().equals(b.get("name")) && b.get("port") != null) {
                    stablePort = b.get("port");
                }
            }
        }
        return stablePort;
    }

    private static Map<String, Object> backendNoWeight(String service, Object port) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("name", service);
        if (port != null) {
            b.put("port", port);
        }
        return b;
    }

    private static Map<String, Object> backend(String service, Object port) {
        Map<String, Object> b = backendNoWeight(service, port);
        b.put("weight", 1);
        return b;
    }

    @Override
    public void setHeaderRoutes(RouteContext ctx, List<HeaderRoute> headers) {
        for (String route : routes) {
            GenericRouteWriter.edit(ctx, GenericObjects.HTTP_ROUTE, route, r -> replaceManaged(ctx, r, headers, null));
        }
    }

    @Override
    public void setMirrorRoutes(RouteContext ctx, List<MirrorRoute> mirrors) {
        for (String route : routes) {
            GenericRouteWriter.edit(ctx, GenericObjects.HTTP_ROUTE, route, r -> replaceManaged(ctx, r, null, mirrors));
        }
    }

    private static boolean isMirror(Map<String, Object> rule) {
        for (Object f : list(rule.get("filters"))) {
            if ("RequestMirror".equals(map(f).get("type"))) {
                return true;
            }
        }
        return false;
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
                if (isManaged(map(rule))) {
                    continue;
                }
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
    public boolean supportsHeaderRoutes() {
        return true;
    }

    @Override
    public boolean supportsMirrorRoutes() {
        return true;
    }

    @Override
    public boolean hasManagedRoutes(RouteContext ctx) {
        for (String route : routes) {
            GenericKubernetesResource r = GenericRouteWriter.read(ctx, GenericObjects.HTTP_ROUTE, route);
            if (r != null && list(GenericObjects.spec(r).get("rules")).stream().anyMatch(o -> isManaged(map(o)))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void removeManagedRoutes(RouteContext ctx) {
        for (String route : routes) {
            GenericRouteWriter.edit(ctx, GenericObjects.HTTP_ROUTE, route, r -> managed(ctx, r, List.of(), List.of()));
        }
    }
}
