package dev.stepwise.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.engine.Fixtures;
import dev.stepwise.engine.GateAction;
import dev.stepwise.engine.Phase;
import dev.stepwise.spec.SafeYamlReader;
import dev.stepwise.spec.SourceFile;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The virtual-time driver: timelines read with located findings, and runs that always end the same way. */
class SimulatorTest {

    private static TimelineReader.Result read(String yaml) {
        SafeYamlReader.ParsedDocument doc = new SafeYamlReader()
                .read(new SourceFile("t.yaml", yaml.getBytes(StandardCharsets.UTF_8))).documents().get(0);
        return TimelineReader.read(doc.root(), doc.sourceMap());
    }

    @Test
    void readsATimeline() {
        Timeline t = read("""
                metrics:
                  p99-latency:
                    - {at: 9m, error: "connection refused"}
                    - {at: 0s, value: 180, samples: 40}
                  smoke: [{at: 0s, succeeded: false}]
                gates:
                  - {at: 12m, action: promote, by: release-manager@example.com}
                  - {at: 13m, action: skip, step: 4}
                readiness: {delay: 45s}
                until: 2h
                """).timeline().orElseThrow();
        assertThat(t.metrics().get("p99-latency")).extracting(Timeline.Point::at)
                .containsExactly(Duration.ZERO, Duration.ofMinutes(9)); // in time order
        assertThat(t.pointAt("p99-latency", Duration.ofMinutes(8)).orElseThrow().value()).isEqualTo(180L);
        assertThat(t.pointAt("p99-latency", Duration.ofMinutes(9)).orElseThrow().error()).contains("connection refused");
        assertThat(t.pointAt("smoke", Duration.ZERO).orElseThrow().succeeded()).contains(false);
        assertThat(t.gates()).extracting(Timeline.TimedGate::action).containsExactly(GateAction.PROMOTE, GateAction.SKIP);
        assertThat(t.gates().get(1).step()).hasValue(4);
        assertThat(t.readinessDelay()).isEqualTo(Duration.ofSeconds(45));
        assertThat(t.until()).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void reportsEveryProblemWithItsPlace() {
        TimelineReader.Result r = read("""
                metrics:
                  rate:
                    - {at: 0s, value: 1, error: boom}
                    - {at: 1m, samples: -3, value: 2}
                    - 5
                gates: {at: 1m}
                readiness: 20s
                speed: fast
                """);
        assertThat(r.timeline()).isEmpty();
        assertThat(r.findings()).extracting(f -> f.location().line() + ":" + f.message()).containsExactlyInAnyOrder(
                "3:a point has a value or an error, not both",
                "4:samples is a whole number of 0 or more",
                "5:a point is a mapping such as {at: 5m, value: 0.99, samples: 120}",
                "6:gates is a list such as [{at: 12m, action: promote, by: someone}]",
                "7:readiness is a mapping such as {delay: 20s}",
                "8:unknown timeline field 'speed'; expected one of [metrics, gates, readiness, until]");
        assertThat(r.findings()).allMatch(f -> f.code().equals("simulate.timeline") && f.isError());
    }

    @Test
    void theSameInputsAlwaysGiveTheSameRun() {
        Fixtures.Rollout r = Fixtures.rollout(Fixtures.examples("rollouts/checkout-api.yaml", "analysis/success-rate.yaml",
                "analysis/error-rate.yaml"));
        Timeline t = read("""
                metrics:
                  success-rate: [{at: 0s, value: 0.999, samples: 100}]
                  error-rate: [{at: 0s, value: 0.001}, {at: 20m, value: 0.2}]
                """).timeline().orElseThrow();
        SimulationResult a = new Simulator().run(r.spec(), r.templates(), t);
        SimulationResult b = new Simulator().run(r.spec(), r.templates(), t);
        assertThat(a).isEqualTo(b);
        // the error rate jumps at 20m: the background analysis fails at its next measurements and the rollout aborts
        assertThat(a.aborted()).isTrue();
        assertThat(a.phase()).isEqualTo(Phase.DEGRADED);
        assertThat(a.stopReason()).startsWith("aborted: analysis 1.bg (background) failed");
        assertThat(a.events()).filteredOn(e -> e.type().equals("Aborted")).singleElement()
                .satisfies(e -> assertThat(e.at()).isGreaterThanOrEqualTo(Duration.ofMinutes(20)));
    }

    @Test
    void anIndefinitePauseWithoutAGateWaitsForAPerson() {
        Fixtures.Rollout r = Fixtures.rollout(Fixtures.examples("rollouts/auth-service.yaml", "analysis/success-rate.yaml",
                "analysis/latency-p99.yaml"));
        Timeline t = read("""
                metrics:
                  success-rate: [{at: 0s, value: 0.999, samples: 300}]
                  p99-latency: [{at: 0s, value: 0.2}]
                """).timeline().orElseThrow();
        SimulationResult result = new Simulator().run(r.spec(), r.templates(), t);
        assertThat(result.phase()).isEqualTo(Phase.PAUSED);
        assertThat(result.completedSteps()).isEqualTo(4);
        assertThat(result.stopReason()).isEqualTo("waiting for a person: paused until promoted");
        assertThat(result.events()).extracting(SimEvent::type).doesNotContain("Aborted");
    }

    @Test
    void timeRunsOut() {
        Fixtures.Rollout r = Fixtures.rollout(Fixtures.examples("rollouts/checkout-api.yaml", "analysis/success-rate.yaml",
                "analysis/error-rate.yaml"));
        Timeline t = new Timeline(java.util.Map.of("success-rate", List.of(), "error-rate", List.of()), List.of(),
                Duration.ofSeconds(10), Duration.ofMinutes(5));
        SimulationResult result = new Simulator().run(r.spec(), r.templates(), t);
        assertThat(result.stopReason()).startsWith("out of time after 5m");
        assertThat(result.elapsed()).isLessThanOrEqualTo(Duration.ofMinutes(5));
    }
}
