package dev.stepwise.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Exact exposition lines: what Prometheus parses and what alert rules match on. */
class StepwiseMetricsTest {

    private final StepwiseMetrics metrics = new StepwiseMetrics();

    private List<String> lines() {
        String text = metrics.scrape();
        assertThat(text).endsWith("\n");
        return List.of(text.split("\n"));
    }

    /** The sample lines of one family (HELP/TYPE excluded). */
    private List<String> samples(String family) {
        return lines().stream().filter(l -> !l.startsWith("#"))
                .filter(l -> l.startsWith(family + "{") || l.startsWith(family + " ")
                        || l.startsWith(family + "_bucket") || l.startsWith(family + "_sum") || l.startsWith(family + "_count"))
                .toList();
    }

    @Test
    void aFreshRegistryWritesEveryFamilyWithHelpAndTypeAndZeroPhaseCounts() {
        List<String> lines = lines();

        assertThat(lines).contains(
                "# HELP stepwise_rollouts Rollouts per phase, each rollout counted once under its latest phase.",
                "# TYPE stepwise_rollouts gauge",
                "stepwise_rollouts{phase=\"Healthy\"} 0",
                "stepwise_rollouts{phase=\"Invalid\"} 0",
                "# TYPE stepwise_rollout_info gauge",
                "# TYPE stepwise_rollout_step gauge",
                "# TYPE stepwise_rollout_canary_weight gauge",
                "# TYPE stepwise_spec_findings gauge",
                "# TYPE stepwise_analysis_verdicts_total counter",
                "# TYPE stepwise_analysis_measurement_value gauge",
                "# TYPE stepwise_git_poll_duration_seconds histogram",
                "# TYPE stepwise_git_poll_failures_total counter",
                "# TYPE stepwise_git_push_duration_seconds histogram",
                "# TYPE stepwise_git_push_failures_total counter",
                "# TYPE stepwise_reconcile_duration_seconds histogram",
                "# TYPE stepwise_reconcile_errors_total counter",
                "# TYPE stepwise_leader gauge",
                "stepwise_leader 0",
                "stepwise_reconcile_duration_seconds_bucket{le=\"+Inf\"} 0",
                "stepwise_reconcile_duration_seconds_count 0");
        assertThat(samples("stepwise_rollouts")).hasSize(StepwiseMetrics.PHASES.size());
        assertThat(samples("stepwise_rollout_info")).isEmpty();
    }

    @Test
    void rolloutStateWritesInfoStepAndWeight() {
        metrics.rollout("shop", "local", "prod", "checkout", "Progressing", 2, 20);

        assertThat(samples("stepwise_rollout_info")).containsExactly(
                "stepwise_rollout_info{repository=\"shop\",cluster=\"local\",namespace=\"prod\",rollout=\"checkout\",phase=\"Progressing\"} 1");
        assertThat(samples("stepwise_rollout_step")).containsExactly("stepwise_rollout_step{namespace=\"prod\",rollout=\"checkout\"} 2");
        assertThat(samples("stepwise_rollout_canary_weight")).containsExactly(
                "stepwise_rollout_canary_weight{namespace=\"prod\",rollout=\"checkout\"} 20");
        assertThat(lines()).contains("stepwise_rollouts{phase=\"Progressing\"} 1");
    }

    @Test
    void aRolloutThatChangesPhaseCountsOnceUnderItsLatestPhase() {
        metrics.rollout("shop", "local", "prod", "checkout", "Progressing", 1, 10);
        metrics.rollout("shop", "local", "prod", "cart", "Progressing", 1, 10);
        metrics.rollout("shop", "local", "prod", "checkout", "Degraded", 1, 0);

        assertThat(samples("stepwise_rollouts")).containsExactly(
                "stepwise_rollouts{phase=\"Healthy\"} 0",
                "stepwise_rollouts{phase=\"Progressing\"} 1",
                "stepwise_rollouts{phase=\"Paused\"} 0",
                "stepwise_rollouts{phase=\"Degraded\"} 1",
                "stepwise_rollouts{phase=\"Aborted\"} 0",
                "stepwise_rollouts{phase=\"Invalid\"} 0");
        // the info series follows the phase: the old one is gone, not left behind at 1
        assertThat(samples("stepwise_rollout_info")).containsExactly(
                "stepwise_rollout_info{repository=\"shop\",cluster=\"local\",namespace=\"prod\",rollout=\"cart\",phase=\"Progressing\"} 1",
                "stepwise_rollout_info{repository=\"shop\",cluster=\"local\",namespace=\"prod\",rollout=\"checkout\",phase=\"Degraded\"} 1");
    }

