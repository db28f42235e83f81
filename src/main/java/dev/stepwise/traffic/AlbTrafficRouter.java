package dev.stepwise.traffic;

import dev.stepwise.cluster.StepwiseLabels;
import dev.stepwise.engine.HeaderRoute;
import dev.stepwise.engine.MirrorRoute;
import dev.stepwise.spec.model.AlbRouter;
import dev.stepwise.spec.model.HeaderMatch;
import dev.stepwise.spec.model.StringMatch;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * AWS Load Balancer Controller: the action annotation {@code <prefix>/actions.<rootService>} on the Ingress, a forward
 * action with two weighted target groups (canary and stable Services on {@code servicePort}).
 */
public final class AlbTrafficRouter implements TrafficRouter {
    public static final String DEFAULT_PREFIX = "alb.ingress.kubernetes.io";
    private final AlbRouter spec;
    private final String prefix;

    public AlbTrafficRouter(AlbRouter spec) {
        this.spec = spec;
        this.prefix = spec.annotationPrefix().orElse(DEFAULT_PREFIX);
    }

    @Override
    public String name() {
        return "alb";
    }

    public String actionAnnotation(RouteContext ctx) {
        return prefix + "/actions." + spec.rootService().orElse(ctx.stableService());
    }

    /** Pure: the action JSON for {@code canaryWeight}. */
    String action(RouteContext ctx, int canaryWeight) {
        Map<String, Object> canary = new LinkedHashMap<>();
        canary.put("serviceName", ctx.canaryService());
        canary.put("servicePort", Integer.toString(spec.servicePort()));
        canary.put("weight", canaryWeight);
        Map<String, Object> stable = new LinkedHashMap<>();
        stable.put("serviceName", ctx.stableService());
        stable.put("servicePort", Integer.toString(spec.servicePort()));
        stable.put("weight", ctx.maxWeight() - canaryWeight);
        Map<String, Object> action = new LinkedHashMap<>();
        action.put("type", "forward");
        action.put("forwardConfig", Map.of("targetGroups", List.of(canary, stable)));
        return ctx.client().getKubernetesSerialization().asJson(action);
    }

    @Override
    public void setWeight(RouteContext ctx, int canaryWeight) {
        for (String name : spec.ingresses()) {
            var ingress = ctx.client().network().v1().ingresses().inNamespace(ctx.namespace()).withName(name);
            String wanted = action(ctx, canaryWeight);
            // the action annotation is replaced whole: sent with the resourceVersion read, so a concurrent edit is
            // re-read (409) instead of overwritten
            ctx.writes().patch(null, ingress::get, current -> {
                Map<String, String> have = current.getMetadata().getAnnotations() == null ? Map.of() : current.getMetadata().getAnnotations();
                if (wanted.equals(have.get(actionAnnotation(ctx)))) {
                    return Optional.empty();
                }
                Map<String, String> a = new LinkedHashMap<>();
                a.put(actionAnnotation(ctx), wanted);
                a.put(StepwiseLabels.APPLIED_WEIGHT + "." + ctx.rollout(), Integer.toString(canaryWeight));
                return Optional.of(ctx.client().getKubernetesSerialization().asJson(dev.stepwise.cluster.Writes.withResourceVersion(
                        Map.of("metadata", Map.of("annotations", a)), current.getMetadata().getResourceVersion())));
            }, (current, json) -> ingress.patch(PatchContext.of(PatchType.JSON_MERGE), json));
        }
    }

    /** Names the header routes Stepwise wrote into an Ingress, comma-separated, so they can be removed later. */
    static String managedRoutesAnnotation(String rollout) {
        return "stepwise.dev/managed-routes." + rollout;
    }

