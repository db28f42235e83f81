package dev.stepwise.spec.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.plan.PlanJsonRenderer;
import dev.stepwise.plan.PlanTextRenderer;
import dev.stepwise.plan.Planner;
import dev.stepwise.spec.Finding;
import dev.stepwise.spec.SpecSet;
import dev.stepwise.validate.CrossDocumentChecks;
import org.junit.jupiter.api.Test;

/** Documents of the wrong shape give findings, never exceptions, and never hide the other documents. */
class OddInputTest {

    private static final String ODD = String.join("\n",
            "apiVersion: argoproj.io/v1alpha1", "kind: Rollout", "metadata: {name: steps-as-text}",
            "spec: {strategy: {canary: {steps: \"setWeight 10\", trafficRouting: [istio]}}, template: 7}",
            "---",
            "apiVersion: argoproj.io/v1alpha1", "kind: Rollout", "metadata: {name: list-strategy}",
            "spec: {strategy: [canary], replicas: 1.5e300}",
            "---",
            "apiVersion: argoproj.io/v1alpha1", "kind: Rollout", "metadata: {name: weird-steps}",
            "spec:",
            "  strategy:",
            "    canary:",
            "      maxSurge: lots",
            "      analysis: {templates: [{clusterScope: true}], args: [{value: 1}]}",
            "      steps: [{setWeight: ten}, {pause: {duration: 100000h}}, {experiment: {templates: [{specRef: middle}]}}, 5, {}]",
            "---",
            "apiVersion: argoproj.io/v1alpha1", "kind: AnalysisTemplate", "metadata: {name: odd-template}",
            "spec: {metrics: {name: m}, args: \"x\"}",
            "---",
            "apiVersion: flagger.app/v1beta1", "kind: Canary", "metadata: {name: odd-canary}",
            "spec: {targetRef: {name: app}, analysis: {interval: soon, stepWeights: [50, -10, 200], threshold: -3,",
            "  metrics: [{name: custom}, {thresholdRange: {min: x}}], match: [{uri: {prefix: /}}], webhooks: \"none\"}}",
            "---",
            "apiVersion: flagger.app/v1beta1", "kind: Canary", "metadata: {name: no-target}", "spec: {analysis: {}}",
            "---",
            "apiVersion: argoproj.io/v1alpha1", "kind: Rollout", "metadata: {name: fine}",
            "spec: {template: {spec: {containers: [{name: a, image: a:1}]}}, strategy: {canary: {steps: [{setWeight: 50}]}}}",
            "");

    @Test
    void everythingOddBecomesAFindingAndTheGoodDocumentStillMaps() {
        SpecSet set = ModelCases.yaml("odd.yaml", ODD);
        RepositoryModel model = RepositoryModel.of(set);
        assertThat(model.findings()).isNotEmpty().allMatch(f -> f.location().file().equals("odd.yaml"));
        assertThat(model.findings()).extracting(Finding::code).doesNotContain("model.internal");
        assertThat(model.rollout("default", "fine")).isPresent();
        assertThat(model.findings()).extracting(Finding::message).contains(
                "setWeight needs a whole number from 0 to 100",
                "'100000h' is longer than a year; a rollout step waits less than that",
                "specRef is 'middle'; it must be stable or canary",
                "a Canary needs spec.targetRef.name: the Deployment it rolls out",
                "steps must be a list of steps, found the string 'setWeight 10'",
                "trafficRouting must be a mapping of routers, found a list",
                "expected a number of pods or a percentage such as 25%, found the string 'lots'; Argo's default 25% is used",
                "an analysis template reference needs templateName",
                "these stepWeights never reach 100% (each should be larger than the one before); Flagger would not get there either",
                "metric 'custom' is not builtin (request-success-rate, request-duration) and has no templateRef: nothing to measure");
        // whatever did map can still be planned, rendered and checked
        String text = PlanTextRenderer.render(Planner.planAll(model));
        assertThat(text).contains("Rollout default/fine: canary").doesNotContain("steps-as-text");
        assertThat(PlanJsonRenderer.render(Planner.planAll(model))).contains("\"name\" : \"fine\"");
        assertThat(CrossDocumentChecks.check(set, model)).allMatch(f -> f.code().startsWith("cross."));
    }
}
