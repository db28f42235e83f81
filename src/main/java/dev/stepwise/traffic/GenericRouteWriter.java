package dev.stepwise.traffic;

import dev.stepwise.cluster.StepwiseLabels;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Edits one generic object: read, change a copy, write with the resourceVersion it was read at (409: again). Writes
 * nothing when the copy equals what was read.
 */
final class GenericRouteWriter {
    private GenericRouteWriter() {
    }

    /** @return false when the object does not exist */
    static boolean edit(RouteContext ctx, ResourceDefinitionContext type, String name, Consumer<GenericKubernetesResource> edit) {
        var op = GenericObjects.of(ctx.client(), type).inNamespace(ctx.namespace());
        return ctx.writes().update(
                () -> op.withName(name).get(),
                current -> {
                    GenericKubernetesResource copy = ctx.client().getKubernetesSerialization().clone(current);
                    edit.accept(copy);
                    return copy.equals(current) ? Optional.empty() : Optional.of(copy);
                },
                next -> op.resource(next).update()).isPresent();
    }

    static GenericKubernetesResource read(RouteContext ctx, ResourceDefinitionContext type, String name) {
        return GenericObjects.of(ctx.client(), type).inNamespace(ctx.namespace()).withName(name).get();
    }

    /** Records the weight written, so a later read that differs is recognised as someone else's edit. */
    static void markWeight(GenericKubernetesResource r, String rollout, int weight) {
        Map<String, String> a = new LinkedHashMap<>(r.getMetadata().getAnnotations() == null ? Map.of() : r.getMetadata().getAnnotations());
        a.put(StepwiseLabels.APPLIED_WEIGHT + "." + rollout, Integer.toString(weight));
        r.getMetadata().setAnnotations(a);
    }
}
