package dev.stepwise.engine;

import dev.stepwise.engine.analysis.AnalysisResolver;
import dev.stepwise.engine.analysis.ConditionCache;
import dev.stepwise.spec.model.AnalysisStep;
import dev.stepwise.spec.model.AnalysisTemplateSpec;
import dev.stepwise.spec.model.ExperimentStep;
import dev.stepwise.spec.model.RepositoryModel;
import dev.stepwise.spec.model.RolloutAnalysis;
import dev.stepwise.spec.model.RolloutSpec;
import dev.stepwise.spec.model.Step;
import dev.stepwise.spec.model.TemplateRef;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The progressive delivery engine: given a rollout's spec, its analysis templates, where it stands and what was
 * observed, decides what the cluster should look like now, what to measure, and when to be asked again.
 *
 * <p>It is a pure function of its arguments (no clock, no I/O): the same inputs always give the same decision, and a
 * status written out ({@link StatusCodec}) and read back continues exactly as the one in memory would. The engine
 * keeps only caches (compiled conditions, resolved analyses), which change how fast it answers, never what.
 * Instances are safe to share between threads.
 *
 * <p>Semantics are Argo Rollouts' (canary steps, blue-green, analysis) unless a comment says otherwise; where Stepwise
 * differs (an analysis whose measurements all errored is never Successful, insufficient data, irreversible steps,
 * aborts that move traffic before pods) the class that does it says why.
 */
public final class RolloutEngine {

    private final ConditionCache conditions = new ConditionCache();
    private final AnalysisResolver resolver = new AnalysisResolver(conditions);

    /**
     * Decides what to do for {@code spec} at {@code now}.
     *
     * @param templates analysis templates by the name the rollout writes ({@code templateName}); cluster templates
     *                  under {@link AnalysisResolver#clusterKey(String)}. {@link #templatesFor} builds this map
     * @param status    where the rollout stands ({@link RolloutStatus#initial()} for one never seen)
     */
    public Decision decide(RolloutSpec spec, Map<String, AnalysisTemplateSpec> templates, RolloutStatus status,
                           Observations observations, Instant now) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(now, "now");
        return new DecisionRun(spec, templates == null ? Map.of() : templates, status,
                observations == null ? Observations.NONE : observations, now, resolver, strategy(spec)).run();
    }

    /** The strategy logic for {@code spec}, built once per spec object (it only reads the spec). */
    private Strategy strategy(RolloutSpec spec) {
        SpecKey key = new SpecKey(spec);
        Strategy s = strategies.get(key);
        if (s == null) {
            s = spec.blueGreen().isPresent() ? new BlueGreenLogic(spec.blueGreen().get())
                    : new CanaryLogic(spec, spec.canary().orElseThrow());
            if (strategies.size() >= MAX_STRATEGIES) {
                strategies.clear(); // specs churn slowly; a full cache means old revisions pile up, so start over
            }
            strategies.put(key, s);
        }
        return s;
    }

    private static final int MAX_STRATEGIES = 50_000;
    private final java.util.concurrent.ConcurrentHashMap<SpecKey, Strategy> strategies = new java.util.concurrent.ConcurrentHashMap<>();

    /** A spec by identity: records compare deeply, which would cost more than building the strategy. */
    private static final class SpecKey {
        private final RolloutSpec spec;

        SpecKey(RolloutSpec spec) {
            this.spec = spec;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SpecKey k && k.spec == spec;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(spec);
        }
    }

    AnalysisResolver resolver() {
        return resolver;
    }

    /**
     * The step index of a rollout with nothing left to do: the number of canary steps, or the last blue-green stage.
     * A status at rest for {@code spec} has this {@link RolloutStatus#stepIndex()}.
     */
    public static int doneIndex(RolloutSpec spec) {
        return spec.canary().map(c -> c.steps().size()).orElse(BlueGreenLogic.DONE);
    }

    /** A name for a status's step index: the canary step's description, or the blue-green stage. */
    public static String describeStep(RolloutSpec spec, int stepIndex) {
        if (spec.blueGreen().isPresent()) {
            return BlueGreenLogic.stageName(stepIndex);
        }
        List<Step> steps = spec.canary().map(c -> c.steps()).orElse(List.of());
        return stepIndex >= 0 && stepIndex < steps.size() ? steps.get(stepIndex).describe() : "promotion";
    }

    /** The templates {@code spec} names, found in {@code model}, keyed as {@link #decide} expects. */
    public static Map<String, AnalysisTemplateSpec> templatesFor(RepositoryModel model, RolloutSpec spec) {
        Map<String, AnalysisTemplateSpec> out = new LinkedHashMap<>();
        for (TemplateRef ref : templateRefs(spec)) {
            if (!ref.inline()) {
                model.template(spec, ref).ifPresent(t -> out.putIfAbsent(AnalysisResolver.key(ref), t));
            }
        }
        return out;
    }

    /** Every template reference in {@code spec}: steps, background, blue-green analyses, experiments. */
    public static List<TemplateRef> templateRefs(RolloutSpec spec) {
        List<TemplateRef> refs = new ArrayList<>();
        spec.canary().ifPresent(c -> {
            for (Step s : c.steps()) {
                if (s instanceof AnalysisStep a) {
                    refs.addAll(a.templates());
                } else if (s instanceof ExperimentStep e) {
                    e.analyses().forEach(x -> refs.add(x.template()));
                }
            }
            c.analysis().ifPresent(b -> refs.addAll(b.analysis().templates()));
        });
        spec.blueGreen().ifPresent(b -> {
            b.prePromotionAnalysis().map(RolloutAnalysis::templates).ifPresent(refs::addAll);
            b.postPromotionAnalysis().map(RolloutAnalysis::templates).ifPresent(refs::addAll);
        });
        return refs;
    }
}
