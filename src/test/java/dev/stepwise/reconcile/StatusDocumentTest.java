package dev.stepwise.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stepwise.cluster.WaveStatus;
import dev.stepwise.engine.EngineEvent;
import dev.stepwise.engine.Phase;
import dev.stepwise.engine.RolloutStatus;
import dev.stepwise.engine.VersionReplicas;
import dev.stepwise.engine.analysis.AnalysisPhase;
import dev.stepwise.engine.analysis.AnalysisRunState;
import dev.stepwise.engine.analysis.MeasurementRecord;
import dev.stepwise.engine.analysis.MetricState;
import dev.stepwise.engine.analysis.RunKind;
import dev.stepwise.engine.analysis.Verdict;
import dev.stepwise.git.RolloutKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The status file: deterministic text that reads back to the same value, the phase people see, and located parse errors. */
class StatusDocumentTest {

    static final RolloutKey KEY = new RolloutKey("shop", "cart");
    static final Instant T = Instant.parse("2026-01-01T10:00:00Z");

    static RolloutStatus healthy(String hash) {
        return RolloutStatus.stable(hash, 5, 4, T);
    }

    static RolloutStatus canary(Phase phase, boolean aborted, List<AnalysisRunState> runs) {
        return new RolloutStatus(phase, aborted, aborted ? "analysis success-rate failed" : "", "waiting for pods", "aaa111",
                "bbb222", "main@sha1:0123", 1, 2, T, T.plusSeconds(60), phase == Phase.PAUSED ? T.plusSeconds(90) : null,
                false, false, false, aborted ? 0 : 20, List.of(new VersionReplicas("aaa111", 4), new VersionReplicas("bbb222", 1)),
                null, 0, null, null, runs, List.of("gate-1"), List.of(),
                List.of(new EngineEvent(T.plusSeconds(60), "StepCompleted", 1, 20, phase, "step 1 done", List.of("weight 20"))));
    }

    static AnalysisRunState run() {
        MetricState measured = new MetricState("success-rate", AnalysisPhase.RUNNING, 2, 2, 0, 0, 0, 0, 2, 0,
                T.plusSeconds(120), null, "", List.of(
                new MeasurementRecord(T.plusSeconds(60), Verdict.SUCCESSFUL, "[0.97]", 120, ""),
                new MeasurementRecord(T.plusSeconds(120), Verdict.SUCCESSFUL, "[0.99]", 250, "")));
        MetricState noSamples = new MetricState("latency", AnalysisPhase.FAILED, 1, 0, 1, 0, 0, 0, 0, 0,
                T.plusSeconds(120), null, "", List.of(new MeasurementRecord(T.plusSeconds(120), Verdict.FAILED, "812", -1, "")));
        MetricState notYet = MetricState.pending("error-rate");
        return new AnalysisRunState("1.step2", RunKind.STEP, 2, T.plusSeconds(60), AnalysisPhase.RUNNING, null, false, "",
                List.of(measured, noSamples, notYet));
    }

    static List<Map<String, Object>> findings() {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("severity", "error");
        f.put("code", "schema.type");
        f.put("file", "rollouts/cart.yaml");
        f.put("line", 7);
        f.put("column", 13);
        f.put("message", "expected an integer: 'many'");
        return List.of(f);
    }

    static List<Map<String, Object>> gates() {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("commit", "abcdef0123456789");
        g.put("action", "promote");
        g.put("by", "alice@example.com");
        g.put("at", "2026-01-01T10:01:00Z");
        g.put("signed", false);
        return List.of(g);
    }

    static StatusDocument full() {
        Map<String, RolloutStatus> clusters = new LinkedHashMap<>();
        clusters.put("eu", healthy("bbb222"));
        clusters.put("us", canary(Phase.PAUSED, false, List.of(run())));
        return new StatusDocument(KEY, "main@sha1:1111111111111111111111111111111111111111",
                "2222222222222222222222222222222222222222", "main@sha1:3333333333333333333333333333333333333333",
                findings(), gates(), clusters, Optional.empty(), T.plusSeconds(300));
    }

    @Test
    void textIsDeterministicAndRoundTrips() {
        StatusDocument doc = full();
        String text = doc.text();
        assertThat(full().text()).as("a function of the value alone").isEqualTo(text);
        assertThat(text).startsWith("# Written by Stepwise: the state of one rollout.");

        StatusDocument back = StatusDocument.parse(KEY, text);
        assertThat(back.clusters()).isEqualTo(doc.clusters());
        assertThat(back.clusters().keySet()).containsExactly("eu", "us");
        assertThat(back.source()).isEqualTo(doc.source());
        assertThat(back.stableSource()).isEqualTo("2222222222222222222222222222222222222222");
        assertThat(back.pending()).isEqualTo("main@sha1:3333333333333333333333333333333333333333");
        assertThat(back.findings()).isEqualTo(findings());
        assertThat(back.gates()).isEqualTo(gates());
        assertThat(back.updated()).isEqualTo(T.plusSeconds(300));
        assertThat(back).isEqualTo(doc);
        assertThat(back.text()).as("reading and writing again changes no byte").isEqualTo(text);
    }

