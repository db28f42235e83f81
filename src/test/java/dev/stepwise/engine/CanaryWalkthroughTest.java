package dev.stepwise.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.engine.analysis.AnalysisPhase;
import dev.stepwise.engine.analysis.RunKind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * examples-repo's checkout-api (Istio canary, background error-rate analysis from step 1, an analysis step) walked
 * through every step, decision by decision, and the ways a person or a failure can change its course.
 */
class CanaryWalkthroughTest {

    private static Drive checkout() {
        return Fixtures.rollout(Fixtures.examples("rollouts/checkout-api.yaml", "analysis/success-rate.yaml",
                "analysis/error-rate.yaml")).drive();
    }

    /** Decides at every requeue with good metrics and ready pods until the rollout reaches {@code step}. */
    private static void goodUntilStep(Drive d, int step) {
        for (int i = 0; i < 200 && d.status.stepIndex() < step && d.status.inFlight(); i++) {
            d.podsReady();
            d.atRequeue();
            d.measure("error-rate", List.of(0.002));
            d.measure("success-rate", List.of(0.997), 420);
            d.decide();
        }
        assertThat(d.status.stepIndex()).isEqualTo(step);
    }

    @Test
    void walksEveryStepToPromotion() {
        Drive d = checkout();
        String canary = d.canary();
        String stable = d.previous;

        Decision first = d.decide();
        assertThat(first.events()).extracting(EngineEvent::reason).contains(Reasons.ROLLOUT_STARTED);
        assertThat(first.desired().replicas()).isEqualTo(Map.of(stable, 10, canary, 1));
        assertThat(first.desired().canaryWeight()).isZero(); // no pod yet: no traffic yet
        assertThat(first.desired().services()).containsEntry("checkout-api-stable", stable)
                .containsEntry("checkout-api-canary", canary);
        assertThat(first.status().phase()).isEqualTo(Phase.PROGRESSING);
        assertThat(first.reasons()).anyMatch(r -> r.contains("1 canary pods of " + canary));
        assertThat(first.requeueAt()).contains(Drive.T0.plusSeconds(600)); // the progress deadline

        // the canary pod is ready 20s later: weight 5, step 0 done, the pause begins, background analysis starts
        Decision second = d.podsReady().after(Duration.ofSeconds(20)).decide();
        Instant t20 = Drive.T0.plusSeconds(20);
        assertThat(second.desired().canaryWeight()).isEqualTo(5);
        assertThat(second.status().stepIndex()).isEqualTo(1);
        assertThat(second.status().phase()).isEqualTo(Phase.PAUSED);
        assertThat(second.status().pausedAt()).isEqualTo(t20);
        assertThat(second.status().message()).isEqualTo("pause 10m until " + t20.plusSeconds(600));
        assertThat(second.runChanges()).extracting(RunChange::runId, RunChange::started).containsExactly(
                org.assertj.core.groups.Tuple.tuple("1.bg", true));
        assertThat(second.measurementsDue()).extracting(MeasurementDue::runId, MeasurementDue::metric, MeasurementDue::due)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("1.bg", "error-rate", t20));
        assertThat(second.measurementsDue().get(0).args()).containsEntry("service-name", "checkout-api-canary");
        assertThat(second.requeueAt()).contains(t20);

        // the pause ends 10 minutes after it began, whatever the measurements did meanwhile
        goodUntilStep(d, 2);
        assertThat(d.now).isEqualTo(t20.plusSeconds(600));
        AnalysisRunStateAssert.phase(d.status.run("1.bg"), AnalysisPhase.RUNNING);
        assertThat(d.status.run("1.s2")).isNotNull();
        assertThat(d.last.measurementsDue()).extracting(MeasurementDue::metric).contains("success-rate", "error-rate");

