package dev.stepwise.engine.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.engine.Fixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Verdicts, limits and phases of analysis runs, one rule at a time. */
class AnalysisRunsTest {

    private static final Instant T = Instant.parse("2025-03-01T10:00:00Z");

    /** A rollout whose first step is an analysis of {@code metric} (YAML, indented 4), and that run resolved. */
    private static ResolvedRun run(String metric) {
        return run(metric, "");
    }

    private static ResolvedRun run(String metric, String analysisExtra) {
        return run(metric, analysisExtra, "");
    }

    /** {@code templateArgs}: more argument declarations of the template (YAML flow items after svc). */
    private static ResolvedRun run(String metric, String analysisExtra, String templateArgs) {
        Fixtures.Rollout r = Fixtures.rollout(Fixtures.istioCanary("app", 4, "", """
                        - analysis:
                            templates: [{templateName: t}]
                            args: [{name: svc, value: app-canary}]
                %s
                """.formatted(analysisExtra)), Fixtures.template("t", metric) + """
                  args: [{name: svc}%s]
                """.formatted(templateArgs));
        return Fixtures.stepRun(r);
    }

    private static final class Feed {
        final ResolvedRun resolved;
        AnalysisRunState state;
        final List<AnalysisRuns.Taken> taken = new ArrayList<>();

        Feed(ResolvedRun resolved) {
            this.resolved = resolved;
            this.state = AnalysisRuns.start("1.s0", RunKind.STEP, 0, resolved, T);
        }

        /** Feeds {@code values} (Strings starting with "error:" are errors) to metric {@code m}, each when due. */
        Feed values(String m, Object... values) {
            for (Object v : values) {
                MetricState ms = state.metric(m);
                Instant due = AnalysisRuns.nextDue(ms, resolved.metric(m), state.startedAt());
                if (due == null) {
                    break;
                }
                Measurement x = v instanceof String s && s.startsWith("error:")
                        ? Measurement.error(state.id(), m, s.substring(6), due)
                        : v instanceof Measurement given ? given
                        : Measurement.of(state.id(), m, v, due);
                AnalysisRuns.Folded f = AnalysisRuns.fold(state, resolved, List.of(x), due);
                taken.addAll(f.taken());
                state = f.run();
            }
            return this;
        }
    }

    @Test
    void successConditionOnlyFailsWhatDoesNotMeetIt() {
        Feed f = new Feed(run("""
                    - name: rate
                      interval: 1m
                      count: 3
                      successCondition: result[0] >= 0.99
                      provider: {prometheus: {address: http://p, query: q}}
                """)).values("rate", List.of(0.995), List.of(0.98), List.of(0.999));
        assertThat(f.taken).extracting(t -> t.record().verdict()).containsExactly(Verdict.SUCCESSFUL, Verdict.FAILED);
        assertThat(f.taken.get(1).record().note()).isEqualTo("successCondition result[0] >= 0.99 did not hold");
        // one failure > failureLimit 0
        assertThat(f.state.phase()).isEqualTo(AnalysisPhase.FAILED);
        assertThat(f.state.message()).contains("1 failed > failureLimit 0");
        assertThat(f.taken).hasSize(2); // the run stopped at the failure: the third value was never taken
    }

    @Test
    void bothConditionsMakeTheMiddleInconclusive() {
        Feed f = new Feed(run("""
                    - name: rate
                      interval: 1m
                      count: 2
                      inconclusiveLimit: 1
                      successCondition: result >= 99
                      failureCondition: result < 95
                      provider: {prometheus: {address: http://p, query: q}}
                """)).values("rate", 97.0, 97.5);
        assertThat(f.taken).extracting(t -> t.record().verdict()).containsExactly(Verdict.INCONCLUSIVE, Verdict.INCONCLUSIVE);
        assertThat(f.state.phase()).isEqualTo(AnalysisPhase.INCONCLUSIVE);
        assertThat(f.state.message()).contains("2 inconclusive > inconclusiveLimit 1");
    }

