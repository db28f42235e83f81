package dev.stepwise.engine.analysis;

import dev.stepwise.spec.model.MetricSpec;
import java.time.Duration;
import java.util.Map;

/**
 * A metric ready to be measured: its template's {@code {{args.x}}} placeholders resolved for one run, its numbers
 * read, its conditions compiled. {@code problem} is non-empty when it cannot be measured at all (an argument without
 * a value, a condition that does not compile); such a metric is in Error from the moment its run starts.
 *
 * @param interval        null when the metric has none (it measures once, or {@code count} times back to back)
 * @param count           null when it measures until its run is stopped (an interval and no count)
 * @param failureLimit    Argo's; {@code -1} turns the limit off (only consecutiveSuccessLimit then decides)
 * @param minSamples      Stepwise's; 0 when not set
 * @param retention       how many measurements the status keeps for this metric
 */
public record ResolvedMetric(
        MetricSpec spec,
        Map<String, String> args,
        boolean dryRun,
        Duration interval,
        Integer count,
        Duration initialDelay,
        int failureLimit,
        int inconclusiveLimit,
        int consecutiveErrorLimit,
        int consecutiveSuccessLimit,
        int minSamples,
        MetricCondition success,
        MetricCondition failure,
        String problem,
        int retention) {

    public String name() {
        return spec.name();
    }

    /** True when it measures until stopped (no count). */
    public boolean unbounded() {
        return count == null;
    }

    /**
     * How long insufficient data may last before the metric is Inconclusive: the metric's own window
     * ({@code count × interval}) when it has one, else {@link AnalysisRuns#INSUFFICIENT_DATA_INTERVALS} retries.
     */
    public Duration insufficientDataBound() {
        Duration every = retryInterval();
        if (count != null && interval != null) {
            return interval.multipliedBy(Math.max(1, count));
        }
        return every.multipliedBy(AnalysisRuns.INSUFFICIENT_DATA_INTERVALS);
    }

    /** How soon a measurement that did not count (insufficient data) is taken again: the interval, else a minute. */
    public Duration retryInterval() {
        return interval != null && !interval.isZero() ? interval : AnalysisRuns.DEFAULT_RETRY_INTERVAL;
    }
}
