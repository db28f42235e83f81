package dev.stepwise.engine.analysis;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One measurement a provider took for a run's metric, handed back to the engine as an observation.
 *
 * @param value      what the provider returned (a number, a list of numbers, a string, a map), evaluated by the
 *                   metric's conditions as {@code result}; null with an error
 * @param samples    how many samples (requests, data points) the value rests on, when the provider knows
 * @param error      why the provider could not measure (the measurement is then an Error, never a success)
 * @param succeeded  the provider's own conclusion, for providers that reach one (a Job's exit status, a webhook's HTTP
 *                   status): {@code false} fails the measurement whatever its conditions say
 */
public record Measurement(String runId, String metric, Object value, OptionalLong samples, Instant measuredAt,
                          Optional<String> error, Optional<Boolean> succeeded) {

    public Measurement {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(measuredAt, "measuredAt");
        samples = samples == null ? OptionalLong.empty() : samples;
        error = error == null ? Optional.empty() : error;
        succeeded = succeeded == null ? Optional.empty() : succeeded;
    }

    public static Measurement of(String runId, String metric, Object value, Instant at) {
        return new Measurement(runId, metric, value, OptionalLong.empty(), at, Optional.empty(), Optional.empty());
    }

    public static Measurement of(String runId, String metric, Object value, long samples, Instant at) {
        return new Measurement(runId, metric, value, OptionalLong.of(samples), at, Optional.empty(), Optional.empty());
    }

    public static Measurement error(String runId, String metric, String message, Instant at) {
        return new Measurement(runId, metric, null, OptionalLong.empty(), at, Optional.of(message), Optional.empty());
    }

    /** A provider that concludes by itself (a Job, a webhook): {@code value} is kept for the record. */
    public static Measurement concluded(String runId, String metric, boolean succeeded, Object value, Instant at) {
        return new Measurement(runId, metric, value, OptionalLong.empty(), at, Optional.empty(), Optional.of(succeeded));
    }
}