    @Test
    void aPhaseOutsideTheContractIsCountedToo() {
        metrics.rollout("shop", "local", "prod", "checkout", "Terminating", 0, 0);
        metrics.rollout("shop", "local", "prod", "cart", null, 0, 0);

        assertThat(samples("stepwise_rollouts")).contains("stepwise_rollouts{phase=\"Terminating\"} 1",
                "stepwise_rollouts{phase=\"Unknown\"} 1");
    }

    @Test
    void labelValuesEscapeBackslashQuoteAndNewline() {
        metrics.rollout("a\\b", "say \"hi\"", "prod", "two\nlines", "Healthy", 0, 0);

        assertThat(samples("stepwise_rollout_info")).containsExactly(
                "stepwise_rollout_info{repository=\"a\\\\b\",cluster=\"say \\\"hi\\\"\",namespace=\"prod\",rollout=\"two\\nlines\",phase=\"Healthy\"} 1");
        assertThat(metrics.scrape().lines().filter(l -> l.startsWith("stepwise_rollout_step"))).containsExactly(
                "stepwise_rollout_step{namespace=\"prod\",rollout=\"two\\nlines\"} 0");
    }

    @Test
    void specFindingsAreWrittenPerSeverityAndReplacedByTheNextRevision() {
        metrics.specFindings("prod", "checkout", 2, 1);
        metrics.specFindings("prod", "checkout", 0, 3);

        assertThat(samples("stepwise_spec_findings")).containsExactly(
                "stepwise_spec_findings{namespace=\"prod\",rollout=\"checkout\",severity=\"error\"} 0",
                "stepwise_spec_findings{namespace=\"prod\",rollout=\"checkout\",severity=\"warning\"} 3");
        // findings alone do not make a rollout appear in the phase counts
        assertThat(samples("stepwise_rollout_info")).isEmpty();
    }

    @Test
    void verdictsAreCountedPerMetricAndVerdict() {
        metrics.analysisVerdict("prod", "checkout", "success-rate", "Successful");
        metrics.analysisVerdict("prod", "checkout", "success-rate", "Successful");
        metrics.analysisVerdict("prod", "checkout", "success-rate", "Failed");
        metrics.analysisVerdict("prod", "checkout", "latency", "Inconclusive");

        assertThat(samples("stepwise_analysis_verdicts_total")).containsExactly(
                "stepwise_analysis_verdicts_total{namespace=\"prod\",rollout=\"checkout\",metric=\"latency\",verdict=\"Inconclusive\"} 1",
                "stepwise_analysis_verdicts_total{namespace=\"prod\",rollout=\"checkout\",metric=\"success-rate\",verdict=\"Failed\"} 1",
                "stepwise_analysis_verdicts_total{namespace=\"prod\",rollout=\"checkout\",metric=\"success-rate\",verdict=\"Successful\"} 2");
    }

    @Test
    void measurementsKeepTheLatestValueAndSpellSpecialValuesAsPrometheusDoes() {
        metrics.measurement("prod", "checkout", "success-rate", 0.5);
        metrics.measurement("prod", "checkout", "success-rate", 0.995);
        metrics.measurement("prod", "checkout", "errors", 3.0);
        metrics.measurement("prod", "checkout", "empty", Double.NaN);
        metrics.measurement("prod", "checkout", "huge", Double.POSITIVE_INFINITY);
        metrics.measurement("prod", "checkout", "tiny", 1.0e-7);

        assertThat(samples("stepwise_analysis_measurement_value")).containsExactly(
                "stepwise_analysis_measurement_value{namespace=\"prod\",rollout=\"checkout\",metric=\"empty\"} NaN",
                "stepwise_analysis_measurement_value{namespace=\"prod\",rollout=\"checkout\",metric=\"errors\"} 3",
                "stepwise_analysis_measurement_value{namespace=\"prod\",rollout=\"checkout\",metric=\"huge\"} +Inf",
                "stepwise_analysis_measurement_value{namespace=\"prod\",rollout=\"checkout\",metric=\"success-rate\"} 0.995",
                "stepwise_analysis_measurement_value{namespace=\"prod\",rollout=\"checkout\",metric=\"tiny\"} 1.0E-7");
    }