    @Test
    void failureConditionOnlyPassesWhatDoesNotMeetIt() {
        Feed f = new Feed(run("""
                    - name: errors
                      interval: 30s
                      count: 2
                      failureCondition: result > 5
                      provider: {prometheus: {address: http://p, query: q}}
                """)).values("errors", 3L, 4L);
        assertThat(f.state.phase()).isEqualTo(AnalysisPhase.SUCCESSFUL);
        assertThat(f.taken.get(0).record().note()).isEqualTo("failureCondition result > 5 did not hold");
        assertThat(f.state.metric("errors").measurements()).extracting(MeasurementRecord::at)
                .containsExactly(T, T.plusSeconds(30));
    }

    @Test
    void consecutiveErrorsAboveTheLimitAreAnError() {
        Feed f = new Feed(run("""
                    - name: rate
                      interval: 1m
                      consecutiveErrorLimit: 2
                      successCondition: result[0] >= 0.99
                      provider: {prometheus: {address: http://p, query: q}}
                """)).values("rate", "error:timeout", "error:timeout", List.of(0.999), "error:a", "error:b", "error:c");
        MetricState m = f.state.metric("rate");
        assertThat(m.errors()).isEqualTo(5);
        assertThat(m.consecutiveErrors()).isEqualTo(3);
        assertThat(f.state.phase()).isEqualTo(AnalysisPhase.ERROR);
        assertThat(f.state.message()).contains("3 consecutive errors > consecutiveErrorLimit 2").contains("error: c");
    }

    @Test
    void consecutiveSuccessLimitSucceedsEarlyOrFailsAtTheCount() {
        String metric = """
                    - name: ready
                      interval: 10s
                      count: 5
                      failureLimit: -1
                      consecutiveSuccessLimit: 2
                      successCondition: result == "ok"
                      provider: {web: {url: http://x}}
                """;
        Feed early = new Feed(run(metric)).values("ready", "no", "ok", "ok");
        assertThat(early.state.phase()).isEqualTo(AnalysisPhase.SUCCESSFUL);
        assertThat(early.state.metric("ready").message()).contains("2 consecutive successes");

        Feed never = new Feed(run(metric)).values("ready", "ok", "no", "ok", "no", "ok");
        assertThat(never.state.phase()).isEqualTo(AnalysisPhase.FAILED);
        assertThat(never.state.message()).contains("count 5 reached without 2 consecutive successes");
    }

    @Test
    void insufficientDataWaitsThenIsInconclusive() {
        Feed f = new Feed(run("""
                    - name: rate
                      interval: 1m
                      count: 3
                      minSamples: 50
                      successCondition: result[0] >= 0.99
                      provider: {prometheus: {address: http://p, query: q}}
                """));
        f.values("rate", Measurement.of("1.s0", "rate", List.of(0.5), 3, T));
        MetricState m = f.state.metric("rate");
        assertThat(f.taken.get(0).record().verdict()).isEqualTo(Verdict.INSUFFICIENT);
        assertThat(f.taken.get(0).record().note()).isEqualTo("3 samples < minSamples 50");
        assertThat(f.taken.get(0).record().samples()).isEqualTo(3);
        assertThat(m.measured()).isZero(); // it does not count towards count 3
        assertThat(f.state.phase()).isEqualTo(AnalysisPhase.RUNNING);
        // retried a minute later; the bound is count × interval = 3m of insufficient data
        assertThat(AnalysisRuns.nextDue(m, f.resolved.metric("rate"), T)).isEqualTo(T.plusSeconds(60));
        assertThat(AnalysisRuns.assess(f.state, f.resolved, T.plusSeconds(179)).phase()).isEqualTo(AnalysisPhase.RUNNING);
        AnalysisRunState late = AnalysisRuns.assess(f.state, f.resolved, T.plusSeconds(180));
        assertThat(late.phase()).isEqualTo(AnalysisPhase.INCONCLUSIVE);
        assertThat(late.message()).contains("insufficient data for 3m (minSamples 50)").contains("samples 3");
    }

    @Test
    void aMeasurementWithoutASampleCountIsInsufficientWhenMinSamplesIsSet() {
        Feed f = new Feed(run("""
                    - name: rate
                      minSamples: 10
                      successCondition: result >= 1
                      provider: {prometheus: {address: http://p, query: q}}
                """)).values("rate", 5L);
        assertThat(f.taken.get(0).record().verdict()).isEqualTo(Verdict.INSUFFICIENT);
        assertThat(f.taken.get(0).record().note()).isEqualTo("no sample count < minSamples 10");
    }

