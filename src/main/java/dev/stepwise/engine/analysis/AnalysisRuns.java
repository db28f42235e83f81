package dev.stepwise.engine.analysis;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The life of an analysis run: started, fed measurements, assessed, stopped. Pure functions over
 * {@link AnalysisRunState}; the rollout engine decides what a run's phase means for the rollout.
 *
 * <h2>Verdicts</h2>
 * A measurement is judged in this order: an error is an Error; a provider that concluded failure (a Job that failed) is
 * Failed whatever the conditions say; fewer samples than {@code minSamples} (or no sample count when minSamples is set)
 * is insufficient data; otherwise Argo's rule applies: with only a successCondition, not meeting it fails; with only a
 * failureCondition, not meeting it succeeds; with both, meeting neither is Inconclusive; with neither, the measurement
 * succeeds. A condition that cannot be evaluated on the value is an Error.
 *
 * <h2>Metric phases</h2>
 * Checked in this order: failures above {@code failureLimit} fail the metric; consecutive errors above
 * {@code consecutiveErrorLimit} are an Error; inconclusive measurements above {@code inconclusiveLimit} are
 * Inconclusive; {@code consecutiveSuccessLimit} successes in a row succeed; insufficient data lasting longer than the
 * metric's window is Inconclusive; once {@code count} measurements are taken the metric is Successful, <em>unless
 * none of them succeeded</em> (then Failed, or Error when they all errored, or Inconclusive): Argo reports Successful
 * there (argo-rollouts #4479, #521), Stepwise never does.
 *
 * <h2>Run phases</h2>
 * Any deciding metric Failed fails the run, then Error, then (for Flagger) {@code threshold} failed checks across its
 * metrics, then Inconclusive; the run is Successful when every deciding metric is. Dry-run metrics are measured and
 * recorded but never decide.
 */
public final class AnalysisRuns {

    /** Measurements a status keeps per metric unless the template's measurementRetention says otherwise. */
    public static final int DEFAULT_RETENTION = 3;
    /** For metrics without a window (no count, or no interval), how many retries insufficient data may last. */
    public static final int INSUFFICIENT_DATA_INTERVALS = 10;
    /** How soon a metric without an interval is measured again after insufficient data. */
    public static final Duration DEFAULT_RETRY_INTERVAL = Duration.ofMinutes(1);

    private AnalysisRuns() {
    }

    /** A measurement that was taken into a run, for the decision's events. */
    public record Taken(String runId, String metric, MeasurementRecord record, boolean dryRun, MetricState after) {
    }

    /** A run after new measurements, and what was taken. */
    public record Folded(AnalysisRunState run, List<Taken> taken) {
    }

    /** A new run; a run that cannot start, or has no metrics, is already completed. */
    public static AnalysisRunState start(String id, RunKind kind, int step, ResolvedRun resolved, Instant now) {
        List<MetricState> metrics = new ArrayList<>(resolved.metrics().size());
        for (ResolvedMetric m : resolved.metrics()) {
            metrics.add(MetricState.pending(m.name()));
        }
        AnalysisRunState run = new AnalysisRunState(id, kind, step, now, AnalysisPhase.PENDING, null, false, "", metrics);
        return assess(run, resolved, now);
    }

    /**
     * Takes the measurements meant for this run into it, each at most once: a measurement counts only when it is for
     * this run's id, was taken after the metric's previous one, no earlier than it was due, and no later than
     * {@code now}. So handing the engine the same measurements again changes nothing.
     */
    public static Folded fold(AnalysisRunState run, ResolvedRun resolved, List<Measurement> measurements, Instant now) {
        if (!run.isRunning() || measurements.isEmpty()) {
            return new Folded(run, List.of());
        }
        List<Measurement> mine = null;
        for (Measurement m : measurements) {
            if (m.runId().equals(run.id()) && !m.measuredAt().isAfter(now) && !m.measuredAt().isBefore(run.startedAt())) {
                if (mine == null) {
                    mine = new ArrayList<>();
                }
                mine.add(m);
            }
        }
        if (mine == null) {
            return new Folded(run, List.of());
        }
        mine.sort(Comparator.comparing(Measurement::measuredAt).thenComparing(Measurement::metric));
        List<MetricState> metrics = new ArrayList<>(run.metrics());
        List<Taken> taken = new ArrayList<>();
        for (int i = 0; i < metrics.size(); i++) {
            MetricState state = metrics.get(i);
            ResolvedMetric rm = resolved.metric(state.name());
            if (rm == null) {
                continue;
            }
            for (Measurement m : mine) {
                if (!m.metric().equals(state.name())) {
                    continue;
                }
                Instant due = nextDue(state, rm, run.startedAt());
                if (due == null) {
                    break;
                }
                if (m.measuredAt().isBefore(due) || (state.lastMeasuredAt() != null && !m.measuredAt().isAfter(state.lastMeasuredAt()))) {
                    continue; // taken too early, or already counted
                }
                MeasurementRecord record = judge(rm, m);
                state = assessMetric(record(state, rm, record), rm, m.measuredAt());
                taken.add(new Taken(run.id(), state.name(), record, rm.dryRun(), state));
            }
            metrics.set(i, state);
        }
        if (taken.isEmpty()) {
            return new Folded(run, List.of());
        }
        AnalysisRunState updated = new AnalysisRunState(run.id(), run.kind(), run.step(), run.startedAt(), run.phase(),
                null, run.accepted(), run.message(), metrics);
        return new Folded(assess(updated, resolved, now), taken);
    }

    /** Re-assesses a running run at {@code now} (time alone can change it: insufficient data runs out). */
    public static AnalysisRunState assess(AnalysisRunState run, ResolvedRun resolved, Instant now) {
        if (!run.isRunning()) {
            return run;
        }
        if (!resolved.problem().isEmpty()) {
            return finish(run, run.metrics(), AnalysisPhase.ERROR, "cannot start: " + resolved.problem(), now);
        }
        List<MetricState> metrics = run.metrics();
        List<MetricState> assessed = null;
        for (int i = 0; i < metrics.size(); i++) {
            MetricState m = metrics.get(i);
            ResolvedMetric rm = resolved.metric(m.name());
            MetricState a = rm == null ? m : assessMetric(m, rm, now);
            if (a != m) {
                if (assessed == null) {
                    assessed = new ArrayList<>(metrics);
                }
                assessed.set(i, a);
            }
        }
        if (assessed != null) {
            metrics = assessed;
        }

        MetricState failed = null;
        MetricState errored = null;
        MetricState inconclusive = null;
        boolean allDeciding = true;
        boolean allDryDone = true;
        boolean anyDeciding = false;
        boolean anyStarted = false;
        int failedChecks = 0;
        for (MetricState m : metrics) {
            ResolvedMetric rm = resolved.metric(m.name());
            boolean dry = rm != null && rm.dryRun();
            anyStarted |= m.phase() != AnalysisPhase.PENDING;
            if (dry) {
                allDryDone &= m.phase().isCompleted() || (rm != null && rm.unbounded());
                continue;
            }
            anyDeciding = true;
            failedChecks += m.failed() + m.errors();
            switch (m.phase()) {
                case FAILED -> failed = failed == null ? m : failed;
                case ERROR -> errored = errored == null ? m : errored;
                case INCONCLUSIVE -> inconclusive = inconclusive == null ? m : inconclusive;
                default -> {
                }
            }
            allDeciding &= m.phase() == AnalysisPhase.SUCCESSFUL;
        }
        if (failed != null) {
            return finish(run, metrics, AnalysisPhase.FAILED, "metric " + failed.name() + " failed: " + failed.message(), now);
        }
        if (errored != null) {
            return finish(run, metrics, AnalysisPhase.ERROR, "metric " + errored.name() + " errored: " + errored.message(), now);
        }
        if (resolved.flaggerThreshold() > 0 && failedChecks >= resolved.flaggerThreshold()) {
            return finish(run, metrics, AnalysisPhase.FAILED, failedChecks + " failed checks reached the Canary's threshold "
                    + resolved.flaggerThreshold(), now);
        }
        if (inconclusive != null) {
            return finish(run, metrics, AnalysisPhase.INCONCLUSIVE, "metric " + inconclusive.name() + " is inconclusive: "
                    + inconclusive.message(), now);
        }
        if (!anyDeciding && metrics.isEmpty()) {
            return finish(run, metrics, AnalysisPhase.SUCCESSFUL, "no metrics to measure", now);
        }
        if (anyDeciding ? allDeciding : allDryDone) {
            return finish(run, metrics, AnalysisPhase.SUCCESSFUL, anyDeciding ? "every metric succeeded"
                    : "dry-run metrics only: recorded, never decide", now);
        }
        AnalysisPhase phase = anyStarted ? AnalysisPhase.RUNNING : AnalysisPhase.PENDING;
        if (phase == run.phase() && metrics == run.metrics()) {
            return run;
        }
        return new AnalysisRunState(run.id(), run.kind(), run.step(), run.startedAt(), phase, null, run.accepted(), "", metrics);
    }

    /**
     * Stops a run that is still going (its step was skipped, the rollout completed or was aborted). A stopped run is
     * Successful only if every deciding metric had a successful measurement and none had failed; otherwise it is
     * Inconclusive. Stopped runs no longer decide anything; the phase is for the record.
     */
    public static AnalysisRunState stop(AnalysisRunState run, ResolvedRun resolved, String reason, Instant now) {
        if (!run.isRunning()) {
            return run;
        }
        boolean proven = true;
        for (MetricState m : run.metrics()) {
            ResolvedMetric rm = resolved.metric(m.name());
            if (rm != null && rm.dryRun()) {
                continue;
            }
            proven &= m.successful() > 0 && m.phase() != AnalysisPhase.FAILED && m.phase() != AnalysisPhase.ERROR;
        }
        AnalysisPhase phase = proven ? AnalysisPhase.SUCCESSFUL : AnalysisPhase.INCONCLUSIVE;
        return finish(run, run.metrics(), phase, "stopped: " + reason, now);
    }

    /** When {@code metric} should next be measured, or null when it takes no more measurements. */
    public static Instant nextDue(MetricState state, ResolvedMetric rm, Instant runStart) {
        if (state.phase().isCompleted() || !rm.problem().isEmpty()) {
            return null;
        }
        if (rm.count() != null && state.measured() >= rm.count()) {
            return null;
        }
        Instant last = state.lastMeasuredAt();
        if (last == null) {
            return runStart.plus(rm.initialDelay());
        }
        MeasurementRecord r = state.last();
        if (r != null && r.verdict() == Verdict.INSUFFICIENT) {
            return last.plus(rm.retryInterval());
        }
        return rm.interval() == null ? last : last.plus(rm.interval());
    }

    /** The earliest time any metric of a running run is due, or null. */
    public static Instant nextDue(AnalysisRunState run, ResolvedRun resolved) {
        if (!run.isRunning()) {
            return null;
        }
        Instant earliest = null;
        for (MetricState m : run.metrics()) {
            ResolvedMetric rm = resolved.metric(m.name());
            Instant due = rm == null ? null : nextDue(m, rm, run.startedAt());
            if (due != null && (earliest == null || due.isBefore(earliest))) {
                earliest = due;
            }
            if (rm != null && m.insufficientSince() != null && !m.phase().isCompleted()) {
                Instant bound = m.insufficientSince().plus(rm.insufficientDataBound());
                if (earliest == null || bound.isBefore(earliest)) {
                    earliest = bound;
                }
            }
        }
        return earliest;
    }

    /** The verdict on one measurement (see the class comment for the order of the rules). */
    static MeasurementRecord judge(ResolvedMetric rm, Measurement m) {
        long samples = m.samples().isPresent() ? m.samples().getAsLong() : -1;
        String value = render(m.value());
        if (m.error().isPresent()) {
            return new MeasurementRecord(m.measuredAt(), Verdict.ERROR, value, samples, shorten(m.error().get()));
        }
        if (m.succeeded().isPresent() && !m.succeeded().get()) {
            return new MeasurementRecord(m.measuredAt(), Verdict.FAILED, value, samples, "the provider reported failure");
        }
        if (rm.minSamples() > 0 && (samples < 0 || samples < rm.minSamples())) {
            return new MeasurementRecord(m.measuredAt(), Verdict.INSUFFICIENT, value, samples,
                    (samples < 0 ? "no sample count" : samples + " samples") + " < minSamples " + rm.minSamples());
        }
        MetricCondition success = rm.success();
        MetricCondition failure = rm.failure();
        if (success == null && failure == null) {
            return new MeasurementRecord(m.measuredAt(), Verdict.SUCCESSFUL, value, samples, "no condition: measured");
        }
        Boolean ok = null;
        Boolean bad = null;
        if (success != null) {
            MetricCondition.Evaluation e = success.evaluate(m.value());
            if (e.isError()) {
                return new MeasurementRecord(m.measuredAt(), Verdict.ERROR, value, samples,
                        "successCondition '" + success.source() + "' could not be evaluated: " + shorten(e.error()));
            }
            ok = e.verdict().get();
        }
        if (failure != null) {
            MetricCondition.Evaluation e = failure.evaluate(m.value());
            if (e.isError()) {
                return new MeasurementRecord(m.measuredAt(), Verdict.ERROR, value, samples,
                        "failureCondition '" + failure.source() + "' could not be evaluated: " + shorten(e.error()));
            }
            bad = e.verdict().get();
        }
        boolean failureHeld = bad != null && bad;
        if (ok == null) {
            ok = !bad; // only a failure condition: not failing is success
        }
        if (bad == null) {
            bad = !ok; // only a success condition: not succeeding is failure
        }
        if (bad) {
            String why = failureHeld ? "failureCondition " + failure.source() + " held"
                    : "successCondition " + success.source() + " did not hold";
            return new MeasurementRecord(m.measuredAt(), Verdict.FAILED, value, samples, why);
        }
        if (!ok) {
            return new MeasurementRecord(m.measuredAt(), Verdict.INCONCLUSIVE, value, samples,
                    "neither successCondition " + success.source() + " nor failureCondition " + failure.source() + " held");
        }
        return new MeasurementRecord(m.measuredAt(), Verdict.SUCCESSFUL, value, samples,
                success != null ? "successCondition " + success.source() + " held"
                        : "failureCondition " + failure.source() + " did not hold");
    }

    private static MetricState record(MetricState s, ResolvedMetric rm, MeasurementRecord r) {
        int measured = s.measured();
        int successful = s.successful();
        int failed = s.failed();
        int inconclusive = s.inconclusive();
        int errors = s.errors();
        int ce = s.consecutiveErrors();
        int cs = s.consecutiveSuccesses();
        int insufficient = s.insufficient();
        Instant insufficientSince = s.insufficientSince();
        switch (r.verdict()) {
            case SUCCESSFUL -> {
                measured++;
                successful++;
                cs++;
                ce = 0;
                insufficientSince = null;
            }
            case FAILED -> {
                measured++;
                failed++;
                cs = 0;
                ce = 0;
                insufficientSince = null;
            }
            case INCONCLUSIVE -> {
                measured++;
                inconclusive++;
                cs = 0;
                ce = 0;
                insufficientSince = null;
            }
            case ERROR -> {
                measured++;
                errors++;
                ce++;
                cs = 0;
            }
            case INSUFFICIENT -> {
                insufficient++;
                if (insufficientSince == null) {
                    insufficientSince = r.at();
                }
            }
        }
        List<MeasurementRecord> kept = new ArrayList<>(Math.min(rm.retention(), s.measurements().size() + 1));
        int from = Math.max(0, s.measurements().size() + 1 - rm.retention());
        for (int i = from; i < s.measurements().size(); i++) {
            kept.add(s.measurements().get(i));
        }
        kept.add(r);
        AnalysisPhase phase = s.phase() == AnalysisPhase.PENDING ? AnalysisPhase.RUNNING : s.phase();
        return new MetricState(s.name(), phase, measured, successful, failed, inconclusive, errors, ce, cs, insufficient,
                r.at(), insufficientSince, s.message(), kept);
    }

    /** The metric's phase from its counters (see the class comment for the order). Completed phases stick. */
    static MetricState assessMetric(MetricState s, ResolvedMetric rm, Instant now) {
        if (s.phase().isCompleted()) {
            return s;
        }
        if (!rm.problem().isEmpty()) {
            return s.withPhase(AnalysisPhase.ERROR, "cannot be measured: " + rm.problem());
        }
        if (rm.failureLimit() >= 0 && s.failed() > rm.failureLimit()) {
            return s.withPhase(AnalysisPhase.FAILED, s.failed() + " failed > failureLimit " + rm.failureLimit()
                    + lastEvidence(s));
        }
        if (s.consecutiveErrors() > rm.consecutiveErrorLimit()) {
            return s.withPhase(AnalysisPhase.ERROR, s.consecutiveErrors() + " consecutive errors > consecutiveErrorLimit "
                    + rm.consecutiveErrorLimit() + lastEvidence(s));
        }
        if (s.inconclusive() > rm.inconclusiveLimit()) {
            return s.withPhase(AnalysisPhase.INCONCLUSIVE, s.inconclusive() + " inconclusive > inconclusiveLimit "
                    + rm.inconclusiveLimit() + lastEvidence(s));
        }
        if (rm.consecutiveSuccessLimit() > 0 && s.consecutiveSuccesses() >= rm.consecutiveSuccessLimit()) {
            return s.withPhase(AnalysisPhase.SUCCESSFUL, s.consecutiveSuccesses()
                    + " consecutive successes reached consecutiveSuccessLimit " + rm.consecutiveSuccessLimit());
        }
        if (s.insufficientSince() != null && !now.isBefore(s.insufficientSince().plus(rm.insufficientDataBound()))) {
            return s.withPhase(AnalysisPhase.INCONCLUSIVE, "insufficient data for "
                    + dev.stepwise.spec.model.ArgoDuration.format(rm.insufficientDataBound()) + " (minSamples "
                    + rm.minSamples() + ")" + lastEvidence(s));
        }
        if (rm.count() != null && s.measured() >= rm.count()) {
            if (rm.consecutiveSuccessLimit() > 0) {
                return s.withPhase(AnalysisPhase.FAILED, "count " + rm.count() + " reached without "
                        + rm.consecutiveSuccessLimit() + " consecutive successes (" + s.counters() + ")");
            }
            if (s.successful() == 0) {
                AnalysisPhase p = s.failed() > 0 ? AnalysisPhase.FAILED
                        : s.errors() > 0 ? AnalysisPhase.ERROR : AnalysisPhase.INCONCLUSIVE;
                return s.withPhase(p, "none of " + s.measured() + " measurements succeeded (" + s.counters() + ")"
                        + lastEvidence(s));
            }
            return s.withPhase(AnalysisPhase.SUCCESSFUL, s.counters());
        }
        AnalysisPhase p = s.measured() == 0 && s.insufficient() == 0 ? AnalysisPhase.PENDING : AnalysisPhase.RUNNING;
        return p == s.phase() ? s : s.withPhase(p, s.message());
    }

    private static String lastEvidence(MetricState s) {
        MeasurementRecord r = s.last();
        return r == null ? "" : "; last: " + r.describe() + " at " + r.at();
    }

    private static AnalysisRunState finish(AnalysisRunState run, List<MetricState> metrics, AnalysisPhase phase,
                                           String message, Instant now) {
        return new AnalysisRunState(run.id(), run.kind(), run.step(), run.startedAt(), phase, now, run.accepted(),
                message, metrics);
    }

    /** A value as the status records it: numbers plainly, lists and maps in brackets, cut to a readable length. */
    public static String render(Object value) {
        if (value == null) {
            return "";
        }
        String s;
        if (value instanceof Double d) {
            s = d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf(d.longValue()) : String.valueOf(d);
        } else if (value instanceof Float f) {
            s = render(f.doubleValue());
        } else if (value instanceof List<?> list) {
            StringBuilder b = new StringBuilder("[");
            for (Object o : list) {
                if (b.length() > 1) {
                    b.append(", ");
                }
                b.append(render(o));
                if (b.length() > MeasurementRecord.MAX_VALUE_LENGTH) {
                    break;
                }
            }
            s = b.append(']').toString();
        } else if (value instanceof Map<?, ?> map) {
            StringBuilder b = new StringBuilder("{");
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (b.length() > 1) {
                    b.append(", ");
                }
                b.append(e.getKey()).append(": ").append(render(e.getValue()));
                if (b.length() > MeasurementRecord.MAX_VALUE_LENGTH) {
                    break;
                }
            }
            s = b.append('}').toString();
        } else {
            s = String.valueOf(value);
        }
        return shorten(s);
    }

    private static String shorten(String s) {
        if (s == null) {
            return "";
        }
        String oneLine = s.indexOf('\n') >= 0 ? s.replace('\n', ' ') : s;
        return oneLine.length() <= MeasurementRecord.MAX_VALUE_LENGTH ? oneLine
                : oneLine.substring(0, MeasurementRecord.MAX_VALUE_LENGTH - 1) + "…";
    }
}
