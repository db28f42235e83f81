package dev.stepwise.cluster;

import dev.stepwise.spec.model.RolloutSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Pure: Flagger's {@code <target>-primary} Deployment built from the target. Its selector and pod labels swap the
 * target's {@code app} label for {@code <target>-primary} (as Flagger does) so the two never select each other's
 * pods, and carry the version hash.
 */
public final class FlaggerPrimaryModel {
    private FlaggerPrimaryModel() {
    }

    /** The primary's selector: every value of the target's with {@code -primary} appended, as Flagger does. */
    public static Map<String, String> primarySelector(String target, Map<String, String> targetSelector) {
        Map<String, String> selector = new LinkedHashMap<>();
        targetSelector.forEach((k, v) -> selector.put(k, v.equals(target) ? target + "-primary" : v + "-primary"));
        return selector;
    }

    public static Deployment primary(Deployment target, RolloutSpec spec, String version, int replicas,
                                     Map<String, String> annotations) {
        String name = target.getMetadata().getName() + "-primary";
        Map<String, String> source = target.getSpec().getSelector() != null && target.getSpec().getSelector().getMatchLabels() != null
                ? target.getSpec().getSelector().getMatchLabels() : Map.of("app", target.getMetadata().getName());
        Map<String, String> selector = primarySelector(target.getMetadata().getName(), source);
        Map<String, String> podLabels = new LinkedHashMap<>();
        if (target.getSpec().getTemplate().getMetadata() != null && target.getSpec().getTemplate().getMetadata().getLabels() != null) {
            podLabels.putAll(target.getSpec().getTemplate().getMetadata().getLabels());
        }
        podLabels.putAll(selector);
        podLabels.put(StepwiseLabels.HASH, version);
        Map<String, String> ann = new LinkedHashMap<>();
        annotations.forEach((k, v) -> {
            if (v != null) {
                ann.put(k, v);
            }
        });
        ann.put(StepwiseLabels.VERSION, version);
        Map<String, String> labels = new LinkedHashMap<>(ReplicaSetModel.managedLabels(spec));
        return new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(target.getMetadata().getNamespace())
                .withLabels(labels).withAnnotations(ann).endMetadata()
                .withNewSpec().withReplicas(replicas)
                .withNewSelector().withMatchLabels(selector).endSelector()
                .withTemplate(new io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder(target.getSpec().getTemplate())
                        .editOrNewMetadata().withLabels(podLabels).endMetadata().build())
                .endSpec().build();
    }
}
