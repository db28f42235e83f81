package dev.stepwise.spec.model;

import java.util.Optional;

/**
 * One metric of an analysis template, with Argo's meanings and defaults: measured every {@code interval},
 * {@code count} times (without count and interval: once; with interval only: until the run is stopped), starting
 * after {@code initialDelay}. A measurement succeeds when {@code successCondition} holds and fails when
 * {@code failureCondition} holds; the metric fails once failures exceed {@code failureLimit} (default 0),
 * is inconclusive past {@code inconclusiveLimit} (0), errors past {@code consecutiveErrorLimit} (4) consecutive errors,
 * and, when {@code consecutiveSuccessLimit} is above 0, succeeds after that many successes in a row. Numbers may be
 * {@code {{args.x}}} placeholders until the run starts ({@link IntParam}, {@link DurationParam}).
 *
 * <p>{@code dryRun} and {@code measurementRetention} come from the template's {@code dryRun[]} and
 * {@code measurementRetention[]} lists. {@code minSamples} is a Stepwise extension: the fewest measurements a
 * success may rest on (a canary that got no traffic proves nothing).
 */
public record MetricSpec(
        String name,
        Optional<DurationParam> interval,
        Optional<IntParam> count,
        Optional<DurationParam> initialDelay,
        Optional<String> successCondition,
        Optional<String> failureCondition,
        IntParam failureLimit,
        IntParam inconclusiveLimit,
        IntParam consecutiveErrorLimit,
        IntParam consecutiveSuccessLimit,
        boolean dryRun,
        Optional<Integer> measurementRetention,
        Optional<Integer> minSamples,
        ProviderSpec provider,
        String pointer) {

    public static final int DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4;

    /**
     * How many measurements the metric takes, by Argo's rule: the count when given; 1 when neither count nor interval
     * is given; empty when only an interval is given (it measures until the run is stopped) or when the count is a
     * placeholder not yet resolved.
     */
    public Optional<Integer> effectiveCount() {
        if (count.isPresent()) {
            Optional<Integer> c = count.get().value();
            return c.filter(n -> n > 0).or(() -> c.isPresent() && interval.isEmpty() ? Optional.of(1) : Optional.empty());
        }
        return interval.isEmpty() ? Optional.of(1) : Optional.empty();
    }

    /** True when the metric has an interval and no count (or count 0): it measures until its run is stopped. */
    public boolean runsUntilStopped() {
        return interval.isPresent() && count.map(c -> c.value().map(n -> n <= 0).orElse(false)).orElse(true);
    }

    /** This metric with argument placeholders resolved where {@code args} knows their value. */
    public MetricSpec resolve(java.util.Map<String, String> args) {
        return new MetricSpec(name, interval.map(i -> i.resolve(args)), count.map(c -> c.resolve(args)),
                initialDelay.map(d -> d.resolve(args)), successCondition.map(s -> Args.substitute(s, args)),
                failureCondition.map(s -> Args.substitute(s, args)), failureLimit.resolve(args),
                inconclusiveLimit.resolve(args), consecutiveErrorLimit.resolve(args), consecutiveSuccessLimit.resolve(args),
                dryRun, measurementRetention, minSamples, provider, pointer);
    }
}
