package dev.stepwise.traffic;

import dev.stepwise.cluster.StepwiseLabels;
import dev.stepwise.engine.HeaderRoute;
import dev.stepwise.engine.MirrorRoute;
import dev.stepwise.spec.model.HeaderMatch;
import dev.stepwise.spec.model.NginxRouter;
import dev.stepwise.spec.model.StringMatch;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * NGINX Ingress: a canary Ingress {@code <stableIngress>-<rollout>-canary}, copied from the stable Ingress with its
 * backends pointed at the canary Service, carrying {@code canary: "true"}, {@code canary-weight} and, for a header
 * route, {@code canary-by-header}/{@code canary-by-header-value} (or {@code canary-by-header-pattern}) under the
 * rollout's annotation prefix. The stable Ingress is never written.
 */
public final class NginxTrafficRouter implements TrafficRouter {
    public static final String DEFAULT_PREFIX = "nginx.ingress.kubernetes.io";
    private final NginxRouter spec;
    private final String prefix;

    public NginxTrafficRouter(NginxRouter spec) {
        this.spec = spec;
        this.prefix = spec.annotationPrefix().orElse(DEFAULT_PREFIX);
    }

    @Override
    public String name() {
        return "nginx";
    }

    public static String canaryIngressName(String stableIngress, String rollout) {
        return stableIngress + "-" + rollout + "-canary";
    }

    @Override
    public void setWeight(RouteContext ctx, int canaryWeight) {
        Map<String, String> a = new LinkedHashMap<>();
        a.put(prefix + "/canary-weight", Integer.toString(canaryWeight));
        if (ctx.maxWeight() != 100) {
            a.put(prefix + "/canary-weight-total", Integer.toString(ctx.maxWeight()));
        }
        a.put(StepwiseLabels.APPLIED_WEIGHT + "." + ctx.rollout(), Integer.toString(canaryWeight));
        patchAnnotations(ctx, a);
    }

    @Override
    public void setHeaderRoutes(RouteContext ctx, List<HeaderRoute> routes) {
        Map<String, String> a = new LinkedHashMap<>();
        // without a header route the canary Ingress goes back to what the spec's additionalIngressAnnotations say
        for (String key : List.of("canary-by-header", "canary-by-header-value", "canary-by-header-pattern")) {
            a.put(prefix + "/" + key, spec.additionalIngressAnnotations().get(key));
        }
        // NGINX has room for one header per canary Ingress: the first match of the first route
        if (!routes.isEmpty() && !routes.get(0).matches().isEmpty()) {
            HeaderMatch m = routes.get(0).matches().get(0);
            a.put(prefix + "/canary-by-header", m.headerName());
            a.put(prefix + (m.headerValue().type() == StringMatch.Type.EXACT ? "/canary-by-header-value" : "/canary-by-header-pattern"),
                    m.headerValue().type() == StringMatch.Type.PREFIX ? "^" + java.util.regex.Pattern.quote(m.headerValue().value()) + ".*"
                            : m.headerValue().value());
        }
        patchAnnotations(ctx, a);
    }

    @Override
    public void setMirrorRoutes(RouteContext ctx, List<MirrorRoute> routes) {
        // NGINX canary Ingresses cannot mirror; the spec mapper reports it. Nothing to write.
    }

    private void patchAnnotations(RouteContext ctx, Map<String, String> wanted) {
        for (String stable : spec.stableIngresses()) {
            Ingress canary = ensureCanaryIngress(ctx, stable);
            if (canary == null) {
                continue;
            }
            var res = ctx.client().network().v1().ingresses().inNamespace(ctx.namespace()).withName(canary.getMetadata().getName());
            ctx.writes().patch(canary, res::get, current -> annotationPatch(ctx, current, wanted),
                    (current, json) -> res.patch(PatchContext.of(PatchType.JSON), json));
        }
    }

    /**
     * The JSON patch that makes the annotations {@code wanted} (null: absent), empty when they already are. JSON
     * patch, not merge patch: removing an annotation with a merge-patch null is not honoured by every server
     * (fabric8's test server keeps the null), while a JSON patch "remove" is exact. Its first operation sets
     * {@code metadata.resourceVersion} to the one read: the server then refuses the patch (409) when the Ingress
     * changed since, and it is computed again from a fresh read.
     */
    private Optional<String> annotationPatch(RouteContext ctx, Ingress current, Map<String, String> wanted) {
        Map<String, String> have = current.getMetadata().getAnnotations() == null ? Map.of() : current.getMetadata().getAnnotations();
        List<Map<String, Object>> ops = new java.util.ArrayList<>();
        ops.add(Map.of("op", "replace", "path", "/metadata/resourceVersion", "value", current.getMetadata().getResourceVersion()));
        wanted.forEach((k, v) -> {
            if (java.util.Objects.equals(have.get(k), v) || (v == null && !have.containsKey(k))) {
                return;
            }
            String path = "/metadata/annotations/" + k.replace("~", "~0").replace("/", "~1");
            if (v == null) {
                ops.add(Map.of("op", "remove", "path", path));
            } else {
                ops.add(Map.of("op", "add", "path", path, "value", v));
            }
        });
        return ops.size() == 1 ? Optional.empty() : Optional.of(ctx.client().getKubernetesSerialization().asJson(ops));
    }

