package dev.stepwise.engine.analysis;

import java.time.Instant;
import java.util.List;

/**
 * One analysis run of a rollout, as its status keeps it.
 *
 * @param id         unique within the rollout: {@code <attempt>.<where>} such as {@code 2.s3} (attempt 2, step 3),
 *                   {@code 2.bg}, {@code 2.pre}, {@code 2.post}, {@code 2.s4.x.<analysis name>}. A new attempt (retry,
 *                   new revision) gets new ids, so measurements of an older run can never count for a newer one
 * @param step       the step it belongs to (background runs: the step it started at; blue-green: -1)
 * @param finishedAt when it reached a completed phase or was stopped; null while it runs
 * @param accepted   a person promoted past it while it was Inconclusive (or after it failed past an irreversible
 *                   step): its phase stays as measured, but it no longer holds the rollout
 * @param message    why it is in its phase (which metric, which limit)
 */
public record AnalysisRunState(
        String id,
        RunKind kind,
        int step,
        Instant startedAt,
        AnalysisPhase phase,
        Instant finishedAt,
        boolean accepted,
        String message,
        List<MetricState> metrics) {

    public AnalysisRunState {
        message = message == null ? "" : message;
        metrics = List.copyOf(metrics);
    }

    public boolean isRunning() {
        return finishedAt == null;
    }

    public MetricState metric(String name) {
        for (MetricState m : metrics) {
            if (m.name().equals(name)) {
                return m;
            }
        }
        return null;
    }

    public AnalysisRunState withAccepted() {
        return new AnalysisRunState(id, kind, step, startedAt, phase, finishedAt, true, message, metrics);
    }

    /** {@code analysis 1.s2 (step): Successful}. */
    public String describe() {
        return "analysis " + id + " (" + kind.label() + "): " + phase.label();
    }
}