    @Test
    void sampleCountsAreRecordedWithEveryVerdict() {
        Feed f = new Feed(run("""
                    - name: rate
                      interval: 1m
                      count: 2
                      minSamples: 10
                      successCondition: result[0] >= 0.99
                      provider: {prometheus: {address: http://p, query: q}}
                """));
        f.values("rate", Measurement.of("1.s0", "rate", List.of(0.995), 120, T));
        f.values("rate", Measurement.of("1.s0", "rate", List.of(0.996), 140, T.plusSeconds(60)));
        assertThat(f.state.metric("rate").measurements()).extracting(MeasurementRecord::samples).containsExactly(120L, 140L);
        assertThat(f.state.metric("rate").measurements()).extracting(MeasurementRecord::describe)
                .containsExactly("[0.995] (samples 120)", "[0.996] (samples 140)");
        assertThat(f.state.phase()).isEqualTo(AnalysisPhase.SUCCESSFUL);
    }

    @Test
    void dryRunMetricsAreMeasuredButNeverDecide() {
        ResolvedRun resolved = run("""
                    - name: rate
                      interval: 1m
                      count: 2
                      successCondition: result[0] >= 0.99
                      provider: {prometheus: {address: http://p, query: q}}
                    - name: latency
                      interval: 1m
                      count: 2
                      successCondition: result[0] < 500
                      provider: {prometheus: {address: http://p, query: q}}
                """, "            dryRun: [{metricName: lat.*}]");
        assertThat(resolved.metric("latency").dryRun()).isTrue();
        assertThat(resolved.metric("rate").dryRun()).isFalse();
        Feed f = new Feed(resolved).values("latency", List.of(900.0), List.of(950.0)).values("rate", List.of(0.999), List.of(0.999));
        assertThat(f.state.metric("latency").phase()).isEqualTo(AnalysisPhase.FAILED);
        assertThat(f.taken.stream().filter(AnalysisRuns.Taken::dryRun)).hasSize(1); // it failed at the first
        assertThat(f.state.phase()).isEqualTo(AnalysisPhase.SUCCESSFUL);
    }

    @Test
    void measurementRetentionKeepsTheNewest() {
        Feed f = new Feed(run("""
                    - name: rate
                      interval: 1m
                      count: 6
                      successCondition: result[0] >= 0.99
                      provider: {prometheus: {address: http://p, query: q}}
                """)).values("rate", List.of(0.991), List.of(0.992), List.of(0.993), List.of(0.994), List.of(0.995));
        assertThat(f.state.metric("rate").measurements()).extracting(MeasurementRecord::value)
                .containsExactly("[0.993]", "[0.994]", "[0.995]");
        assertThat(f.state.metric("rate").measured()).isEqualTo(5);
    }

    @Test
    void aMeasurementCountsOnceAndNeverBeforeItIsDue() {
        ResolvedRun resolved = run("""
                    - name: rate
                      interval: 1m
                      count: 3
                      successCondition: result[0] >= 0.99
                      provider: {prometheus: {address: http://p, query: q}}
                """);
        AnalysisRunState s = AnalysisRuns.start("1.s0", RunKind.STEP, 0, resolved, T);
        Measurement first = Measurement.of("1.s0", "rate", List.of(0.999), T);
        s = AnalysisRuns.fold(s, resolved, List.of(first), T).run();
        // handed again: nothing changes
        AnalysisRuns.Folded again = AnalysisRuns.fold(s, resolved, List.of(first), T.plusSeconds(5));
        assertThat(again.taken()).isEmpty();
        assertThat(again.run()).isSameAs(s);
        // taken early (30s after the first, the interval is 1m): ignored
        Measurement early = Measurement.of("1.s0", "rate", List.of(0.5), T.plusSeconds(30));
        assertThat(AnalysisRuns.fold(s, resolved, List.of(early), T.plusSeconds(30)).taken()).isEmpty();
        // for another run, or from the future: ignored
        Measurement other = Measurement.of("2.s0", "rate", List.of(0.5), T.plusSeconds(60));
        Measurement future = Measurement.of("1.s0", "rate", List.of(0.5), T.plusSeconds(90));
        assertThat(AnalysisRuns.fold(s, resolved, List.of(other, future), T.plusSeconds(60)).taken()).isEmpty();
    }

