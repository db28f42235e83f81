package dev.stepwise.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.cli.BenchRunCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The run benchmark at tiny sizes, against the real lighttpd + git http-backend and the embedded API server: the
 * figures have the shape the report prints, and values that can only come from a loop that did its work.
 */
class RunBenchmarkIT {

    @Test
    void tinyRunMeasuresEveryPushAndCarriesEveryRolloutOnTheRealServerAndTheStandIn() throws Exception {
        StringWriter log = new StringWriter();
        RunBenchmark.Figures f = RunBenchmark.run(new RunBenchmark.Options(2, 50, 20, 10), new PrintWriter(log, true));
        System.out.println(log);
        List<String> report = RunBenchmark.describe(f);
        report.forEach(System.out::println);

        RunBenchmark.PushFigures p = f.push();
        assertThat(p.problems()).as("problems reported by the loop's cycles").isEmpty();
        for (RunBenchmark.Latency l : List.of(p.webhookFromStart(), p.webhookAfterPush(), p.webhookToChange(),
                p.pollingFromStart(), p.pollingAfterPush())) {
            assertThat(l.samples()).isEqualTo(2);
            assertThat(l.p50()).isPositive().isLessThanOrEqualTo(l.p90()).isLessThanOrEqualTo(l.max()).isLessThan(30_000);
        }
        assertThat(p.lsRemote().samples()).as("one ls-remote after each counted push, both ways").isEqualTo(4);
        assertThat(p.lsRemote().p50()).isPositive();
        // the change comes after the push: from its start is at least the push itself, and at least from its return
        assertThat(p.webhookFromStart().max()).isGreaterThanOrEqualTo(p.webhookAfterPush().max());
        assertThat(p.webhookFromStart().p50()).isGreaterThanOrEqualTo(p.gitPush().p50() * 0.5);
        assertThat(p.watchLag().max()).as("the watch sees what the API server answered").isLessThan(5_000);

        assertThat(f.scale()).hasSize(2);
        RunBenchmark.Scale real = f.scale().get(0);
        RunBenchmark.Scale standIn = f.scale().get(1);
        assertThat(real.real()).isTrue();
        assertThat(real.rollouts()).isEqualTo(20);
        assertThat(real.cluster()).startsWith("the embedded API server");
        assertThat(standIn.real()).isFalse();
        assertThat(standIn.rollouts()).isEqualTo(50);
        assertThat(standIn.cluster()).startsWith("stand-in: 5 embedded API servers");
        for (RunBenchmark.Scale s : f.scale()) {
            assertThat(s.changed()).isEqualTo(Math.max(1, s.rollouts() / 100));
            assertThat(s.cycles()).extracting(RunBenchmark.Cycle::decided).containsExactly(s.rollouts(), s.rollouts(), s.changed());
            assertThat(s.cycles()).extracting(RunBenchmark.Cycle::committed).containsExactly(s.rollouts(), s.rollouts(), s.changed());
            assertThat(s.cycles()).extracting(RunBenchmark.Cycle::problems).containsOnly(0);
            assertThat(s.cycles()).allSatisfy(c -> {
                assertThat(c.wallMs()).isPositive();
                assertThat(c.processCpuMs()).isPositive();
                assertThat(c.statusPushMs()).as("every cycle wrote status").isPositive().isLessThan(c.wallMs());
            });
            assertThat(s.cycles().get(0).gitPollMs()).as("the first cycle read the repository").isPositive();
            assertThat(s.cycles().get(1).gitPollMs()).as("the second cycle did not poll").isZero();
            assertThat(s.replicaSets()).as("one stable per rollout, one canary per changed one").isEqualTo(s.rollouts() + s.changed());
            assertThat(s.canaries()).isEqualTo(s.changed());
            assertThat(s.heapAfterGcBytes()).isPositive().isLessThan(f.maxHeapBytes());
            assertThat(s.statusWriteAloneMs()).as("the reference status write").isPositive();
        }

        assertThat(report).anyMatch(l -> l.startsWith("  webhook, push return    p50 "))
                .anyMatch(l -> l.startsWith("  git ls-remote (C git)   p50 "))
                .anyMatch(l -> l.matches("  ratio +\\d+\\.\\dx ls-remote.*"))
                .anyMatch(l -> l.equals("20 rollouts on the embedded API server (one fabric8 mock server, CRUD mode)"))
                .anyMatch(l -> l.startsWith("50 rollouts on stand-in: 5 embedded API servers") && l.endsWith("[STAND-IN]"))
                .anyMatch(l -> l.startsWith("  first cycle"))
                .anyMatch(l -> l.startsWith("  StatusWriter alone "));
        assertThat(f.loadAtStart()).matches("[\\d.]+ [\\d.]+ [\\d.]+");
    }

    @Test
    void aCountBelowOneIsAUsageError() {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new BenchRunCommand());
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute("--pushes", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("stepwise bench run: every count must be at least 1");
    }
}