        // the analysis step takes 5 measurements a minute apart; then setWeight 25 waits for 3 canary pods
        goodUntilStep(d, 3);
        assertThat(d.status.run("1.s2").phase()).isEqualTo(AnalysisPhase.SUCCESSFUL);
        assertThat(d.last.desired().replicasOf(canary)).isEqualTo(3);
        assertThat(d.last.desired().canaryWeight()).isEqualTo(5);

        goodUntilStep(d, 6);
        assertThat(d.last.desired().canaryWeight()).isEqualTo(50);
        assertThat(d.status.phase()).isEqualTo(Phase.PAUSED);

        // the release manager promotes during the last pause: step 6 is done at once
        Decision promoted = d.gate(GateAction.PROMOTE, "release-manager@example.com").after(Duration.ofMinutes(2)).decide();
        assertThat(promoted.events()).anyMatch(e -> e.reason().equals(Reasons.GATE_APPLIED)
                && e.evidence().get(0).contains("by release-manager@example.com"));
        assertThat(promoted.status().stepIndex()).isEqualTo(7);
        assertThat(promoted.desired().replicasOf(canary)).isEqualTo(10);

        // setWeight 100 once all 10 canary pods are ready, and at once the promotion: the canary becomes stable
        Decision done = d.podsReady().after(Duration.ofSeconds(20)).decide();
        assertThat(done.status().phase()).isEqualTo(Phase.HEALTHY);
        assertThat(done.status().stableHash()).isEqualTo(canary);
        assertThat(done.status().canaryHash()).isEqualTo(canary);
        assertThat(done.status().stepIndex()).isEqualTo(8);
        assertThat(done.desired().canaryWeight()).isZero();
        assertThat(done.desired().services()).containsEntry("checkout-api-stable", canary).containsEntry("checkout-api-canary", canary);
        assertThat(done.status().run("1.bg").isRunning()).isFalse();
        assertThat(done.events()).extracting(EngineEvent::reason).contains(Reasons.WEIGHT_CHANGED, Reasons.STEP_COMPLETED,
                Reasons.ANALYSIS_STOPPED, Reasons.COMPLETED);
        // the old stable keeps its pods for scaleDownDelaySeconds (30s), then goes
        assertThat(done.desired().replicas()).containsEntry(stable, 10).containsEntry(canary, 10);
        assertThat(done.scaleDowns()).extracting(ScaleDownDeadline::version, ScaleDownDeadline::at)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(stable, d.now.plusSeconds(30)));
        Decision later = d.podsReady().atRequeue().decide();
        assertThat(later.desired().replicas()).isEqualTo(Map.of(canary, 10));
        assertThat(later.events()).extracting(EngineEvent::reason).containsExactly(Reasons.SCALED_DOWN);
        assertThat(later.requeueAt()).isEmpty();
        assertThat(d.events(Reasons.STEP_COMPLETED)).hasSize(8);
    }

    @Test
    void anAbortMovesTrafficFirstAndPodsLater() {
        Drive d = checkout();
        d.decide();
        goodUntilStep(d, 4);
        Map<String, Integer> before = d.last.desired().replicas();
        assertThat(d.last.desired().canaryWeight()).isEqualTo(25);

        Decision abort = d.gate(GateAction.ABORT, "oncall@example.com").after(Duration.ofMinutes(1)).decide();
        assertThat(abort.status().aborted()).isTrue();
        assertThat(abort.status().phase()).isEqualTo(Phase.DEGRADED);
        assertThat(abort.status().abortReason()).isEqualTo("aborted by oncall@example.com");
        assertThat(abort.desired().canaryWeight()).isZero();
        assertThat(abort.desired().replicas()).isEqualTo(before); // traffic first: no pod moves in this decision
        assertThat(abort.desired().services()).containsEntry("checkout-api-canary", d.previous);
        assertThat(abort.runChanges()).allMatch(c -> !c.started());
        assertThat(abort.status().runs()).noneMatch(r -> r.isRunning());
        assertThat(abort.requeueAt()).contains(d.now);
        Instant abortedAt = d.now;

        Decision next = d.decide();
        assertThat(next.desired().replicasOf(d.previous)).isEqualTo(10);
        assertThat(next.desired().replicasOf(d.canary())).isEqualTo(3); // until abortScaleDownDelaySeconds
        assertThat(next.requeueAt()).contains(abortedAt.plusSeconds(30));

        Decision scaled = d.atRequeue().decide();
        assertThat(scaled.desired().replicas()).isEqualTo(Map.of(d.previous, 10));
        assertThat(scaled.status().phase()).isEqualTo(Phase.DEGRADED);

        // retry restarts from step 0 with new run ids
        Decision retry = d.podsReady().gate(GateAction.RETRY, "oncall@example.com").after(Duration.ofMinutes(5)).decide();
        assertThat(retry.status().aborted()).isFalse();
        assertThat(retry.status().stepIndex()).isZero();
        assertThat(retry.status().attempt()).isEqualTo(2);
        assertThat(retry.desired().replicasOf(d.canary())).isEqualTo(1);
        d.podsReady().after(Duration.ofSeconds(20)).decide();
        assertThat(d.status.run("2.bg")).isNotNull();
    }

    @Test
    void aFailedBackgroundAnalysisAborts() {
        Drive d = checkout();
        d.decide();
        goodUntilStep(d, 1);
        d.atRequeue().measure("error-rate", List.of(0.09)).decide(); // > 0.05: failed 1, failureLimit 1
        assertThat(d.status.aborted()).isFalse();
        Decision abort = d.atRequeue().measure("error-rate", List.of(0.08)).decide();
        assertThat(abort.status().aborted()).isTrue();
        assertThat(abort.status().abortReason()).startsWith("analysis 1.bg (background) failed: metric error-rate failed: "
                + "2 failed > failureLimit 1");
        EngineEvent aborted = abort.events().stream().filter(e -> e.reason().equals(Reasons.ABORTED)).findFirst().orElseThrow();
        assertThat(aborted.evidence()).anyMatch(e -> e.contains("error-rate: Failed") && e.contains("[0.08]"));
        assertThat(aborted.message()).contains("canary weight 5 -> 0");
    }

    @Test
    void aNewRevisionMidRolloutStartsOverFromStable() {
        Drive d = checkout();
        d.decide();
        goodUntilStep(d, 4);
        String first = d.canary();
        d.spec = dev.stepwise.bench.EngineBenchmarkAccess.withHash(d.spec, "newrevision");
        Decision restart = d.after(Duration.ofMinutes(1)).decide();
        assertThat(restart.status().canaryHash()).isEqualTo("newrevision");
        assertThat(restart.status().stableHash()).isEqualTo(d.previous);
        assertThat(restart.status().stepIndex()).isZero();
        assertThat(restart.status().attempt()).isEqualTo(2);
        assertThat(restart.desired().canaryWeight()).isZero();
        assertThat(restart.desired().replicas()).containsEntry(first, 3).containsEntry("newrevision", 1);
        assertThat(restart.scaleDowns()).extracting(ScaleDownDeadline::version).containsExactly(first);
        assertThat(restart.events()).extracting(EngineEvent::reason).contains(Reasons.NEW_REVISION);
        Decision later = d.podsReady().after(Duration.ofSeconds(30)).decide();
        assertThat(later.desired().replicas()).doesNotContainKey(first);
        assertThat(later.desired().canaryWeight()).isEqualTo(5);
    }

    @Test
    void goingBackToStableInGitRollsBackWithoutAnAbort() {
        Drive d = checkout();
        d.decide();
        goodUntilStep(d, 2);
        String previous = d.previous;
        d.spec = dev.stepwise.bench.EngineBenchmarkAccess.withHash(d.spec, previous);
        Decision back = d.after(Duration.ofMinutes(1)).decide();
        assertThat(back.status().aborted()).isFalse();
        assertThat(back.status().phase()).isEqualTo(Phase.HEALTHY);
        assertThat(back.desired().canaryWeight()).isZero();
        assertThat(back.events()).extracting(EngineEvent::reason).contains(Reasons.ROLLBACK_TO_STABLE);
        assertThat(back.status().runs()).noneMatch(r -> r.isRunning());
    }

    @Test
    void promoteFullSkipsEveryRemainingStepAndAnalysis() {
        Drive d = checkout();
        d.decide();
        goodUntilStep(d, 2);
        Decision full = d.gate(GateAction.PROMOTE_FULL, "lead@example.com").after(Duration.ofSeconds(10)).decide();
        assertThat(full.status().stepIndex()).isEqualTo(8);
        assertThat(full.status().run("1.s2").isRunning()).isFalse();
        assertThat(full.status().run("1.bg").isRunning()).isFalse();
        assertThat(full.desired().replicasOf(d.canary())).isEqualTo(10);
        Decision done = d.podsReady().after(Duration.ofSeconds(20)).decide();
        assertThat(done.status().phase()).isEqualTo(Phase.HEALTHY);
        assertThat(done.status().stableHash()).isEqualTo(d.canary());
    }

    @Test
    void skipJumpsToTheGivenStep() {
        Drive d = checkout();
        d.decide();
        goodUntilStep(d, 1);
        Decision skipped = d.skipTo(5, "lead@example.com").after(Duration.ofMinutes(1)).decide();
        assertThat(skipped.status().stepIndex()).isEqualTo(5);
        assertThat(skipped.desired().replicasOf(d.canary())).isEqualTo(5);
        assertThat(skipped.events()).anyMatch(e -> e.message().equals("skip: step 1 -> 5"));
        Decision nowhere = d.skipTo(42, "lead@example.com").decide();
        assertThat(nowhere.events()).anyMatch(e -> e.reason().equals(Reasons.GATE_IGNORED) && e.message().contains("no step 42"));
    }

    @Test
    void gateDecisionsApplyOnceAndStaleOnesNever() {
        Drive d = checkout();
        d.gates.add(GateDecision.of("old", GateAction.ABORT, "someone", Drive.T0.minusSeconds(60)));
        d.decide();
        assertThat(d.status.aborted()).isFalse(); // dated before this rollout started
        goodUntilStep(d, 1);
        d.gate(GateAction.PROMOTE, "a").after(Duration.ofSeconds(1)).decide();
        assertThat(d.status.stepIndex()).isEqualTo(2);
        int applied = d.status.appliedGates().size();
        d.after(Duration.ofSeconds(1)).decide(); // the same gate handed again
        assertThat(d.status.stepIndex()).isEqualTo(2);
        assertThat(d.status.appliedGates()).hasSize(applied).contains("g1");
    }

    @Test
    void aProgressDeadlineDegradesAndRecovers() {
        Drive d = checkout();
        d.decide();
        Decision late = d.after(Duration.ofSeconds(600)).decide(); // no canary pod in 10 minutes
        assertThat(late.status().phase()).isEqualTo(Phase.DEGRADED);
        assertThat(late.status().aborted()).isFalse(); // progressDeadlineAbort is not set
        assertThat(late.events()).extracting(EngineEvent::reason).containsExactly(Reasons.PROGRESS_DEADLINE);
        Decision recovered = d.podsReady().after(Duration.ofSeconds(5)).decide();
        assertThat(recovered.status().phase()).isEqualTo(Phase.PAUSED);
        assertThat(recovered.status().stepIndex()).isEqualTo(1);
    }

    /** Walks the run kinds of one rollout's status, for readable assertions above. */
    static final class AnalysisRunStateAssert {
        static void phase(dev.stepwise.engine.analysis.AnalysisRunState run, AnalysisPhase phase) {
            assertThat(run).isNotNull();
            assertThat(run.kind()).isIn(RunKind.values());
            assertThat(run.phase()).isEqualTo(phase);
        }
    }
}
