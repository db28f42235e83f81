package dev.stepwise.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.engine.analysis.AnalysisPhase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** examples-repo's payments-api (blue-green with pre- and post-promotion analysis) through every stage, and aborts. */
class BlueGreenWalkthroughTest {

    private static Drive payments() {
        return Fixtures.rollout(Fixtures.examples("rollouts/payments-api.yaml", "analysis/smoke-tests.yaml",
                "analysis/success-rate.yaml")).drive();
    }

    /** Preview ready at T0+45s, smoke tests pass: returns with the rollout paused for auto-promotion. */
    private static Drive toAutoPromotionWait(Drive d) {
        Decision first = d.decide();
        assertThat(first.desired().replicas()).isEqualTo(Map.of(d.previous, 5, d.canary(), 2)); // previewReplicaCount
        assertThat(first.desired().services()).isEqualTo(Map.of("payments-api-active", d.previous,
                "payments-api-preview", d.canary()));
        Decision ready = d.podsReady().after(Duration.ofSeconds(45)).decide();
        assertThat(ready.status().stepIndex()).isEqualTo(1);
        assertThat(ready.status().previewReadyAt()).isEqualTo(Drive.T0.plusSeconds(45));
        assertThat(ready.events()).extracting(EngineEvent::reason).contains(Reasons.PREVIEW_READY, Reasons.ANALYSIS_STARTED);
        for (int i = 0; i < 3; i++) {
            d.atRequeue().measure("health", "ok").decide();
        }
        assertThat(d.status.run("1.pre").phase()).isEqualTo(AnalysisPhase.SUCCESSFUL);
        assertThat(d.status.phase()).isEqualTo(Phase.PAUSED);
        assertThat(d.status.message()).isEqualTo("auto-promotion at " + Drive.T0.plusSeconds(345) + " (autoPromotionSeconds 300)");
        assertThat(d.last.requeueAt()).contains(Drive.T0.plusSeconds(345));
        return d;
    }

