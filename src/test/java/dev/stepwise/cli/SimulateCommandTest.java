package dev.stepwise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code stepwise simulate} on the shipped example timelines, and on bad input. */
class SimulateCommandTest {

    private static final String EX = "examples-repo/";

    private static CliRun checkout(String... more) {
        List<String> args = new ArrayList<>(List.of("simulate", "--rollout", EX + "rollouts/checkout-api.yaml",
                "--analysis", EX + "analysis/success-rate.yaml", "--analysis", EX + "analysis/error-rate.yaml",
                "--metrics", EX + "simulations/checkout-api-healthy.yaml"));
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    @Test
    void checkoutApiRollsOutWithAPromoteGate() {
        CliRun run = checkout();
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.out()).startsWith("Simulating production/checkout-api (Argo Rollout, canary, 8 steps, istio, 10 replicas)");
        assertThat(run.out()).contains("20s     0       5  Progressing  WeightChanged: canary weight 0 -> 5: 1 canary pod available");
        assertThat(run.out()).containsPattern("14m20s +2 +5 +Progressing +Measurement: success-rate = \\[0\\.997\\] \\(samples 610\\): Successful");
        assertThat(run.out()).contains("GateApplied: promote: step 6 (pause 10m) passed by a person");
        assertThat(run.out()).contains("Phase: Progressing -> Healthy");
        assertThat(run.out()).contains("Result: Healthy after 27m50s: 8 of 8 steps completed; rollout complete");
    }

    @Test
    void jsonIsOneObjectWithTheTimeline() throws Exception {
        CliRun run = checkout("--format", "json");
        assertThat(run.exitCode()).isZero();
        JsonNode root = JsonMapper.builder().build().readTree(run.out());
        assertThat(root.propertyNames()).containsExactly("phase", "aborted", "completedSteps", "events");
        assertThat(root.get("phase").asString()).isEqualTo("Healthy");
        assertThat(root.get("aborted").asBoolean()).isFalse();
        assertThat(root.get("completedSteps").asInt()).isEqualTo(8);
        JsonNode first = root.get("events").get(0);
        assertThat(first.get("at").asString()).isEqualTo("PT0S");
        assertThat(first.get("type").asString()).isEqualTo("RolloutStarted");
        assertThat(first.propertyNames()).containsExactly("at", "type", "step", "weight", "phase", "detail");
        boolean gate = false;
        for (JsonNode e : root.get("events")) {
            if (e.get("type").asString().equals("GateApplied")) {
                gate = true;
                assertThat(e.get("at").asString()).isEqualTo("PT27M");
                assertThat(e.get("step").asInt()).isEqualTo(6);
                assertThat(e.get("weight").asInt()).isEqualTo(50);
            }
        }
        assertThat(gate).isTrue();
    }

    @Test
    void webAppAbortsWhenItsAnalysisFails() throws Exception {
        CliRun run = CliRun.of("simulate", "--rollout", EX + "rollouts/web-app.yaml", "--analysis", EX + "analysis/success-rate.yaml",
                "--metrics", EX + "simulations/web-app-analysis-fails.yaml", "--format", "json");
        assertThat(run.exitCode()).as(run.err()).isZero(); // the simulation ran, whatever its outcome
        JsonNode root = JsonMapper.builder().build().readTree(run.out());
        assertThat(root.get("phase").asString()).isEqualTo("Degraded");
        assertThat(root.get("aborted").asBoolean()).isTrue();
        assertThat(root.get("completedSteps").asInt()).isEqualTo(2);
        List<String> types = new ArrayList<>();
        String abortDetail = null;
        String abortAt = null;
        int abortWeight = -1;
        for (JsonNode e : root.get("events")) {
            types.add(e.get("type").asString());
            if (e.get("type").asString().equals("Aborted")) {
                abortDetail = e.get("detail").asString();
                abortAt = e.get("at").asString();
                abortWeight = e.get("weight").asInt();
            }
        }
        assertThat(types).containsSubsequence("AnalysisStarted", "Measurement", "Measurement", "AnalysisCompleted", "Aborted",
                "ScaledDown");
        assertThat(abortAt).isEqualTo("PT7M30S");
        assertThat(abortWeight).isZero();
        assertThat(abortDetail).contains("2 failed > failureLimit 1").contains("[0.93] (samples 310)")
                .contains("canary weight 5 -> 0");
    }

    @Test
    void paymentsApiSwitchesAfterAutoPromotion() {
        CliRun run = CliRun.of("simulate", "--rollout", EX + "rollouts/payments-api.yaml", "--analysis", EX + "analysis/smoke-tests.yaml",
                "--analysis", EX + "analysis/success-rate.yaml", "--metrics", EX + "simulations/payments-api-bluegreen.yaml");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("(Argo Rollout, blue-green, 5 replicas)");
        assertThat(run.out()).contains("PreviewReady: 2 pods of");
        assertThat(run.out()).contains("Phase: Progressing -> Paused: auto-promotion at 2025-01-01T00:05:45Z (autoPromotionSeconds 300)");
        assertThat(run.out()).containsPattern("6m30s +2 +100 +Progressing +WeightChanged: canary weight 0 -> 100: payments-api-active switched");
        assertThat(run.out()).contains("InsufficientData (12 samples < minSamples 50)");
        assertThat(run.out()).contains("Result: Healthy after 13m30s: 4 of 4 blue-green stages completed; rollout complete");
    }

    @Test
    void invalidInputGivesLocatedFindingsAndExitOne(@TempDir Path dir) throws IOException {
        Path timeline = dir.resolve("bad.yaml");
        Files.writeString(timeline, """
                metrics:
                  success-rate:
                    - {at: 5x, value: 1}
                gates:
                  - {at: 1m, action: approve}
                """);
        CliRun run = CliRun.of("simulate", "--rollout", EX + "rollouts/web-app.yaml", "--metrics", timeline.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains(timeline + ":3:12: error: '5x' has unknown unit 'x'")
                .contains(timeline + ":5:22: error: action is one of promote, promote-full, abort, retry, skip; found 'approve'")
                .contains("examples-repo/rollouts/web-app.yaml:49:31: error: AnalysisTemplate 'success-rate' is not in any --analysis file")
                .contains("[simulate.missing-template]")
                .endsWith("stepwise simulate: invalid input, nothing simulated" + System.lineSeparator());
    }

    @Test
    void anUnreadableFileIsAnIoError(@TempDir Path dir) {
        CliRun run = CliRun.of("simulate", "--rollout", dir.resolve("missing.yaml").toString(), "--metrics", "x.yaml");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("cannot read " + dir.resolve("missing.yaml") + ": no such file");
    }

    @Test
    void aTimelineWithoutValuesForAMetricIsWarnedAbout(@TempDir Path dir) throws IOException {
        Path timeline = dir.resolve("t.yaml");
        Files.writeString(timeline, "metrics:\n  latency: [{at: 0s, value: 1}]\n");
        CliRun run = CliRun.of("simulate", "--rollout", EX + "rollouts/web-app.yaml", "--analysis", EX + "analysis/success-rate.yaml",
                "--metrics", timeline.toString(), "--format", "json");
        assertThat(run.exitCode()).isZero();
        assertThat(run.err()).contains("warning: the timeline has no values for metric 'success-rate'")
                .contains("warning: no analysis of web-app measures 'latency'");
        assertThat(run.out()).contains("\"aborted\" : true"); // every success-rate measurement errors: the run errors
    }
}
