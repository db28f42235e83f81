package dev.stepwise.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.spec.model.ModelCases;
import dev.stepwise.spec.model.RepositoryModel;
import org.junit.jupiter.api.Test;

class PlanDiffTest {

    private final RepositoryModel base = ModelCases.model("diff-base.yaml");
    private final RepositoryModel head = ModelCases.model("diff-head.yaml");

    @Test
    void reportsImageReplicaStepAndConditionChanges() {
        PlanDiff diff = PlanDiff.between(base, head);
        assertThat(diff.rollouts()).extracting(PlanDiff.RolloutChange::qualifiedName, PlanDiff.RolloutChange::kind)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("shop/checkout-api", PlanDiff.Kind.CHANGED),
                        org.assertj.core.groups.Tuple.tuple("shop/search", PlanDiff.Kind.ADDED),
                        org.assertj.core.groups.Tuple.tuple("shop/legacy", PlanDiff.Kind.REMOVED));
        assertThat(diff.rollouts().get(0).changes()).extracting(PlanDiff.Change::describe).containsExactly(
                "checkout-api: your-org/checkout-api:v2.0.0 → v2.1.0",
                "replicas: 5 → 8",
                "step 2: pause 10m → pause 5m",
                "step 5 added: pause until promoted",
                "success-rate/success-rate successCondition: result[0] >= 0.95 → result[0] >= 0.99");
    }

    @Test
    void rendersAsTextAndJson() {
        PlanDiff diff = PlanDiff.between(base, head);
        assertThat(PlanTextRenderer.render(diff)).isEqualTo(String.join("\n",
                "~ shop/checkout-api",
                "    checkout-api: your-org/checkout-api:v2.0.0 → v2.1.0",
                "    replicas: 5 → 8",
                "    step 2: pause 10m → pause 5m",
                "    step 5 added: pause until promoted",
                "    success-rate/success-rate successCondition: result[0] >= 0.95 → result[0] >= 0.99",
                "+ shop/search (new rollout)",
                "- shop/legacy (removed)",
                ""));
        String json = PlanJsonRenderer.render(diff);
        assertThat(json).contains("\"change\" : \"changed\"").contains("\"area\" : \"image\"")
                .contains("\"before\" : \"your-org/checkout-api:v2.0.0\"").contains("\"after\" : \"your-org/checkout-api:v2.1.0\"")
                .contains("\"subject\" : \"step 5\"").contains("\"before\" : null");
    }

    @Test
    void noChangeIsAnEmptyDiff() {
        PlanDiff diff = PlanDiff.between(head, ModelCases.model("diff-head.yaml"));
        assertThat(diff.isEmpty()).isTrue();
        assertThat(PlanTextRenderer.render(diff)).isEqualTo("no rollout changes\n");
    }

    @Test
    void aTemplateOnlyChangeShowsAsAPodTemplateChange() {
        String a = "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: a}\nspec:\n  strategy: {canary: {}}\n"
                + "  template: {spec: {containers: [{name: app, image: app:1, env: [{name: MODE, value: x}]}]}}\n";
        PlanDiff diff = PlanDiff.between(RepositoryModel.of(ModelCases.yaml("a.yaml", a)),
                RepositoryModel.of(ModelCases.yaml("a.yaml", a.replace("value: x", "value: y"))));
        assertThat(diff.rollouts().get(0).changes()).extracting(PlanDiff.Change::area).containsExactly("template");
    }
}
