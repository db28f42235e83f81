package dev.stepwise.engine.analysis;

import java.time.Instant;
import java.util.List;

/**
 * Where one metric of a run stands: Argo's counters (every measurement counts, errors included, towards
 * {@code count}), Stepwise's {@code insufficient} counter and the time insufficient data began, and the last few
 * measurements (the status keeps few: see {@link AnalysisRuns#DEFAULT_RETENTION}).
 *
 * @param measured          measurements that count towards {@code count} (all but insufficient-data ones)
 * @param lastMeasuredAt    when the last measurement (of any verdict) was taken; null before the first
 * @param insufficientSince when the current stretch of insufficient-data measurements began; null when none
 */
public record MetricState(
        String name,
        AnalysisPhase phase,
        int measured,
        int successful,
        int failed,
        int inconclusive,
        int errors,
        int consecutiveErrors,
        int consecutiveSuccesses,
        int insufficient,
        Instant lastMeasuredAt,
        Instant insufficientSince,
        String message,
        List<MeasurementRecord> measurements) {

    public MetricState {
        message = message == null ? "" : message;
        measurements = List.copyOf(measurements);
    }

    public static MetricState pending(String name) {
        return new MetricState(name, AnalysisPhase.PENDING, 0, 0, 0, 0, 0, 0, 0, 0, null, null, "", List.of());
    }

    /** The latest measurement, or null before the first. */
    public MeasurementRecord last() {
        return measurements.isEmpty() ? null : measurements.get(measurements.size() - 1);
    }

    MetricState withPhase(AnalysisPhase p, String msg) {
        return new MetricState(name, p, measured, successful, failed, inconclusive, errors, consecutiveErrors,
                consecutiveSuccesses, insufficient, lastMeasuredAt, insufficientSince, msg, measurements);
    }

    /** {@code 3 measured: 2 successful, 1 failed}. */
    public String counters() {
        StringBuilder s = new StringBuilder().append(measured).append(" measured");
        String sep = ": ";
        if (successful > 0) {
            s.append(sep).append(successful).append(" successful");
            sep = ", ";
        }
        if (failed > 0) {
            s.append(sep).append(failed).append(" failed");
            sep = ", ";
        }
        if (inconclusive > 0) {
            s.append(sep).append(inconclusive).append(" inconclusive");
            sep = ", ";
        }
        if (errors > 0) {
            s.append(sep).append(errors).append(" errored");
            sep = ", ";
        }
        if (insufficient > 0) {
            s.append(sep).append(insufficient).append(" with insufficient data");
        }
        return s.toString();
    }
}
