package dev.stepwise.analysis;

import dev.stepwise.engine.analysis.MetricCondition;
import dev.stepwise.spec.model.MetricSpec;
import java.util.List;
import java.util.Optional;

/**
 * Argo Rollouts' rules for turning measurements into phases, kept in one small class so that the engine's
 * analysis-run evaluator can replace it later. Used by {@code stepwise analyze}.
 *
 * <ul>
 *   <li>A measurement: an error is Error; with {@code minSamples} set, a measurement resting on fewer samples (or on
 *       an unknown number) is Inconclusive, whatever its value; then the conditions decide as in Argo (failure is
 *       checked first; with only a success condition, not succeeding is failing; with only a failure condition, not
 *       failing is succeeding; neither true is Inconclusive); with no condition, the provider's own verdict (Kayenta,
 *       Job, stepwise-compare) or else Successful.</li>
 *   <li>A metric: Failed once failures exceed {@code failureLimit} (negative: no limit), Inconclusive once
 *       inconclusive measurements exceed {@code inconclusiveLimit}, Error once consecutive errors exceed
 *       {@code consecutiveErrorLimit}, Successful early after {@code consecutiveSuccessLimit} successes in a row
 *       (when above 0). When every measurement is taken: Successful only if at least one measurement succeeded —
 *       errors never count as success (Argo would call a run of errors below the limit Successful).</li>
 *   <li>A run: the worst phase of its metrics (Failed, then Error, then Inconclusive), dry-run metrics left out.</li>
 * </ul>
 */
public final class ArgoPhaseRule {

    private ArgoPhaseRule() {
    }

    /** A measurement's phase and, when it is not plainly Successful, why. */
    public record Judged(Phase phase, String message) {
    }

    public static Judged measurement(MetricSpec metric, Optional<MetricCondition> success, Optional<MetricCondition> failure,
                                     Measurement m) {
        if (m.isError()) {
            MeasurementError e = m.error().orElseThrow();
            return new Judged(Phase.ERROR, e.kindLabel() + ": " + e.message());
        }
        if (metric.minSamples().isPresent()) {
            int min = metric.minSamples().get();
            if (m.sampleCount().isEmpty()) {
                return new Judged(Phase.INCONCLUSIVE, "minSamples is " + min + " but the provider reports no sample count "
                        + "(for Prometheus, add sampleCountQuery)");
            }
            if (m.sampleCount().getAsLong() < min) {
                return new Judged(Phase.INCONCLUSIVE, "insufficient data: " + m.sampleCount().getAsLong()
                        + " samples, minSamples is " + min);
            }
        }
        Object value = m.value().orElseThrow();
        if (success.isEmpty() && failure.isEmpty()) {
            return new Judged(m.providerPhase().orElse(Phase.SUCCESSFUL),
                    m.providerPhase().map(p -> "the provider's verdict").orElse(""));
        }
        Optional<Boolean> succeeded = Optional.empty();
        Optional<Boolean> failed = Optional.empty();
        if (success.isPresent()) {
            MetricCondition.Evaluation ev = success.get().evaluate(value);
            if (ev.isError()) {
                return new Judged(Phase.ERROR, "successCondition could not be evaluated: " + ev.error());
            }
            succeeded = ev.verdict();
        }
        if (failure.isPresent()) {
            MetricCondition.Evaluation ev = failure.get().evaluate(value);
            if (ev.isError()) {
                return new Judged(Phase.ERROR, "failureCondition could not be evaluated: " + ev.error());
            }
            failed = ev.verdict();
        }
        boolean s = succeeded.orElse(!failed.orElse(false));
        boolean f = failed.orElse(!succeeded.orElse(true));
        if (f) {
            return new Judged(Phase.FAILED, failure.isPresent() && failed.orElse(false)
                    ? "failureCondition '" + failure.get().source() + "' is true"
                    : "successCondition '" + success.map(MetricCondition::source).orElse("") + "' is false");
        }
        if (!s) {
            return new Judged(Phase.INCONCLUSIVE, "neither condition holds");
        }
        return new Judged(Phase.SUCCESSFUL, "");
    }

    /** The metric's phase after these measurement phases; {@code complete} when every measurement is taken. */
    public static Phase metric(MetricSpec metric, List<Phase> phases, boolean complete) {
        int failureLimit = metric.failureLimit().value().orElse(0);
        int inconclusiveLimit = metric.inconclusiveLimit().value().orElse(0);
        int errorLimit = metric.consecutiveErrorLimit().value().orElse(MetricSpec.DEFAULT_CONSECUTIVE_ERROR_LIMIT);
        int successLimit = metric.consecutiveSuccessLimit().value().orElse(0);
        long failed = phases.stream().filter(p -> p == Phase.FAILED).count();
        long inconclusive = phases.stream().filter(p -> p == Phase.INCONCLUSIVE).count();
        long successes = phases.stream().filter(p -> p == Phase.SUCCESSFUL).count();
        long errors = phases.stream().filter(p -> p == Phase.ERROR).count();
        int trailingErrors = trailing(phases, Phase.ERROR);
        int trailingSuccesses = trailing(phases, Phase.SUCCESSFUL);
        if (failureLimit >= 0 && failed > failureLimit) {
            return Phase.FAILED;
        }
        if (inconclusiveLimit >= 0 && inconclusive > inconclusiveLimit) {
            return Phase.INCONCLUSIVE;
        }
        if (errorLimit >= 0 && trailingErrors > errorLimit) {
            return Phase.ERROR;
        }
        if (successLimit > 0 && trailingSuccesses >= successLimit) {
            return Phase.SUCCESSFUL;
        }
        if (!complete) {
            return Phase.RUNNING;
        }
        if (successes == 0) {
            return errors > 0 ? Phase.ERROR : Phase.INCONCLUSIVE;
        }
        return Phase.SUCCESSFUL;
    }

    /** The run's phase from its metrics' phases; dry-run metrics do not count. */
    public static Phase run(List<Phase> metricPhases, List<Boolean> dryRun) {
        Phase worst = Phase.SUCCESSFUL;
        for (int i = 0; i < metricPhases.size(); i++) {
            if (!dryRun.get(i)) {
                worst = Phase.worst(worst, metricPhases.get(i));
            }
        }
        return worst;
    }

    private static int trailing(List<Phase> phases, Phase p) {
        int n = 0;
        for (int i = phases.size() - 1; i >= 0 && phases.get(i) == p; i--) {
            n++;
        }
        return n;
    }
}