    @Test
    void argumentsAreResolvedIntoConditionsAndNumbers() {
        ResolvedRun resolved = run("""
                    - name: rate
                      interval: "{{args.every}}"
                      count: "{{args.times}}"
                      successCondition: result[0] >= {{args.floor}}
                      provider: {prometheus: {address: http://p, query: "rate{service='{{args.svc}}'}"}}
                """, "", ", {name: every, value: 30s}, {name: times, value: '4'}, {name: floor, value: '0.97'}");
        ResolvedMetric m = resolved.metric("rate");
        assertThat(resolved.problem()).isEmpty();
        assertThat(m.problem()).isEmpty();
        assertThat(m.interval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(m.count()).isEqualTo(4);
        assertThat(m.success().source()).isEqualTo("result[0] >= 0.97");
        assertThat(m.args()).containsEntry("svc", "app-canary").containsEntry("floor", "0.97");
    }

    @Test
    void aRunThatCannotStartIsAnErrorAtOnce() {
        Fixtures.Rollout r = Fixtures.rollout(Fixtures.istioCanary("app", 4, "", """
                        - analysis:
                            templates: [{templateName: missing}]
                """));
        AnalysisRunState s = AnalysisRuns.start("1.s0", RunKind.STEP, 0, Fixtures.stepRun(r), T);
        assertThat(s.phase()).isEqualTo(AnalysisPhase.ERROR);
        assertThat(s.message()).isEqualTo("cannot start: AnalysisTemplate 'missing' not found");

        ResolvedRun unset = run("""
                    - name: rate
                      successCondition: result >= {{args.floor}}
                      provider: {prometheus: {address: http://p, query: q}}
                """, "", ", {name: floor}");
        assertThat(unset.problem()).isEqualTo("argument floor of t has no value: the rollout must pass it");

        ResolvedRun broken = run("""
                    - name: rate
                      successCondition: result >=
                      provider: {prometheus: {address: http://p, query: q}}
                """);
        AnalysisRunState b = AnalysisRuns.start("1.s0", RunKind.STEP, 0, broken, T);
        assertThat(b.phase()).isEqualTo(AnalysisPhase.ERROR);
        assertThat(b.message()).contains("successCondition 'result >=' does not compile");
    }

    @Test
    void stoppingARunThatProvedNothingIsNotASuccess() {
        ResolvedRun resolved = run("""
                    - name: rate
                      interval: 1m
                      successCondition: result[0] >= 0.99
                      provider: {prometheus: {address: http://p, query: q}}
                """);
        AnalysisRunState s = AnalysisRuns.start("1.bg", RunKind.BACKGROUND, 0, resolved, T);
        assertThat(AnalysisRuns.stop(s, resolved, "rollout completed", T.plusSeconds(5)).phase()).isEqualTo(AnalysisPhase.INCONCLUSIVE);
        s = AnalysisRuns.fold(s, resolved, List.of(Measurement.of("1.bg", "rate", List.of(0.999), T)), T).run();
        AnalysisRunState stopped = AnalysisRuns.stop(s, resolved, "rollout completed", T.plusSeconds(5));
        assertThat(stopped.phase()).isEqualTo(AnalysisPhase.SUCCESSFUL);
        assertThat(stopped.message()).isEqualTo("stopped: rollout completed");
        assertThat(stopped.finishedAt()).isEqualTo(T.plusSeconds(5));
    }

    @Test
    void valuesAreRenderedShortly() {
        assertThat(AnalysisRuns.render(180.0)).isEqualTo("180");
        assertThat(AnalysisRuns.render(0.25)).isEqualTo("0.25");
        assertThat(AnalysisRuns.render(List.of(0.99, 2L))).isEqualTo("[0.99, 2]");
        assertThat(AnalysisRuns.render(Map.of("a", 1L))).isEqualTo("{a: 1}");
        assertThat(AnalysisRuns.render("x".repeat(100))).hasSize(MeasurementRecord.MAX_VALUE_LENGTH).endsWith("…");
    }
}
