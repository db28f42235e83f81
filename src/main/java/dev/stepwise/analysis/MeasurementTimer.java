package dev.stepwise.analysis;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;

/**
 * Starts a measurement's clock and builds its result, passing the query and every message through the redactor so
 * no provider can forget to.
 */
public final class MeasurementTimer {
    private final Instant startedAt;
    private final long startNanos;
    private Redactor redactor;
    private String query = "";

    private MeasurementTimer(Clock clock, Redactor redactor) {
        this.startedAt = clock.instant();
        this.startNanos = System.nanoTime();
        this.redactor = redactor;
    }

    public static MeasurementTimer start(Clock clock, Redactor redactor) {
        return new MeasurementTimer(clock, redactor);
    }

    /** Records the query as sent (redacted when results are built). */
    public MeasurementTimer query(String sent) {
        this.query = sent == null ? "" : sent;
        return this;
    }

    /** Credentials resolved for this request: redacted from everything the measurement carries. */
    public MeasurementTimer addSecrets(java.util.Collection<String> secrets) {
        this.redactor = redactor.plus(secrets);
        return this;
    }

    public Redactor redactor() {
        return redactor;
    }

    private Duration took() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    public Measurement value(Object value, OptionalLong sampleCount) {
        return Measurement.ofValue(value, sampleCount, redactor.redact(query), startedAt, took());
    }

    public Measurement error(MeasurementError.Kind kind, String message) {
        return error(MeasurementError.of(kind, message));
    }

    public Measurement error(MeasurementError e) {
        MeasurementError clean = new MeasurementError(e.kind(), redactor.redact(e.message()), e.retryAfter());
        return Measurement.ofError(clean, redactor.redact(query), startedAt, took());
    }
}
