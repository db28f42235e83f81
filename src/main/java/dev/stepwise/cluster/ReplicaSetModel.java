package dev.stepwise.cluster;

import dev.stepwise.engine.ScaleDownDeadline;
import dev.stepwise.spec.model.RolloutSpec;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The ReplicaSet of one version of a rollout, as Stepwise wants it: pure (no I/O), so it is tested on its own and the
 * applier only compares and writes. Named {@code <rollout>-<hash>} with the hash on selector and pod template, the way
 * Argo Rollouts names them, so a cluster migrated from Argo keeps its objects.
 */
public final class ReplicaSetModel {

    private ReplicaSetModel() {
    }

    public static String name(RolloutSpec spec, String version) {
        return spec.name() + "-" + version;
    }

    /** Labels every managed object of {@code spec} carries (used to list them back after a restart). */
    public static Map<String, String> managedLabels(RolloutSpec spec) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(StepwiseLabels.MANAGED_BY, StepwiseLabels.MANAGER);
        labels.put(StepwiseLabels.ROLLOUT, spec.name());
        return labels;
    }

    /** The pod template a rollout carries itself: its containers and images (the typed model keeps those). */
    public static PodTemplateSpec templateFromSpec(RolloutSpec spec) {
        PodTemplateSpecBuilder b = new PodTemplateSpecBuilder().withNewMetadata().endMetadata().withNewSpec().endSpec();
        List<io.fabric8.kubernetes.api.model.Container> containers = new ArrayList<>();
        spec.images().forEach((name, image) -> containers.add(new ContainerBuilder().withName(name).withImage(image).build()));
        return b.editSpec().withContainers(containers).endSpec().build();
    }

    /**
     * The ReplicaSet for {@code version} with {@code replicas} pods of {@code template}.
     *
     * @param owner the object that owns it (the referenced Deployment for a workloadRef), if any: garbage collection
     *              then removes Stepwise's ReplicaSets with it
     */
    public static ReplicaSet build(RolloutSpec spec, String version, int replicas, PodTemplateSpec template,
                                   ApplyContext ctx, Optional<OwnerReference> owner) {
        Map<String, String> labels = managedLabels(spec);
        labels.put(StepwiseLabels.HASH, version);
        PodTemplateSpec pod = new PodTemplateSpecBuilder(template).build();
        ObjectMeta podMeta = pod.getMetadata() == null ? new ObjectMeta() : pod.getMetadata();
        Map<String, String> podLabels = new LinkedHashMap<>(podMeta.getLabels() == null ? Map.of() : podMeta.getLabels());
        podLabels.put(StepwiseLabels.HASH, version);
        podLabels.put(StepwiseLabels.ROLLOUT, spec.name());
        podMeta.setLabels(podLabels);
        pod.setMetadata(podMeta);
        ReplicaSetBuilder rs = new ReplicaSetBuilder()
                .withNewMetadata()
                .withName(name(spec, version))
                .withNamespace(spec.namespace())
                .withLabels(labels)
                .withAnnotations(withoutNulls(annotations(version, replicas, ctx)))
                .endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .withMinReadySeconds(spec.minReadySeconds())
                .withNewSelector().withMatchLabels(Map.of(StepwiseLabels.HASH, version, StepwiseLabels.ROLLOUT, spec.name())).endSelector()
                .withTemplate(pod)
                .endSpec();
        owner.ifPresent(o -> rs.editMetadata().withOwnerReferences(o).endMetadata());
        return rs.build();
    }

    /**
     * The name of an experiment's ReplicaSet, {@code <rollout>-<experiment>-<template>}. The experiment is named after
     * the revision it runs for (the canary's hash), as Argo names a rollout's experiments after its pod-template hash.
     */
    public static String experimentName(RolloutSpec spec, String canaryVersion, String template) {
        return spec.name() + "-" + canaryVersion + "-" + template;
    }

    /**
     * The pods' own hash label of an experiment ReplicaSet: not the version's, so the stable and canary Services (which
     * select by that label) never send production traffic to experiment pods, as Argo gives them a hash of their own.
     */
    public static String experimentHash(String version, String template) {
        return dev.stepwise.spec.model.PodTemplateHash.of(List.of("experiment", version, template));
    }

    /**
     * An experiment's ReplicaSet: {@code replicas} pods of {@code template} (the stable or canary version's pod
     * template), labelled with the experiment template's name and a hash of their own.
     */
    public static ReplicaSet experiment(RolloutSpec spec, dev.stepwise.engine.ExperimentReplicaSet e, String canaryVersion,
                                        PodTemplateSpec template, ApplyContext ctx, Optional<OwnerReference> owner) {
        String hash = experimentHash(e.version(), e.name());
        ReplicaSet rs = build(spec, e.version(), e.replicas(), template, ctx, owner);
        Map<String, String> labels = managedLabels(spec);
        labels.put(StepwiseLabels.HASH, hash);
        labels.put(StepwiseLabels.EXPERIMENT, e.name());
        rs.getMetadata().setName(experimentName(spec, canaryVersion, e.name()));
        rs.getMetadata().setLabels(labels);
        Map<String, String> selector = new LinkedHashMap<>();
        selector.put(StepwiseLabels.HASH, hash);
        selector.put(StepwiseLabels.EXPERIMENT, e.name());
        rs.getSpec().getSelector().setMatchLabels(selector);
        Map<String, String> podLabels = new LinkedHashMap<>(rs.getSpec().getTemplate().getMetadata().getLabels());
        podLabels.putAll(selector);
        podLabels.put(StepwiseLabels.ROLLOUT, spec.name());
        rs.getSpec().getTemplate().getMetadata().setLabels(podLabels);
        rs.getMetadata().setAnnotations(withoutNulls(annotations(e.key(), e.replicas(), ctx)));
        return rs;
    }

    /** The annotations an apply writes on a version's ReplicaSet (also what a JSON merge patch sets). */
    public static Map<String, String> annotations(String version, int replicas, ApplyContext ctx) {
        Map<String, String> a = new LinkedHashMap<>();
        a.put(StepwiseLabels.SPEC_REVISION, ctx.specRevision());
        a.put(StepwiseLabels.SOURCE_COMMIT, ctx.sourceCommit());
        a.put(StepwiseLabels.APPLIED_REPLICAS, Integer.toString(replicas));
        a.put(StepwiseLabels.SCALE_DOWN_AT, scaleDownAt(version, ctx).orElse(null));
        return a;
    }

    private static Map<String, String> withoutNulls(Map<String, String> m) {
        Map<String, String> out = new LinkedHashMap<>();
        m.forEach((k, v) -> {
            if (v != null) {
                out.put(k, v);
            }
        });
        return out;
    }

    static Optional<String> scaleDownAt(String version, ApplyContext ctx) {
        for (ScaleDownDeadline d : ctx.scaleDowns()) {
            if (d.version().equals(version)) {
                return Optional.of(d.at().toString());
            }
        }
        return Optional.empty();
    }
}