    /**
     * Header routes as the AWS Load Balancer Controller expresses them (as Argo writes them): per route an action
     * annotation {@code <prefix>/actions.<route>} forwarding everything to the canary target group, a condition
     * annotation {@code <prefix>/conditions.<route>} with one {@code http-header} condition per match (the ALB ANDs
     * them), and a path in each Ingress rule that serves the root Service, placed before it, whose backend is the
     * action ({@code service.name: <route>}, {@code port.name: use-annotation}). Exact values are written as they
     * are, a prefix as {@code value*} (ALB values take wildcards); a regex match has no ALB equivalent and is left
     * out (ClusterTarget reports it, see {@link #routeProblems}). One JSON patch per Ingress, carrying the
     * resourceVersion read; routes no longer wanted are removed by the same patch.
     */
    @Override
    public void setHeaderRoutes(RouteContext ctx, List<HeaderRoute> routes) {
        Map<String, HeaderRoute> wanted = new LinkedHashMap<>();
        for (HeaderRoute h : routes) {
            if (!h.matches().isEmpty() && h.matches().stream().noneMatch(m -> m.headerValue().type() == StringMatch.Type.REGEX)) {
                wanted.put(h.name(), h);
            }
        }
        String root = spec.rootService().orElse(ctx.stableService());
        for (String name : spec.ingresses()) {
            var ingress = ctx.client().network().v1().ingresses().inNamespace(ctx.namespace()).withName(name);
            ctx.writes().patch(null, ingress::get, current -> headerPatch(ctx, current, wanted, root),
                    (current, json) -> ingress.patch(PatchContext.of(PatchType.JSON), json));
        }
    }

    private Optional<String> headerPatch(RouteContext ctx, Ingress current, Map<String, HeaderRoute> wanted, String root) {
        var ser = ctx.client().getKubernetesSerialization();
        Map<String, String> have = current.getMetadata().getAnnotations() == null ? Map.of() : current.getMetadata().getAnnotations();
        String managedKey = managedRoutesAnnotation(ctx.rollout());
        List<String> before = have.get(managedKey) == null || have.get(managedKey).isBlank() ? List.of()
                : List.of(have.get(managedKey).split(","));
        Map<String, String> annotations = new LinkedHashMap<>();
        for (String old : before) {
            annotations.put(prefix + "/actions." + old, null);
            annotations.put(prefix + "/conditions." + old, null);
        }
        for (HeaderRoute h : wanted.values()) {
            Map<String, Object> target = new LinkedHashMap<>();
            target.put("serviceName", ctx.canaryService());
            target.put("servicePort", Integer.toString(spec.servicePort()));
            target.put("weight", 100);
            annotations.put(prefix + "/actions." + h.name(), ser.asJson(Map.of("type", "forward",
                    "forwardConfig", Map.of("targetGroups", List.of(target)))));
            List<Object> conditions = new java.util.ArrayList<>();
            for (HeaderMatch m : h.matches()) {
                String value = m.headerValue().type() == StringMatch.Type.PREFIX ? m.headerValue().value() + "*" : m.headerValue().value();
                conditions.add(Map.of("field", "http-header", "httpHeaderConfig", Map.of("httpHeaderName", m.headerName(),
                        "values", List.of(value))));
            }
            annotations.put(prefix + "/conditions." + h.name(), ser.asJson(conditions));
        }
        annotations.put(managedKey, wanted.isEmpty() ? null : String.join(",", wanted.keySet()));

        List<Map<String, Object>> ops = new java.util.ArrayList<>();
        ops.add(Map.of("op", "replace", "path", "/metadata/resourceVersion", "value", current.getMetadata().getResourceVersion()));
        if (current.getMetadata().getAnnotations() == null) {
            ops.add(Map.of("op", "add", "path", "/metadata/annotations", "value", Map.of()));
        }
        annotations.forEach((k, v) -> {
            if (java.util.Objects.equals(have.get(k), v) || (v == null && !have.containsKey(k))) {
                return;
            }
            String path = "/metadata/annotations/" + k.replace("~", "~0").replace("/", "~1");
            ops.add(v == null ? Map.of("op", "remove", "path", path) : Map.of("op", "add", "path", path, "value", v));
        });
        // the rules: a path per wanted route before each path of the root Service; paths of old routes gone
        List<io.fabric8.kubernetes.api.model.networking.v1.IngressRule> rules = current.getSpec() == null || current.getSpec().getRules() == null
                ? List.of() : current.getSpec().getRules();
        java.util.Set<String> managedNames = new java.util.HashSet<>(before);
        managedNames.addAll(wanted.keySet());
        List<Object> nextRules = new java.util.ArrayList<>();
        for (var rule : rules) {
            var copy = new io.fabric8.kubernetes.api.model.networking.v1.IngressRuleBuilder(rule).build();
            if (copy.getHttp() != null && copy.getHttp().getPaths() != null) {
                List<io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath> paths = new java.util.ArrayList<>();
                for (var path : copy.getHttp().getPaths()) {
                    String svc = path.getBackend() == null || path.getBackend().getService() == null ? null : path.getBackend().getService().getName();
                    if (svc != null && managedNames.contains(svc)) {
                        continue; // rebuilt below, or gone
                    }
                    if (root.equals(svc)) {
                        for (String route : wanted.keySet()) {
                            paths.add(new io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPathBuilder(path)
                                    .editBackend().editService().withName(route).withNewPort().withName("use-annotation").endPort()
                                    .endService().endBackend().build());
                        }
                    }
                    paths.add(path);
                }
                copy.getHttp().setPaths(paths);
            }
            nextRules.add(ser.convertValue(copy, Map.class));
        }
        List<Object> haveRules = new java.util.ArrayList<>();
        rules.forEach(r -> haveRules.add(ser.convertValue(r, Map.class)));
        if (!nextRules.equals(haveRules)) {
            ops.add(Map.of("op", "replace", "path", "/spec/rules", "value", nextRules));
        }
        return ops.size() == 1 ? Optional.empty() : Optional.of(ser.asJson(ops));
    }