    /** The canary Ingress, created from the stable one when missing; null when the stable Ingress is missing too. */
    private Ingress ensureCanaryIngress(RouteContext ctx, String stable) {
        var ingresses = ctx.client().network().v1().ingresses().inNamespace(ctx.namespace());
        String name = canaryIngressName(stable, ctx.rollout());
        Ingress existing = ingresses.withName(name).get();
        if (existing != null) {
            return existing;
        }
        Ingress source = ingresses.withName(stable).get();
        if (source == null) {
            return null;
        }
        Ingress canary = canaryFrom(source, name, ctx);
        try {
            return ingresses.resource(canary).create();
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            if (e.getCode() == 409) {
                return ingresses.withName(name).get(); // created by a concurrent apply
            }
            throw e;
        }
    }

    /** Pure: the canary Ingress built from the stable one. */
    Ingress canaryFrom(Ingress stable, String name, RouteContext ctx) {
        Ingress copy = new IngressBuilder(stable).build();
        Map<String, String> annotations = new LinkedHashMap<>();
        if (stable.getMetadata().getAnnotations() != null) {
            // the stable Ingress' own NGINX annotations apply to the canary too, except canary ones
            stable.getMetadata().getAnnotations().forEach((k, v) -> {
                if (!k.startsWith(prefix + "/canary") && !k.startsWith("kubectl.kubernetes.io/")) {
                    annotations.put(k, v);
                }
            });
        }
        spec.additionalIngressAnnotations().forEach((k, v) -> annotations.put(prefix + "/" + k, v));
        annotations.put(prefix + "/canary", "true");
        annotations.put(prefix + "/canary-weight", "0");
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(StepwiseLabels.MANAGED_BY, StepwiseLabels.MANAGER);
        labels.put(StepwiseLabels.ROLLOUT, ctx.rollout());
        var meta = new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).withNamespace(ctx.namespace())
                .withLabels(labels).withAnnotations(annotations);
        if (stable.getMetadata().getUid() != null) {
            // owned by the stable Ingress it is copied from: deleting that removes the canary Ingress too
            meta.withOwnerReferences(dev.stepwise.cluster.ClusterTarget.ownerReference("networking.k8s.io/v1", "Ingress", stable.getMetadata()));
        }
        copy.setMetadata(meta.build());
        copy.setStatus(null);
        if (copy.getSpec().getDefaultBackend() != null) {
            repoint(copy.getSpec().getDefaultBackend(), ctx);
        }
        if (copy.getSpec().getRules() != null) {
            for (IngressRule rule : copy.getSpec().getRules()) {
                if (rule.getHttp() != null) {
                    for (HTTPIngressPath p : rule.getHttp().getPaths()) {
                        repoint(p.getBackend(), ctx);
                    }
                }
            }
        }
        return copy;
    }

    private static void repoint(IngressBackend b, RouteContext ctx) {
        if (b != null && b.getService() != null && ctx.stableService().equals(b.getService().getName())) {
            b.getService().setName(ctx.canaryService());
        }
    }

    @Override
    public Optional<Integer> currentWeight(RouteContext ctx) {
        Integer found = null;
        for (String stable : spec.stableIngresses()) {
            Ingress canary = ctx.client().network().v1().ingresses().inNamespace(ctx.namespace())
                    .withName(canaryIngressName(stable, ctx.rollout())).get();
            if (canary == null || canary.getMetadata().getAnnotations() == null) {
                return Optional.empty();
            }
            String w = canary.getMetadata().getAnnotations().get(prefix + "/canary-weight");
            try {
                int weight = Integer.parseInt(w);
                if (found != null && found != weight) {
                    return Optional.empty();
                }
                found = weight;
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * The header annotations go back to what {@code additionalIngressAnnotations} says. The canary Ingress stays: it
     * carries the weight (0 once a rollout completes or aborts), as Argo keeps it.
     */
    @Override
    public void removeManagedRoutes(RouteContext ctx) {
        setHeaderRoutes(ctx, List.of());
    }

    @Override
    public boolean hasManagedRoutes(RouteContext ctx) {
        for (String stable : spec.stableIngresses()) {
            Ingress canary = ctx.client().network().v1().ingresses().inNamespace(ctx.namespace())
                    .withName(canaryIngressName(stable, ctx.rollout())).get();
            Map<String, String> a = canary == null || canary.getMetadata().getAnnotations() == null ? Map.of() : canary.getMetadata().getAnnotations();
            for (String key : List.of("canary-by-header", "canary-by-header-value", "canary-by-header-pattern")) {
                if (a.get(prefix + "/" + key) != null && !a.get(prefix + "/" + key).equals(spec.additionalIngressAnnotations().get(key))) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public boolean supportsHeaderRoutes() {
        return true;
    }
}
