package dev.stepwise.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.spec.model.ModelCases;
import dev.stepwise.spec.model.RepositoryModel;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlannerTest {

    @Test
    void canaryWithIstioAndAnalysisReadsLikeAListing() {
        RepositoryModel model = ModelCases.model("canary-istio.yaml");
        String text = PlanTextRenderer.render(Planner.planAll(model));
        String hash = model.rollouts().get(0).podTemplateHash();
        assertThat(text).isEqualTo(String.join("\n",
                "Rollout shop/checkout-api: canary, from model-cases/canary-istio.yaml",
                "  images            checkout-api your-org/checkout-api:v2.1.0",
                "                    envoy envoyproxy/envoy:v1.30.1",
                "                    migrate your-org/checkout-migrate:v2.1.0",
                "  pod template      hash " + hash,
                "  replicas          10",
                "  traffic           istio virtualService checkout-vs (routes primary), destinationRule checkout-dr (subsets canary=canary, stable=stable)",
                "  services          canary checkout-api-canary, stable checkout-api-stable",
                "  managed routes    header-route, mirror-route",
                "  surge             maxSurge 50%, maxUnavailable 0",
                "  progress deadline 15m, then abort",
                "  waves             staging-eu → prod-eu, prod-us",
                "  promote to        envs/production/checkout-api.yaml (pull-request)",
                "  on abort          revert-branch",
                "",
                "  step  weight  action",
                "     1     10%  setWeight 10",
                "     2     10%  pause 5m",
                "     3     10%  analysis success-rate  (at least 4m30s)",
                "                success-rate [prometheus] every 1m × 5 after 30s; success when result[0] >= 0.95; failure when result[0] < 0.90; failureLimit 1; minSamples 3",
                "     4     50%  setWeight 50",
                "     5     50%  pause until promoted  <- waits for a person",
                "     6    100%  setWeight 100  [irreversible]",
                "     7    100%  promote: the new version becomes stable, old version scaled down after 30s",
                "",
                "  background analysis from step 3: latency",
                "                p99-latency [prometheus] every 2m until stopped; success when result[0] < 0.5; failureLimit 2",
                "",
                "  least total time  9m30s (pauses 5m + analyses 4m30s)",
                "  + waits for a person at step 5",
                ""));
    }

    @Test
    void leastTotalTimeArithmetic() {
        // pause 5m, then an analysis whose one metric waits 30s and measures 5 times a minute apart:
        // 30s + (5 - 1) × 1m = 4m30s; total 5m + 4m30s = 9m30s. The indefinite pause and the background
        // analysis (an interval without a count) add nothing.
        RolloutPlan canary = Planner.planAll(ModelCases.model("canary-istio.yaml")).get(0);
        assertThat(canary.pauseTime()).isEqualTo(Duration.ofMinutes(5));
        assertThat(canary.analysisTime()).isEqualTo(Duration.ofSeconds(270));
        assertThat(canary.leastTotalTime()).isEqualTo(Duration.ofSeconds(570));
        assertThat(canary.manualGates()).containsExactly(5);
        assertThat(canary.steps().get(2).analyses().get(0).metrics().get(0).leastDuration()).contains(Duration.ofSeconds(270));

        // blue-green: pre-promotion 3 measurements 2m apart = 4m, side by side with autoPromotionSeconds 600 = 10m,
        // so the switch comes after 10m; then post-promotion 4 measurements 5m apart (count and interval from the
        // ClusterAnalysisTemplate's argument defaults) = 15m. Total 25m.
        RolloutPlan bg = Planner.planAll(ModelCases.model("bluegreen.yaml")).get(0);
        assertThat(bg.steps().get(1).leastDuration()).contains(Duration.ofMinutes(4));
        assertThat(bg.steps().get(4).leastDuration()).contains(Duration.ofMinutes(15));
        assertThat(bg.leastTotalTime()).isEqualTo(Duration.ofMinutes(25));
        assertThat(bg.pauseTime()).isEqualTo(Duration.ofMinutes(10));
        assertThat(bg.analysisTime()).isEqualTo(Duration.ofMinutes(15));

        // Flagger: stepWeight 10 up to maxWeight 50 every 1m is 5 weights held one interval each: 5m
        RolloutPlan flagger = Planner.planAll(ModelCases.model("flagger-canary.yaml")).get(0);
        assertThat(flagger.leastTotalTime()).isEqualTo(Duration.ofMinutes(5));
        assertThat(flagger.manualGates()).containsExactly(1, 13);
    }

    @Test
    void blueGreenPlanStepsAndJsonFields() {
        RolloutPlan bg = Planner.planAll(ModelCases.model("bluegreen.yaml")).get(0);
        assertThat(bg.steps()).extracting(PlanStep::description).containsExactly(
                "scale up the new version behind storefront-preview: 2 pods",
                "prePromotionAnalysis smoke-tests",
                "promote automatically 10m after the preview is ready (autoPromotionSeconds)",
                "switch storefront-active to the new version",
                "postPromotionAnalysis error-budget (cluster)",
                "scale down the old version after 2m (scaleDownDelaySeconds)");
        String json = PlanJsonRenderer.render(List.of(bg));
        assertThat(json)
                .contains("\"strategy\" : \"blueGreen\"")
                .contains("\"leastTotalTime\" : \"PT25M\"")
                .contains("\"leastTotalTimeText\" : \"25m\"")
                .contains("\"kind\" : \"prePromotionAnalysis\"")
                .contains("\"canaryWeight\" : null")
                .contains("\"interval\" : \"PT5M\"")
                .contains("\"count\" : 4")
                .contains("\"dryRun\" : true")
                .contains("\"successCondition\" : \"result == \\\"ok\\\"\"");
    }

    @Test
    void canaryJsonCarriesWeightsGatesAndBackground() {
        String json = PlanJsonRenderer.render(Planner.planAll(ModelCases.model("canary-istio.yaml")));
        assertThat(json)
                .contains("\"origin\" : \"argo-rollout\"")
                .contains("\"canaryWeight\" : 50")
                .contains("\"manualGates\" : [ 5 ]")
                .contains("\"fromStep\" : 3")
                .contains("\"untilStopped\" : true")
                .contains("\"initialDelay\" : \"PT30S\"")
                .contains("\"leastTotalTime\" : \"PT9M30S\"");
    }

    @Test
    void flaggerBlueGreenAndAbPlans() {
        RolloutPlan bg = Planner.planAll(ModelCases.model("flagger-bluegreen.yaml")).get(0);
        assertThat(bg.steps()).extracting(PlanStep::description).containsExactly(
                "wait for confirm-rollout webhook 'approve-start'",
                "scale up the new version behind podinfo-canary: all pods",
                "prePromotionAnalysis flagger-metrics",
                "wait for confirm-promotion webhook 'approve-promotion'",
                "promote: copy podinfo to podinfo-primary, which podinfo serves",
                "scale podinfo to zero");
        assertThat(bg.manualGates()).containsExactly(1, 4);
        assertThat(bg.leastTotalTime()).isEqualTo(Duration.ofMinutes(5)); // 30s delay + 9 × 30s
        RolloutPlan ab = Planner.planAll(ModelCases.model("flagger-ab.yaml")).get(0);
        assertThat(ab.leastTotalTime()).isEqualTo(Duration.ofMinutes(10));
        assertThat(ab.notes()).containsExactly(
                "Flagger holds the weight when a check fails and rolls back after 10 failed checks; each failed check adds 1m");
    }

    @Test
    void missingTemplatesAndEndlessStepAnalysesAreCalledOut() {
        RolloutPlan p = Planner.planAll(ModelCases.model("all-steps.yaml")).get(0);
        assertThat(p.notes()).contains("analysis template smoke is not in the repository: its metrics are unknown");
        assertThat(p.leastTotalTime()).isEqualTo(Duration.ofSeconds(30).plusMinutes(90).plusMinutes(10));

        RepositoryModel endless = RepositoryModel.of(ModelCases.yaml("e.yaml", String.join("\n",
                "apiVersion: argoproj.io/v1alpha1", "kind: Rollout", "metadata: {name: e}", "spec:",
                "  template: {spec: {containers: [{name: a, image: a:1}]}}",
                "  strategy: {canary: {steps: [{analysis: {templates: [{templateName: forever}]}}]}}",
                "---",
                "apiVersion: argoproj.io/v1alpha1", "kind: AnalysisTemplate", "metadata: {name: forever}", "spec:",
                "  metrics: [{name: errors, interval: 1m, provider: {prometheus: {query: up}}}]", "")));
        RolloutPlan e = Planner.planAll(endless).get(0);
        assertThat(e.notes()).containsExactly(
                "the analysis at step 1 never completes on its own: errors measures until stopped (an interval without a count)");
        assertThat(e.leastTotalTime()).isZero();
    }
}
