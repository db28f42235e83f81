package dev.stepwise.traffic;

import static dev.stepwise.traffic.GenericObjects.list;
import static dev.stepwise.traffic.GenericObjects.map;

import dev.stepwise.cluster.StepwiseLabels;
import dev.stepwise.engine.HeaderRoute;
import dev.stepwise.engine.MirrorRoute;
import dev.stepwise.spec.model.SmiRouter;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * SMI: a TrafficSplit (named {@code trafficSplitName}, else after the rollout) for the root Service (else the stable
 * Service) with two backends. Stepwise owns the TrafficSplit: it creates it when missing.
 */
public final class SmiTrafficRouter implements TrafficRouter {
    private final SmiRouter spec;

    public SmiTrafficRouter(SmiRouter spec) {
        this.spec = spec;
    }

    @Override
    public String name() {
        return "smi";
    }

    String splitName(RouteContext ctx) {
        return spec.trafficSplitName().orElse(ctx.rollout());
    }

    /** Pure: the TrafficSplit spec for {@code canaryWeight}. */
    Map<String, Object> splitSpec(RouteContext ctx, int canaryWeight) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("service", spec.rootService().orElse(ctx.stableService()));
        s.put("backends", List.of(
                new LinkedHashMap<>(Map.of("service", ctx.canaryService(), "weight", canaryWeight)),
                new LinkedHashMap<>(Map.of("service", ctx.stableService(), "weight", ctx.maxWeight() - canaryWeight))));
        return s;
    }

    @Override
    public void setWeight(RouteContext ctx, int canaryWeight) {
        var op = GenericObjects.of(ctx.client(), GenericObjects.TRAFFIC_SPLIT).inNamespace(ctx.namespace());
        boolean exists = GenericRouteWriter.edit(ctx, GenericObjects.TRAFFIC_SPLIT, splitName(ctx), r -> {
            r.getAdditionalProperties().put("spec", splitSpec(ctx, canaryWeight));
            GenericRouteWriter.markWeight(r, ctx.rollout(), canaryWeight);
        });
        if (!exists) {
            GenericKubernetesResource split = new GenericKubernetesResource();
            split.setApiVersion("split.smi-spec.io/v1alpha2");
            split.setKind("TrafficSplit");
            split.setMetadata(new ObjectMetaBuilder().withName(splitName(ctx)).withNamespace(ctx.namespace())
                    .addToLabels(StepwiseLabels.MANAGED_BY, StepwiseLabels.MANAGER).addToLabels(StepwiseLabels.ROLLOUT, ctx.rollout())
                    .build());
            split.getAdditionalProperties().put("spec", splitSpec(ctx, canaryWeight));
            GenericRouteWriter.markWeight(split, ctx.rollout(), canaryWeight);
            // owned by the root Service it splits: deleting the Service removes the TrafficSplit too
            var root = ctx.client().services().inNamespace(ctx.namespace()).withName(spec.rootService().orElse(ctx.stableService())).get();
            if (root != null && root.getMetadata().getUid() != null) {
                split.getMetadata().setOwnerReferences(List.of(dev.stepwise.cluster.ClusterTarget.ownerReference("v1", "Service", root.getMetadata())));
            }
            op.resource(split).create();
        }
    }

    /** Not supported by SMI (see {@link #removeManagedRoutes}); ClusterTarget reports an UnsupportedRoute finding. */
    @Override
    public void setHeaderRoutes(RouteContext ctx, List<HeaderRoute> routes) {
    }

    /** Not supported by SMI; ClusterTarget reports an UnsupportedRoute finding. */
    @Override
    public void setMirrorRoutes(RouteContext ctx, List<MirrorRoute> routes) {
    }

    @Override
    public Optional<Integer> currentWeight(RouteContext ctx) {
        GenericKubernetesResource r = GenericRouteWriter.read(ctx, GenericObjects.TRAFFIC_SPLIT, splitName(ctx));
        if (r == null) {
            return Optional.empty();
        }
        for (Object b : list(GenericObjects.spec(r).get("backends"))) {
            if (ctx.canaryService().equals(map(b).get("service"))) {
                return Optional.of(GenericObjects.intOf(map(b).get("weight")));
            }
        }
        return Optional.empty();
    }

    /**
     * SMI has no header or mirror routes (a TrafficSplit only has weighted backends; SMI's HTTPRouteGroup matches
     * would need a second split per route, which Argo does not do either): nothing to remove. The TrafficSplit carries
     * the weight and stays.
     */
    @Override
    public void removeManagedRoutes(RouteContext ctx) {
    }
}