    @Test
    void walksEveryStageToPromotion() {
        Drive d = toAutoPromotionWait(payments());
        Decision full = d.atRequeue().decide();
        assertThat(full.status().stepIndex()).isEqualTo(2);
        assertThat(full.desired().replicasOf(d.canary())).isEqualTo(5);
        assertThat(full.desired().services()).containsEntry("payments-api-active", d.previous);

        Decision switched = d.podsReady().after(Duration.ofSeconds(45)).decide();
        Instant t = d.now;
        assertThat(switched.status().switchedAt()).isEqualTo(t);
        assertThat(switched.desired().services()).containsEntry("payments-api-active", d.canary())
                .containsEntry("payments-api-preview", d.canary());
        assertThat(switched.desired().replicas()).isEqualTo(Map.of(d.previous, 5, d.canary(), 5)); // old stays up
        assertThat(switched.events()).extracting(EngineEvent::reason).contains(Reasons.SWITCHED);

        // post-promotion: the first two measurements rest on too few requests; then five good ones
        d.measure("success-rate", List.of(0.999), 12).decide();
        d.atRequeue().measure("success-rate", List.of(0.999), 12).decide();
        assertThat(d.status.run("1.post").metric("success-rate").insufficient()).isEqualTo(2);
        for (int i = 0; i < 5; i++) {
            d.atRequeue().measure("success-rate", List.of(0.998), 240).decide();
        }
        assertThat(d.status.phase()).isEqualTo(Phase.HEALTHY);
        assertThat(d.status.stableHash()).isEqualTo(d.canary());
        assertThat(d.last.desired().services()).isEqualTo(Map.of("payments-api-active", d.canary(),
                "payments-api-preview", d.canary()));
        assertThat(d.last.scaleDowns()).extracting(ScaleDownDeadline::version, ScaleDownDeadline::at)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(d.previous, d.now.plusSeconds(60)));
        Decision cleaned = d.atRequeue().decide();
        assertThat(cleaned.desired().replicas()).isEqualTo(Map.of(d.canary(), 5));
    }

    @Test
    void aFailedPostPromotionAnalysisSwitchesStraightBack() {
        Drive d = toAutoPromotionWait(payments());
        d.atRequeue().decide();
        d.podsReady().after(Duration.ofSeconds(45)).decide();
        Map<String, Integer> before = d.last.desired().replicas();
        d.measure("success-rate", List.of(0.90), 300).decide();
        Decision abort = d.atRequeue().measure("success-rate", List.of(0.90), 300).decide();
        assertThat(abort.status().aborted()).isTrue();
        assertThat(abort.desired().services()).isEqualTo(Map.of("payments-api-active", d.previous,
                "payments-api-preview", d.previous));
        assertThat(abort.desired().replicas()).isEqualTo(before);
        assertThat(abort.desired().canaryWeight()).isZero();
        Decision next = d.decide();
        assertThat(next.desired().replicasOf(d.previous)).isEqualTo(5);
        Decision scaled = d.atRequeue().decide(); // abortScaleDownDelaySeconds 30
        assertThat(scaled.desired().replicas()).isEqualTo(Map.of(d.previous, 5));
    }

    @Test
    void aFailedPrePromotionAnalysisNeverSwitches() {
        Drive d = payments();
        d.decide();
        d.podsReady().after(Duration.ofSeconds(45)).decide();
        Decision abort = d.measure("health", "degraded").decide();
        assertThat(abort.status().aborted()).isTrue();
        assertThat(abort.status().abortReason()).contains("1.pre (prePromotion) failed");
        assertThat(d.history).allMatch(x -> x.desired().services().get("payments-api-active").equals(d.previous));
    }

    @Test
    void withoutAutoPromotionAPersonPromotes() {
        Drive d = Fixtures.rollout("""
                apiVersion: argoproj.io/v1alpha1
                kind: Rollout
                metadata: {name: bg, namespace: shop}
                spec:
                  replicas: 3
                  template:
                    metadata: {labels: {app: bg}}
                    spec: {containers: [{name: app, image: "r/bg:v2"}]}
                  strategy:
                    blueGreen:
                      activeService: bg-active
                      autoPromotionEnabled: false
                """).drive();
        d.decide();
        Decision paused = d.podsReady().after(Duration.ofSeconds(30)).decide();
        assertThat(paused.status().phase()).isEqualTo(Phase.PAUSED);
        assertThat(paused.status().message()).isEqualTo("paused until promoted (autoPromotionEnabled is false)");
        assertThat(paused.requeueAt()).isEmpty();
        assertThat(d.after(Duration.ofHours(2)).decide().status().stepIndex()).isEqualTo(1);
        Decision promoted = d.gate(GateAction.PROMOTE, "me").after(Duration.ofSeconds(1)).decide();
        // all replicas were already up (no previewReplicaCount), so the switch and completion follow at once
        assertThat(promoted.status().phase()).isEqualTo(Phase.HEALTHY);
        assertThat(promoted.desired().services()).containsEntry("bg-active", d.canary());
    }

    @Test
    void flaggerConfirmGatesHoldTheStartAndTheSwitch() {
        Fixtures.Rollout r = Fixtures.rollout(dev.stepwise.spec.model.ModelCases.model("flagger-bluegreen.yaml"));
        Drive d = r.drive();
        Decision first = d.decide();
        assertThat(first.status().phase()).isEqualTo(Phase.PAUSED);
        assertThat(first.status().message()).contains("confirm-rollout webhook 'approve-start'");
        assertThat(first.desired().replicasOf(d.canary())).isZero();
        d.gate(GateAction.PROMOTE, "gate").after(Duration.ofSeconds(5)).decide();
        assertThat(d.last.desired().replicasOf(d.canary())).isEqualTo(1);
        d.podsReady().after(Duration.ofSeconds(20)).decide();
        assertThat(d.status.stepIndex()).isEqualTo(1);
        // 10 iterations of 30s, every one measured; then the confirm-promotion gate
        for (int i = 0; i < 40 && d.status.run("1.pre").isRunning(); i++) {
            d.atRequeue().measure("request-duration", 120.0).decide();
        }
        assertThat(d.status.run("1.pre").phase()).isEqualTo(AnalysisPhase.SUCCESSFUL);
        assertThat(d.status.run("1.pre").metric("request-duration").measured()).isEqualTo(10);
        assertThat(d.status.phase()).isEqualTo(Phase.PAUSED);
        assertThat(d.status.message()).contains("confirm-promotion webhook 'approve-promotion'");
        Decision done = d.gate(GateAction.PROMOTE, "gate").after(Duration.ofSeconds(5)).decide();
        assertThat(done.status().phase()).isEqualTo(Phase.HEALTHY);
    }
}
