package dev.stepwise.spec.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Something to roll out, read from an Argo {@code Rollout} or a Flagger {@code Canary}: what the engine decides on and
 * what {@code stepwise plan} explains.
 *
 * @param file                    the spec file, relative to the repository root; {@code documentIndex} counts documents in it from 0
 * @param replicas                {@code spec.replicas} (default 1). A Flagger Canary's replicas belong to its target
 *                                Deployment, which Stepwise does not read: 1 there, and {@link #replicasKnown()} false
 * @param images                  container name → image, containers then init containers, in written order
 *                                (empty when the pod template lives in a workloadRef or Flagger target)
 * @param podTemplateHash         a short hash of the pod template's content: a new hash is a new version. Key order
 *                                does not matter; with a workloadRef (or Flagger target) it covers the reference only
 * @param progressDeadlineSeconds default 600; {@code progressDeadlineAbort} aborts when it passes (always for Flagger)
 * @param revisionHistoryLimit    default 10
 * @param waves                   Stepwise extension {@code spec.waves}: cluster names, rolled out wave by wave
 * @param promoteTo               Stepwise extension {@code spec.promoteTo}
 * @param onAbortRevert           Stepwise extension {@code spec.onAbort.revert} (default none)
 * @param inlineTemplates         analysis templates that travel with this rollout (built from Flagger metrics), by name
 * @param flagger                 the Flagger settings behind the mapped strategy, for Canaries
 */
public record RolloutSpec(
        String namespace,
        String name,
        Origin origin,
        String file,
        int documentIndex,
        int replicas,
        Map<String, String> images,
        String podTemplateHash,
        Optional<WorkloadRef> workloadRef,
        int progressDeadlineSeconds,
        boolean progressDeadlineAbort,
        int minReadySeconds,
        int revisionHistoryLimit,
        RolloutStrategy strategy,
        List<List<String>> waves,
        Optional<PromoteTo> promoteTo,
        RevertMode onAbortRevert,
        Map<String, AnalysisTemplateSpec> inlineTemplates,
        Optional<FlaggerSource> flagger) {

    public static final int DEFAULT_REPLICAS = 1;
    public static final int DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;
    public static final int DEFAULT_REVISION_HISTORY_LIMIT = 10;

    public RolloutSpec {
        images = Collections.unmodifiableMap(new LinkedHashMap<>(images));
        waves = waves.stream().map(List::copyOf).toList();
        inlineTemplates = Collections.unmodifiableMap(new LinkedHashMap<>(inlineTemplates));
    }

    /** {@code namespace/name}. */
    public String qualifiedName() {
        return namespace + "/" + name;
    }

    public boolean replicasKnown() {
        return origin == Origin.ARGO_ROLLOUT;
    }

    public Optional<CanaryStrategy> canary() {
        return strategy instanceof CanaryStrategy c ? Optional.of(c) : Optional.empty();
    }

    public Optional<BlueGreenStrategy> blueGreen() {
        return strategy instanceof BlueGreenStrategy b ? Optional.of(b) : Optional.empty();
    }
}
