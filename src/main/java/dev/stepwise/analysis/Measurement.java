package dev.stepwise.analysis;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What one measurement of a metric gave: a value in one of the shapes Argo Rollouts gives {@code result} (a
 * {@code Double}, a {@code List<Double>}, a {@code List<List<Double>>} for range queries, a {@code String}, a
 * {@code Map} for JSON objects and New Relic rows), or an error. Never both: a provider that got an empty answer or
 * NaN reports {@link MeasurementError.Kind#NO_DATA}, so "no data" can never satisfy a condition.
 *
 * @param value          the result, when there is one
 * @param sampleCount    how many samples the value rests on, when the provider can tell (see docs/analysis.md)
 * @param query          the query as sent, arguments substituted and secrets redacted, for the person reading
 * @param startedAt      when the measurement started
 * @param took           how long it took
 * @param error          why there is no value
 * @param providerPhase  the provider's own verdict, for providers that judge (kayenta, job, stepwise-compare); used
 *                       when the metric has no conditions, as Argo does
 * @param evidence       what a person needs to trust the verdict (a Job's log tail, the judge's statistics)
 */
public record Measurement(Optional<Object> value, OptionalLong sampleCount, String query, Instant startedAt,
                          Duration took, Optional<MeasurementError> error, Optional<Phase> providerPhase,
                          Map<String, Object> evidence) {

    public Measurement {
        if (value.isPresent() == error.isPresent()) {
            throw new IllegalArgumentException("a measurement has either a value or an error");
        }
        query = query == null ? "" : query;
        evidence = Collections.unmodifiableMap(new LinkedHashMap<>(evidence));
    }

    public static Measurement ofValue(Object value, OptionalLong sampleCount, String query, Instant startedAt, Duration took) {
        return new Measurement(Optional.of(value), sampleCount, query, startedAt, took, Optional.empty(), Optional.empty(), Map.of());
    }

    public static Measurement ofError(MeasurementError error, String query, Instant startedAt, Duration took) {
        return new Measurement(Optional.empty(), OptionalLong.empty(), query, startedAt, took, Optional.of(error),
                Optional.empty(), Map.of());
    }

    public static Measurement ofError(MeasurementError.Kind kind, String message, String query, Instant startedAt, Duration took) {
        return ofError(MeasurementError.of(kind, message), query, startedAt, took);
    }

    public boolean isError() {
        return error.isPresent();
    }

    public Measurement withProviderPhase(Phase phase) {
        return new Measurement(value, sampleCount, query, startedAt, took, error, Optional.of(phase), evidence);
    }

    public Measurement withEvidence(Map<String, Object> more) {
        Map<String, Object> all = new LinkedHashMap<>(evidence);
        all.putAll(more);
        return new Measurement(value, sampleCount, query, startedAt, took, error, providerPhase, all);
    }

    public Measurement withSampleCount(OptionalLong count) {
        return new Measurement(value, count, query, startedAt, took, error, providerPhase, evidence);
    }

    /** The value, or a short description of the error, for one line of text output. */
    public String describe() {
        return error.map(e -> e.kindLabel() + ": " + e.message()).orElseGet(() -> ValueText.of(value.orElseThrow()));
    }
}