    @Test
    void theSummaryIsTheInFlightCluster() {
        String text = full().text();
        assertThat(full().summaryCluster()).map(Map.Entry::getKey).contains("us");
        assertThat(text).contains("\nphase: Paused\n").contains("\nstep: 2\n").contains("\nweight: 20\n")
                .contains("\nstableRevision: aaa111\n").contains("\ncanaryRevision: bbb222\n")
                .contains("\nmessage: waiting for pods\n").doesNotContain("abortReason");
        // the summary comes before the engine state
        assertThat(text.indexOf("phase: Paused")).isLessThan(text.indexOf("\nclusters:"));
    }

    @Test
    void withNothingInFlightTheFirstClusterIsTheSummary() {
        Map<String, RolloutStatus> clusters = new LinkedHashMap<>();
        clusters.put("b", healthy("x1"));
        clusters.put("a", healthy("x2"));
        StatusDocument doc = new StatusDocument(KEY, "main@sha1:1", "", "", List.of(), List.of(), clusters, Optional.empty(), null);
        assertThat(doc.summaryCluster()).map(Map.Entry::getKey).contains("b");
        assertThat(doc.phase()).isEqualTo("Healthy");
        assertThat(doc.text()).contains("\nstableRevision: x1\n").doesNotContain("updated:").doesNotContain("stableSource")
                .doesNotContain("pending").doesNotContain("findings").doesNotContain("gates");
    }

    @Test
    void abortedIsDegradedWhateverThePhase() {
        StatusDocument doc = new StatusDocument(KEY, "main@sha1:1", "", "", List.of(), List.of(),
                Map.of("local", canary(Phase.PROGRESSING, true, List.of())), Optional.empty(), T);
        assertThat(doc.phase()).isEqualTo("Degraded");
        assertThat(doc.text()).contains("\nphase: Degraded\n").contains("\nabortReason: analysis success-rate failed\n")
                .contains("\nweight: 0\n");
    }

    @Test
    void anAbortedClusterBesideAHealthyOneIsTheSummaryOnlyWhenFirst() {
        // aborted is not in flight: the first cluster is the summary
        Map<String, RolloutStatus> clusters = new LinkedHashMap<>();
        clusters.put("a", canary(Phase.DEGRADED, true, List.of()));
        clusters.put("b", healthy("x"));
        StatusDocument doc = new StatusDocument(KEY, "s", "", "", List.of(), List.of(), clusters, Optional.empty(), T);
        assertThat(doc.phase()).isEqualTo("Degraded");
    }

    @Test
    void invalidWhenNothingWasEverActedOnAndThereAreFindings() {
        StatusDocument invalid = new StatusDocument(KEY, "", "", "main@sha1:3", findings(), List.of(), Map.of(),
                Optional.empty(), T);
        assertThat(invalid.phase()).isEqualTo("Invalid");
        assertThat(invalid.text()).contains("\nphase: Invalid\n").contains("\nsource: ''\n").contains("pending: main@sha1:3")
                .doesNotContain("\nstep:");

        StatusDocument pending = new StatusDocument(KEY, "", "", "", List.of(), List.of(), Map.of(), Optional.empty(), T);
        assertThat(pending.phase()).isEqualTo("Pending");

        StatusDocument actedOn = new StatusDocument(KEY, "main@sha1:1", "", "", findings(), List.of(), Map.of(),
                Optional.empty(), T);
        assertThat(actedOn.phase()).as("a source was acted on: not Invalid").isEqualTo("Pending");

        StatusDocument running = new StatusDocument(KEY, "", "", "", findings(), List.of(), Map.of("c", healthy("h")),
                Optional.empty(), T);
        assertThat(running.phase()).isEqualTo("Healthy");
    }

    @Test
    void wavesThatAreNotHealthyShowTheirPhaseUnlessTheSummaryClusterSaysMore() {
        WaveStatus progressing = new WaveStatus(1, "Progressing", List.of(
                new WaveStatus.ClusterProgress("eu", 0, "Healthy", 4, ""),
                new WaveStatus.ClusterProgress("us", 1, "Pending", 0, "waiting for wave 0")));
        StatusDocument betweenWaves = new StatusDocument(KEY, "s", "", "", List.of(), List.of(), Map.of("eu", healthy("h")),
                Optional.of(progressing), T);
        assertThat(betweenWaves.phase()).as("every cluster healthy, the waves are not done").isEqualTo("Progressing");
        assertThat(betweenWaves.text()).contains("waves:\n  currentWave: 1\n  phase: Progressing\n")
                .contains("message: waiting for wave 0");

        Map<String, RolloutStatus> clusters = new LinkedHashMap<>();
        clusters.put("eu", healthy("h"));
        clusters.put("us", canary(Phase.PAUSED, false, List.of()));
        StatusDocument paused = new StatusDocument(KEY, "s", "", "", List.of(), List.of(), clusters, Optional.of(progressing), T);
        assertThat(paused.phase()).isEqualTo("Paused");

        WaveStatus done = new WaveStatus(1, "Healthy", List.of());
        StatusDocument healthy = new StatusDocument(KEY, "s", "", "", List.of(), List.of(), Map.of("eu", healthy("h")),
                Optional.of(done), T);
        assertThat(healthy.phase()).isEqualTo("Healthy");
    }

