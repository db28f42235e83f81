package dev.stepwise.policy;

import static dev.stepwise.policy.PolicyFixtures.examplePolicies;
import static dev.stepwise.policy.PolicyFixtures.load;
import static dev.stepwise.policy.PolicyFixtures.named;
import static dev.stepwise.policy.PolicyFixtures.resources;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.spec.Finding;
import dev.stepwise.spec.Location;
import dev.stepwise.spec.Severity;
import dev.stepwise.spec.SpecSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The example repository's policies, each against manifests that pass and manifests that fail. */
class PolicyExamplesTest {

    private final PolicySet policies = examplePolicies();

    @Test
    void examplePoliciesHoldTheDocumentedRules() {
        assertThat(policies.rules()).extracting(PolicyRule::qualifiedName).containsExactly(
                "critical-teams/manual-gate-before-majority",
                "production-safety/canary-needs-analysis-step",
                "production-safety/blue-green-needs-pre-promotion-analysis",
                "rollout-hygiene/first-weight-at-most-10",
                "rollout-hygiene/first-weight-at-most-10-flagger",
                "rollout-hygiene/image-tag-pinned");
        assertThat(policies.rules()).allSatisfy(r -> assertThat(r.action()).isEqualTo(PolicyAction.DENY));
    }

    @Test
    void aWellFormedProductionCanaryPassesEveryRule() {
        SpecSet specs = load(resources("rollouts/canary-production-good.yaml"));
        assertThat(policies.evaluate(specs.documents().get(0))).isEmpty();
    }

    @Test
    void productionCanaryWithoutAnalysisStepIsDenied() {
        SpecSet specs = load(resources("rollouts/canary-production-no-analysis.yaml"));
        List<Finding> findings = policies.evaluate(specs.documents().get(0));
        assertThat(findings).hasSize(1);
        Finding f = findings.get(0);
        assertThat(f.code()).isEqualTo("policy.deny");
        assertThat(f.severity()).isEqualTo(Severity.ERROR);
        assertThat(f.message())
                .startsWith("production-safety/canary-needs-analysis-step: production canary rollouts need an analysis step")
                .contains("(rule at policies/production-safety.yaml:11)");
        // the document starts after the comment on line 1
        assertThat(f.location()).isEqualTo(new Location("rollouts/canary-production-no-analysis.yaml", 2, 1));
        assertThat(f.pointer()).isEmpty();
    }

    @Test
    void productionBlueGreenNeedsPrePromotionAnalysis() {
        SpecSet specs = load(resources("rollouts/bluegreen-production.yaml"));
        assertThat(policies.evaluate(named(specs, "billing-ui"))).isEmpty();
        List<Finding> findings = policies.evaluate(named(specs, "billing-admin"));
        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo("policy.deny");
            assertThat(f.severity()).isEqualTo(Severity.ERROR);
            assertThat(f.message()).startsWith("production-safety/blue-green-needs-pre-promotion-analysis: "
                    + "production blue-green rollouts need spec.strategy.blueGreen.prePromotionAnalysis")
                    .contains("policies/production-safety.yaml:22");
            assertThat(f.location()).isEqualTo(new Location("rollouts/bluegreen-production.yaml", 28, 1));
        });
    }

    @Test
    void theFirstSetWeightMayNotExceedTen() {
        SpecSet specs = load(resources("rollouts/canary-first-weight-too-high.yaml"));
        assertThat(policies.evaluate(specs.documents().get(0))).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo("policy.deny");
            assertThat(f.message()).startsWith("rollout-hygiene/first-weight-at-most-10: the first setWeight step")
                    .contains("policies/rollout-hygiene.yaml:11");
            assertThat(f.location()).isEqualTo(new Location("rollouts/canary-first-weight-too-high.yaml", 1, 1));
        });
    }

    @Test
    void paymentsRolloutNeedsAManualGateBeforeMoreThanHalfTheTraffic() {
        SpecSet specs = load(resources("rollouts/payments-without-gate.yaml"));
        assertThat(policies.evaluate(specs.documents().get(0))).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo("policy.deny");
            assertThat(f.severity()).isEqualTo(Severity.ERROR);
            assertThat(f.message()).startsWith("critical-teams/manual-gate-before-majority: rollouts labelled team: payments")
                    .contains("policies/critical-teams.yaml:15");
            assertThat(f.location().file()).isEqualTo("rollouts/payments-without-gate.yaml");
            assertThat(f.location().line()).isEqualTo(1);
        });
    }

    @Test
    void manualGateAppliesToAuthAndOptedInRolloutsOnly() {
        SpecSet specs = load(resources("rollouts/auth-opt-in-gate.yaml"));
        assertThat(policies.evaluate(named(specs, "auth-service"))).as("pause: {} before setWeight 60").isEmpty();
        assertThat(policies.evaluate(named(specs, "ledger"))).singleElement().satisfies(f -> {
            assertThat(f.message()).startsWith("critical-teams/manual-gate-before-majority:");
            assertThat(f.location()).isEqualTo(new Location("rollouts/auth-opt-in-gate.yaml", 28, 1));
        });
        assertThat(policies.evaluate(named(specs, "catalog"))).as("not a critical team").isEmpty();
    }

    @Test
    void imagesNeedATagOtherThanLatest() {
        SpecSet specs = load(resources("rollouts/images.yaml"));
        assertThat(policies.evaluate(named(specs, "uses-latest"))).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo("policy.deny");
            assertThat(f.message()).startsWith("rollout-hygiene/image-tag-pinned: every container image needs an explicit tag")
                    .contains("policies/rollout-hygiene.yaml:33");
            assertThat(f.location()).isEqualTo(new Location("rollouts/images.yaml", 1, 1));
        });
        assertThat(policies.evaluate(named(specs, "no-tag"))).singleElement()
                .satisfies(f -> assertThat(f.message()).startsWith("rollout-hygiene/image-tag-pinned:"))
                .satisfies(f -> assertThat(f.location().line()).isEqualTo(25));
        assertThat(policies.evaluate(named(specs, "workload-ref"))).as("no pod template to check").isEmpty();
    }

    @Test
    void flaggerCanaryFirstStepIsStepWeightsFirstElseStepWeight() {
        SpecSet specs = load(resources("rollouts/flagger.yaml"));
        assertThat(policies.evaluate(named(specs, "podinfo"))).isEmpty();
        assertThat(policies.evaluate(named(specs, "frontend"))).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo("policy.deny");
            assertThat(f.message()).startsWith("rollout-hygiene/first-weight-at-most-10-flagger:");
            assertThat(f.location()).isEqualTo(new Location("rollouts/flagger.yaml", 24, 1));
        });
    }
}