    @Override
    public boolean supportsHeaderRoutes() {
        return true;
    }

    @Override
    public List<String> routeProblems(List<HeaderRoute> headers, List<MirrorRoute> mirrors) {
        List<String> out = new java.util.ArrayList<>(TrafficRouter.super.routeProblems(headers, mirrors));
        for (HeaderRoute h : headers) {
            if (h.matches().stream().anyMatch(m -> m.headerValue().type() == StringMatch.Type.REGEX)) {
                out.add("traffic router 'alb' cannot match a header by regex: header route '" + h.name() + "' is not applied");
            }
        }
        return out;
    }

    @Override
    public boolean hasManagedRoutes(RouteContext ctx) {
        for (String name : spec.ingresses()) {
            Ingress current = ctx.client().network().v1().ingresses().inNamespace(ctx.namespace()).withName(name).get();
            String managed = current == null || current.getMetadata().getAnnotations() == null ? null
                    : current.getMetadata().getAnnotations().get(managedRoutesAnnotation(ctx.rollout()));
            if (managed != null && !managed.isBlank()) {
                return true;
            }
        }
        return false;
    }

    /** The ALB cannot mirror requests (Argo does not support setMirrorRoute with ALB either). */
    @Override
    public void setMirrorRoutes(RouteContext ctx, List<MirrorRoute> routes) {
    }

    @Override
    @SuppressWarnings("unchecked")
    public Optional<Integer> currentWeight(RouteContext ctx) {
        Integer found = null;
        for (String name : spec.ingresses()) {
            Ingress current = ctx.client().network().v1().ingresses().inNamespace(ctx.namespace()).withName(name).get();
            String json = current == null || current.getMetadata().getAnnotations() == null ? null
                    : current.getMetadata().getAnnotations().get(actionAnnotation(ctx));
            if (json == null) {
                return Optional.empty();
            }
            Map<String, Object> action = ctx.client().getKubernetesSerialization().unmarshal(json, Map.class);
            Map<String, Object> forward = GenericObjects.map(action.get("forwardConfig"));
            if (forward == null) {
                return Optional.empty();
            }
            for (Object g : GenericObjects.list(forward.get("targetGroups"))) {
                if (ctx.canaryService().equals(GenericObjects.map(g).get("serviceName"))) {
                    int w = GenericObjects.intOf(GenericObjects.map(g).get("weight"));
                    if (found != null && found != w) {
                        return Optional.empty();
                    }
                    found = w;
                }
            }
        }
        return Optional.ofNullable(found);
    }

    /** The header routes' annotations and Ingress paths go; the weight's action annotation stays. */
    @Override
    public void removeManagedRoutes(RouteContext ctx) {
        setHeaderRoutes(ctx, List.of());
    }
}