    @Test
    void analysisSummaryHasTheLatestMeasurementOfEveryMeasuredMetric() {
        List<Map<String, Object>> summary = StatusDocument.analysisSummary(canary(Phase.PAUSED, false, List.of(run())));
        Map<String, Object> first = new LinkedHashMap<>();
        first.put("run", "1.step2");
        first.put("metric", "success-rate");
        first.put("phase", "Running");
        first.put("value", "[0.99]");
        first.put("samples", 250L);
        first.put("at", "2026-01-01T10:02:00Z");
        first.put("measurements", 2);
        first.put("failed", 0);
        Map<String, Object> second = new LinkedHashMap<>();
        second.put("run", "1.step2");
        second.put("metric", "latency");
        second.put("phase", "Failed");
        second.put("value", "812");
        second.put("at", "2026-01-01T10:02:00Z");
        second.put("measurements", 1);
        second.put("failed", 1);
        assertThat(summary).as("error-rate was never measured: left out; latency has no sample count: none shown")
                .containsExactly(first, second);
        assertThat(List.copyOf(summary.get(0).keySet()))
                .containsExactly("run", "metric", "phase", "value", "samples", "at", "measurements", "failed");
        assertThat(full().text()).contains("""
                analysis:
                - run: 1.step2
                  metric: success-rate
                  phase: Running
                  value: '[0.99]'
                  samples: 250
                  at: 2026-01-01T10:02:00Z
                  measurements: 2
                  failed: 0
                """);
        assertThat(StatusDocument.analysisSummary(healthy("x"))).isEmpty();
    }

    @Test
    void onlyTheNewestGatesAreKept() {
        List<Map<String, Object>> gates = new ArrayList<>();
        for (int i = 0; i < StatusDocument.MAX_GATES + 5; i++) {
            gates.add(Map.of("commit", "c" + i));
        }
        StatusDocument doc = new StatusDocument(KEY, "s", "", "", List.of(), gates, Map.of(), Optional.empty(), T);
        assertThat(doc.gates()).hasSize(20);
        assertThat(doc.gates().get(0)).containsEntry("commit", "c5");
        assertThat(doc.gates().get(19)).containsEntry("commit", "c24");
    }

    @Test
    void aDocumentWithoutClustersReadsBack() {
        StatusDocument doc = new StatusDocument(KEY, "", "", "main@sha1:3", findings(), List.of(), Map.of(), Optional.empty(), T);
        assertThat(doc.text()).contains("\nclusters: {}\n");
        assertThat(StatusDocument.parse(KEY, doc.text())).isEqualTo(doc);
    }

    @Test
    void notYaml() {
        assertThatThrownBy(() -> StatusDocument.parse(KEY, "rollout: [unclosed\nphase: x\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("the status file is not YAML: ")
                .message().doesNotContain("\n");
        assertThatThrownBy(() -> StatusDocument.parse(KEY, "a: 1\na: 2\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("the status file is not YAML: ");
    }

    @Test
    void notAMapping() {
        assertThatThrownBy(() -> StatusDocument.parse(KEY, "- a\n- b\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("the status file is not a mapping");
        assertThatThrownBy(() -> StatusDocument.parse(KEY, ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("the status file is not a mapping");
    }

    @Test
    void aClusterStatusThatCannotBeDecodedIsNamed() {
        String good = full().text();
        String bad = good.replace("  us:\n    statusVersion: 1\n    phase: Paused\n", "  us:\n    statusVersion: 1\n    phase: Sleeping\n");
        assertThat(bad).as("the engine phase of cluster us was changed").isNotEqualTo(good);
        assertThatThrownBy(() -> StatusDocument.parse(KEY, bad)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("/clusters/us: status field /phase should be one of Progressing, Paused, Healthy, Degraded, "
                        + "not String 'Sleeping'");
        assertThatThrownBy(() -> StatusDocument.parse(KEY, "clusters:\n  local: [1, 2]\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("/clusters/local is not a mapping");
        assertThatThrownBy(() -> StatusDocument.parse(KEY, "clusters: [a]\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("/clusters is not a mapping");
        assertThatThrownBy(() -> StatusDocument.parse(KEY, "clusters: {}\nupdated: yesterday\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("/updated is not a time: yesterday");
    }
}