    @Test
    void gitPollDurationsFillCumulativeBucketsAndFailuresAreCountedFromZero() {
        metrics.gitPoll("shop", Duration.ofMillis(100), true); // exactly on a bound: le is "less or equal"
        metrics.gitPoll("shop", Duration.ofMillis(700), false);
        metrics.gitPoll("shop", Duration.ofSeconds(90), true);
        metrics.gitPoll("infra", Duration.ofMillis(20), true);

        assertThat(samples("stepwise_git_poll_duration_seconds")).containsExactly(
                "stepwise_git_poll_duration_seconds_bucket{repository=\"infra\",le=\"0.05\"} 1",
                "stepwise_git_poll_duration_seconds_bucket{repository=\"infra\",le=\"0.1\"} 1",
                "stepwise_git_poll_duration_seconds_bucket{repository=\"infra\",le=\"0.25\"} 1",
                "stepwise_git_poll_duration_seconds_bucket{repository=\"infra\",le=\"0.5\"} 1",
                "stepwise_git_poll_duration_seconds_bucket{repository=\"infra\",le=\"1\"} 1",
                "stepwise_git_poll_duration_seconds_bucket{repository=\"infra\",le=\"2.5\"} 1",
                "stepwise_git_poll_duration_seconds_bucket{repository=\"infra\",le=\"5\"} 1",
                "stepwise_git_poll_duration_seconds_bucket{repository=\"infra\",le=\"10\"} 1",
                "stepwise_git_poll_duration_seconds_bucket{repository=\"infra\",le=\"30\"} 1",
                "stepwise_git_poll_duration_seconds_bucket{repository=\"infra\",le=\"60\"} 1",
                "stepwise_git_poll_duration_seconds_bucket{repository=\"infra\",le=\"+Inf\"} 1",
                "stepwise_git_poll_duration_seconds_sum{repository=\"infra\"} 0.02",
                "stepwise_git_poll_duration_seconds_count{repository=\"infra\"} 1",
                "stepwise_git_poll_duration_seconds_bucket{repository=\"shop\",le=\"0.05\"} 0",
                "stepwise_git_poll_duration_seconds_bucket{repository=\"shop\",le=\"0.1\"} 1",
                "stepwise_git_poll_duration_seconds_bucket{repository=\"shop\",le=\"0.25\"} 1",
                "stepwise_git_poll_duration_seconds_bucket{repository=\"shop\",le=\"0.5\"} 1",
                "stepwise_git_poll_duration_seconds_bucket{repository=\"shop\",le=\"1\"} 2",
                "stepwise_git_poll_duration_seconds_bucket{repository=\"shop\",le=\"2.5\"} 2",
                "stepwise_git_poll_duration_seconds_bucket{repository=\"shop\",le=\"5\"} 2",
                "stepwise_git_poll_duration_seconds_bucket{repository=\"shop\",le=\"10\"} 2",
                "stepwise_git_poll_duration_seconds_bucket{repository=\"shop\",le=\"30\"} 2",
                "stepwise_git_poll_duration_seconds_bucket{repository=\"shop\",le=\"60\"} 2",
                "stepwise_git_poll_duration_seconds_bucket{repository=\"shop\",le=\"+Inf\"} 3",
                "stepwise_git_poll_duration_seconds_sum{repository=\"shop\"} 90.8",
                "stepwise_git_poll_duration_seconds_count{repository=\"shop\"} 3");
        assertThat(samples("stepwise_git_poll_failures_total")).containsExactly(
                "stepwise_git_poll_failures_total{repository=\"infra\"} 0",
                "stepwise_git_poll_failures_total{repository=\"shop\"} 1");
    }

    @Test
    void gitPushesHaveTheirOwnFamilies() {
        metrics.gitPush("shop", Duration.ofSeconds(2), false);
        metrics.gitPush("shop", Duration.ofSeconds(-1), true); // a clock step backwards counts as 0 s

        assertThat(samples("stepwise_git_push_duration_seconds")).contains(
                "stepwise_git_push_duration_seconds_bucket{repository=\"shop\",le=\"0.05\"} 1",
                "stepwise_git_push_duration_seconds_bucket{repository=\"shop\",le=\"1\"} 1",
                "stepwise_git_push_duration_seconds_bucket{repository=\"shop\",le=\"2.5\"} 2",
                "stepwise_git_push_duration_seconds_bucket{repository=\"shop\",le=\"+Inf\"} 2",
                "stepwise_git_push_duration_seconds_sum{repository=\"shop\"} 2",
                "stepwise_git_push_duration_seconds_count{repository=\"shop\"} 2");
        assertThat(samples("stepwise_git_push_failures_total")).containsExactly(
                "stepwise_git_push_failures_total{repository=\"shop\"} 1");
        assertThat(samples("stepwise_git_poll_failures_total")).isEmpty();
    }

