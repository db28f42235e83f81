package dev.stepwise.policy;

import static dev.stepwise.policy.PolicyFixtures.file;
import static dev.stepwise.policy.PolicyFixtures.load;
import static dev.stepwise.policy.PolicyFixtures.named;
import static dev.stepwise.policy.PolicyFixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.spec.Finding;
import dev.stepwise.spec.SpecDocument;
import dev.stepwise.spec.SpecSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which documents a rule's match selects: every given field must match, an absent field matches everything. */
class PolicyMatchTest {

    private static final SpecSet DOCS = load(file("apps/all.yaml", """
            apiVersion: argoproj.io/v1alpha1
            kind: Rollout
            metadata:
              name: checkout
              namespace: production
              labels: {tier: critical, team: payments}
            spec: {}
            ---
            apiVersion: argoproj.io/v1alpha1
            kind: Rollout
            metadata:
              name: search
              labels: {tier: standard, version: 2}
            spec: {}
            ---
            apiVersion: flagger.app/v1beta1
            kind: Canary
            metadata:
              name: checkout
              namespace: production
              labels: {tier: critical}
            spec: {}
            ---
            apiVersion: argoproj.io/v1alpha1
            kind: AnalysisTemplate
            metadata:
              name: success-rate
              namespace: production
            spec: {}
            """));

    private static final SpecDocument ROLLOUT = DOCS.documents().get(0);
    private static final SpecDocument DEFAULT_NS_ROLLOUT = named(DOCS, "search");
    private static final SpecDocument CANARY = DOCS.documents().get(2);
    private static final SpecDocument TEMPLATE = named(DOCS, "success-rate");

    private static PolicyMatch match(List<String> kinds, List<String> namespaces, List<String> names, Map<String, String> labels) {
        return new PolicyMatch(kinds, namespaces, names, labels);
    }

    @Test
    void absentFieldsMatchEverything() {
        assertThat(DOCS.documents()).allSatisfy(d -> assertThat(PolicyMatch.ALL.matches(d)).isTrue());
    }

    @Test
    void kindsSelectByKindName() {
        PolicyMatch m = match(List.of("Rollout", "AnalysisTemplate"), List.of(), List.of(), Map.of());
        assertThat(DOCS.documents()).filteredOn(m::matches).containsExactly(ROLLOUT, DEFAULT_NS_ROLLOUT, TEMPLATE);
    }

    @Test
    void namespacesCountAMissingNamespaceAsDefault() {
        assertThat(DOCS.documents()).filteredOn(match(List.of(), List.of("default"), List.of(), Map.of())::matches)
                .containsExactly(DEFAULT_NS_ROLLOUT);
        assertThat(DOCS.documents()).filteredOn(match(List.of(), List.of("production"), List.of(), Map.of())::matches)
                .containsExactly(ROLLOUT, CANARY, TEMPLATE);
    }

    @Test
    void namesSelectByMetadataName() {
        assertThat(DOCS.documents()).filteredOn(match(List.of(), List.of(), List.of("checkout"), Map.of())::matches)
                .containsExactly(ROLLOUT, CANARY);
    }

    @Test
    void everyLabelMustBePresentWithExactlyThatValue() {
        assertThat(match(List.of(), List.of(), List.of(), Map.of("tier", "critical", "team", "payments")).matches(ROLLOUT)).isTrue();
        assertThat(match(List.of(), List.of(), List.of(), Map.of("tier", "critical", "team", "payments")).matches(CANARY))
                .as("Canary has tier but no team label").isFalse();
        assertThat(match(List.of(), List.of(), List.of(), Map.of("tier", "Critical")).matches(ROLLOUT))
                .as("values compare exactly").isFalse();
        assertThat(match(List.of(), List.of(), List.of(), Map.of("version", "2")).matches(DEFAULT_NS_ROLLOUT))
                .as("an unquoted number label compares as its text").isTrue();
        assertThat(match(List.of(), List.of(), List.of(), Map.of("tier", "critical")).matches(TEMPLATE))
                .as("no labels at all").isFalse();
    }

    @Test
    void allGivenFieldsMustMatch() {
        PolicyMatch m = match(List.of("Rollout"), List.of("production"), List.of("checkout"), Map.of("tier", "critical"));
        assertThat(DOCS.documents()).filteredOn(m::matches).containsExactly(ROLLOUT);
    }

    @Test
    void aRuleRunsOnlyOnTheDocumentsItsMatchSelects() {
        PolicySet set = PolicySet.compile(load(policy("policies/p.yaml", "p", """
                - name: canaries-in-production
                  match: {kinds: [Canary], namespaces: [production]}
                  rule: "false"
                - name: critical-rollouts
                  match:
                    kinds: [Rollout]
                    labels: {tier: critical}
                  rule: "false"
                - name: by-name
                  match: {names: [success-rate]}
                  rule: "false"
                  action: warn
                - name: everything
                  rule: "has(object.metadata.name)"
                """)).documents());
        assertThat(set.findings()).isEmpty();
        assertThat(set.rules().get(1).match().labels()).containsExactly(Map.entry("tier", "critical"));
        assertThat(set.evaluate(ROLLOUT)).extracting(Finding::message)
                .singleElement().asString().startsWith("p/critical-rollouts:");
        assertThat(set.evaluate(DEFAULT_NS_ROLLOUT)).isEmpty();
        assertThat(set.evaluate(CANARY)).extracting(Finding::message)
                .singleElement().asString().startsWith("p/canaries-in-production:");
        assertThat(set.evaluate(TEMPLATE)).extracting(Finding::code).containsExactly("policy.warn");
    }
}
