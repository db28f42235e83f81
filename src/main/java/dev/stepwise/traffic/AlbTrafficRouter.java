package dev.stepwise.traffic;

import dev.stepwise.cluster.StepwiseLabels;
import dev.stepwise.engine.HeaderRoute;
import dev.stepwise.engine.MirrorRoute;
import dev.stepwise.spec.model.AlbRouter;
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

    /**
     * Not driven by Stepwise yet (Argo does it with an extra {@code actions.<route>}/{@code conditions.<route>}
     * annotation pair and an Ingress rule per route); ClusterTarget reports an UnsupportedRoute finding.
     */
    @Override
    public void setHeaderRoutes(RouteContext ctx, List<HeaderRoute> routes) {
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

    @Override
    public void removeManagedRoutes(RouteContext ctx) {
    }
}