    @Test
    void reconcileDurationsGoIntoOneHistogramAndErrorsArePerRollout() {
        metrics.reconcile("prod", "checkout", Duration.ofMillis(3), true);
        metrics.reconcile("prod", "checkout", Duration.ofMillis(30), false);
        metrics.reconcile("prod", "cart", Duration.ofSeconds(25), true);

        assertThat(samples("stepwise_reconcile_duration_seconds")).containsExactly(
                "stepwise_reconcile_duration_seconds_bucket{le=\"0.005\"} 1",
                "stepwise_reconcile_duration_seconds_bucket{le=\"0.01\"} 1",
                "stepwise_reconcile_duration_seconds_bucket{le=\"0.025\"} 1",
                "stepwise_reconcile_duration_seconds_bucket{le=\"0.05\"} 2",
                "stepwise_reconcile_duration_seconds_bucket{le=\"0.1\"} 2",
                "stepwise_reconcile_duration_seconds_bucket{le=\"0.25\"} 2",
                "stepwise_reconcile_duration_seconds_bucket{le=\"0.5\"} 2",
                "stepwise_reconcile_duration_seconds_bucket{le=\"1\"} 2",
                "stepwise_reconcile_duration_seconds_bucket{le=\"2.5\"} 2",
                "stepwise_reconcile_duration_seconds_bucket{le=\"5\"} 2",
                "stepwise_reconcile_duration_seconds_bucket{le=\"10\"} 2",
                "stepwise_reconcile_duration_seconds_bucket{le=\"20\"} 2",
                "stepwise_reconcile_duration_seconds_bucket{le=\"+Inf\"} 3",
                "stepwise_reconcile_duration_seconds_sum 25.033",
                "stepwise_reconcile_duration_seconds_count 3");
        assertThat(samples("stepwise_reconcile_errors_total")).containsExactly(
                "stepwise_reconcile_errors_total{namespace=\"prod\",rollout=\"cart\"} 0",
                "stepwise_reconcile_errors_total{namespace=\"prod\",rollout=\"checkout\"} 1");
    }

    @Test
    void leaderFlips() {
        metrics.leader(true);
        assertThat(samples("stepwise_leader")).containsExactly("stepwise_leader 1");
        metrics.leader(false);
        assertThat(samples("stepwise_leader")).containsExactly("stepwise_leader 0");
    }

    @Test
    void forgettingARolloutRemovesEverySeriesThatNamesIt() {
        for (String name : List.of("checkout", "cart")) {
            metrics.rollout("shop", "local", "prod", name, "Degraded", 1, 10);
            metrics.specFindings("prod", name, 1, 1);
            metrics.analysisVerdict("prod", name, "success-rate", "Failed");
            metrics.measurement("prod", name, "success-rate", 0.5);
            metrics.reconcile("prod", name, Duration.ofMillis(5), false);
        }
        metrics.gitPoll("shop", Duration.ofMillis(5), true);

        metrics.forgetRollout("prod", "checkout");

        List<String> lines = lines();
        assertThat(lines).noneMatch(l -> l.contains("rollout=\"checkout\""));
        assertThat(lines.stream().filter(l -> l.contains("rollout=\"cart\"") && !l.startsWith("#"))).hasSize(8);
        assertThat(lines).contains("stepwise_rollouts{phase=\"Degraded\"} 1",
                "stepwise_git_poll_failures_total{repository=\"shop\"} 0",
                // the shared histogram keeps its observations: they happened, whatever became of the rollout
                "stepwise_reconcile_duration_seconds_count 2");
        metrics.forgetRollout("prod", "never-seen"); // harmless
    }

    @Test
    void concurrentReportsAreAllCounted() throws Exception {
        int threads = 8;
        int each = 2_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < each; i++) {
                        metrics.analysisVerdict("prod", "checkout", "success-rate", "Successful");
                        metrics.reconcile("prod", "checkout", Duration.ofMillis(1), i % 2 == 0);
                        metrics.gitPoll("shop", Duration.ofMillis(1), false);
                        metrics.rollout("shop", "local", "prod", "r" + id, i % 2 == 0 ? "Progressing" : "Healthy", i, 0);
                        if (i % 100 == 0) {
                            metrics.scrape();
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }

        int total = threads * each;
        assertThat(lines()).contains(
                "stepwise_analysis_verdicts_total{namespace=\"prod\",rollout=\"checkout\",metric=\"success-rate\",verdict=\"Successful\"} " + total,
                "stepwise_reconcile_errors_total{namespace=\"prod\",rollout=\"checkout\"} " + total / 2,
                "stepwise_reconcile_duration_seconds_count " + total,
                "stepwise_git_poll_failures_total{repository=\"shop\"} " + total,
                "stepwise_git_poll_duration_seconds_count{repository=\"shop\"} " + total,
                // each thread's last report was Healthy (i = each - 1 is odd): every rollout counted once
                "stepwise_rollouts{phase=\"Healthy\"} " + threads,
                "stepwise_rollouts{phase=\"Progressing\"} 0");
    }
}
