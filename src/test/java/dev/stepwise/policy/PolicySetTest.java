package dev.stepwise.policy;

import static dev.stepwise.policy.PolicyFixtures.file;
import static dev.stepwise.policy.PolicyFixtures.load;
import static dev.stepwise.policy.PolicyFixtures.named;
import static dev.stepwise.policy.PolicyFixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.spec.Finding;
import dev.stepwise.spec.Location;
import dev.stepwise.spec.Severity;
import dev.stepwise.spec.SourceFile;
import dev.stepwise.spec.SpecDocument;
import dev.stepwise.spec.SpecSet;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Compiling rules (and reporting broken ones where they are written) and evaluating them against documents. */
class PolicySetTest {

    private static final SourceFile ROLLOUTS = file("apps/rollouts.yaml", """
            apiVersion: argoproj.io/v1alpha1
            kind: Rollout
            metadata:
              name: web
              namespace: shop
            spec:
              replicas: 3
              paused: ~
              weight: 10
              ratio: 0.5
              template:
                spec:
                  containers:
                    - name: web
                      image: ghcr.io/acme/web:1.0.0
              strategy:
                canary:
                  steps:
                    - setWeight: 5
                    - pause: {}
            ---
            apiVersion: argoproj.io/v1alpha1
            kind: Rollout
            metadata:
              name: admin
              namespace: shop
            spec:
              replicas: 1
              weight: 7.5
              strategy:
                blueGreen:
                  activeService: admin
            """);

    private static SpecSet rollouts() {
        return load(ROLLOUTS);
    }

    private static PolicySet compile(SourceFile... policyFiles) {
        return PolicySet.compile(load(policyFiles).documents());
    }

    private static PolicySet compileClean(String rulesYaml) {
        PolicySet set = compile(policy("policies/p.yaml", "p", rulesYaml));
        assertThat(set.findings()).isEmpty();
        return set;
    }

    private static Finding onlyCompileFinding(String rulesYaml) {
        PolicySet set = compile(policy("policies/p.yaml", "p", rulesYaml));
        assertThat(set.rules()).isEmpty();
        assertThat(set.findings()).hasSize(1);
        return set.findings().get(0);
    }

    // --- deny and warn ---

    @Test
    void aFalseDenyRuleIsAnErrorAndAFalseWarnRuleAWarning() {
        PolicySet set = compileClean("""
                - name: few-replicas
                  rule: "object.spec.replicas <= 2"
                  message: at most two replicas
                - name: one-replica
                  rule: "object.spec.replicas <= 1"
                  message: ideally one replica
                  action: warn
                """);
        List<Finding> findings = set.evaluate(named(rollouts(), "web"));
        assertThat(findings).extracting(Finding::severity, Finding::code, Finding::message).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Severity.ERROR, "policy.deny",
                        "p/few-replicas: at most two replicas (rule at policies/p.yaml:8)"),
                org.assertj.core.groups.Tuple.tuple(Severity.WARNING, "policy.warn",
                        "p/one-replica: ideally one replica (rule at policies/p.yaml:11)"));
        assertThat(findings).allSatisfy(f -> {
            assertThat(f.location()).isEqualTo(new Location("apps/rollouts.yaml", 1, 1));
            assertThat(f.pointer()).isEmpty();
        });
        assertThat(set.evaluate(named(rollouts(), "admin"))).as("admin has one replica").isEmpty();
    }

    @Test
    void actionDefaultsToDenyAndMessageToTheExpression() {
        PolicySet set = compileClean("""
                - name: no-message
                  rule: "object.spec.replicas < 2"
                """);
        assertThat(set.rules().get(0).action()).isEqualTo(PolicyAction.DENY);
        assertThat(set.evaluate(named(rollouts(), "web"))).singleElement().satisfies(f -> {
            assertThat(f.severity()).isEqualTo(Severity.ERROR);
            assertThat(f.message()).isEqualTo("p/no-message: rule is false: object.spec.replicas < 2 (rule at policies/p.yaml:8)");
        });
    }

    @Test
    void findingsOfALaterDocumentAreLocatedAtItsStart() {
        PolicySet set = compileClean("""
                - name: never
                  rule: "false"
                """);
        assertThat(set.evaluate(named(rollouts(), "admin"))).singleElement()
                .satisfies(f -> assertThat(f.location()).isEqualTo(new Location("apps/rollouts.yaml", 22, 1)));
    }

    // --- values as CEL sees them ---

    @Test
    void intsDoublesNullsAndNestedHasBehaveAsInKubernetes() {
        PolicySet set = compileClean("""
                - name: int-compares-with-int
                  rule: "object.spec.weight <= 10"
                - name: int-equals-double
                  rule: "object.spec.weight == 10.0 || object.spec.weight == 7.5"
                - name: double-compares-with-int
                  rule: "!has(object.spec.ratio) || object.spec.ratio < 1"
                - name: null-is-null
                  rule: "!has(object.spec.paused) || object.spec.paused == null"
                - name: nested-has
                  rule: "has(object.spec.strategy.canary) == !has(object.spec.strategy.blueGreen)"
                - name: nested-has-on-lists
                  rule: "!has(object.spec.strategy.canary) || object.spec.strategy.canary.steps.exists(s, has(s.pause))"
                - name: strings-extension
                  rule: >-
                    !has(object.spec.template) || object.spec.template.spec.containers.all(c,
                      !c.image.endsWith(':latest') && c.image.split('/').size() == 3 && c.name.upperAscii() == 'WEB')
                - name: weights-above-ten-fail
                  rule: "object.spec.weight < 10"
                  action: warn
                """);
        assertThat(set.evaluate(named(rollouts(), "web"))).extracting(Finding::message)
                .singleElement().asString().startsWith("p/weights-above-ten-fail:");
        assertThat(set.evaluate(named(rollouts(), "admin"))).isEmpty();
    }

    @Test
    void theLibrariesNamedInTheDocsAreAvailable() {
        PolicySet set = compileClean("""
                - name: optional-selection
                  rule: "object.?spec.?strategy.?canary.hasValue() && !object.?spec.?strategy.?blueGreen.hasValue()"
                - name: optional-or-value
                  rule: "object.?metadata.?labels.?team.orValue('none') == 'none'"
                - name: keys-with-slashes
                  rule: "!('stepwise.dev/gate' in object.metadata) || object.metadata['stepwise.dev/gate'] == 'manual'"
                - name: strings
                  rule: "object.metadata.name.contains('we') && object.metadata.name.lastIndexOf('b') == 2 && object.metadata.name.lowerAscii() == 'web'"
                - name: lists
                  rule: "lists.range(3).slice(1, 3) == [1, 2] && [[1], [2, 2]].flatten().distinct() == [1, 2]"
                - name: sets
                  rule: "sets.contains([1, 2, 3], [2, 3])"
                - name: regex
                  rule: "object.metadata.name.matches('^w[a-z]+$') && regex.extract('app:1.2', ':(.*)') == optional.of('1.2')"
                - name: math-and-base64
                  rule: "math.greatest(1, 5, 3) == 5 && base64.encode(b'hi') == 'aGk='"
                - name: bind
                  rule: "cel.bind(steps, object.spec.strategy.canary.steps, steps.size() == 2)"
                - name: two-variable-comprehension
                  rule: "object.spec.strategy.canary.steps.all(i, step, i != 0 || has(step.setWeight))"
                - name: macros
                  rule: "object.spec.strategy.canary.steps.exists_one(s, has(s.pause)) && object.spec.strategy.canary.steps.map(s, size(s)).filter(n, n == 1).size() == 2"
                """);
        assertThat(set.rules()).hasSize(11);
        assertThat(set.evaluate(named(rollouts(), "web"))).isEmpty();
    }

    // --- compile errors, located at the rule ---

    @Test
    void aSyntaxErrorIsLocatedAtTheRuleValueWithTheColumnInTheExpression() {
        Finding f = onlyCompileFinding("""
                - name: broken
                  rule: "object.spec.replicas +"
                """);
        assertThat(f.code()).isEqualTo("policy.compile");
        assertThat(f.severity()).isEqualTo(Severity.ERROR);
        assertThat(f.pointer()).isEqualTo("/spec/rules/0/rule");
        // line 8 is `      rule: "object.spec.replicas +"`; the value (its opening quote) starts in column 13
        assertThat(f.location()).isEqualTo(new Location("policies/p.yaml", 8, 13));
        assertThat(f.message()).isEqualTo("p/broken: rule does not compile: the expression ends too early "
                + "(an operand or a closing bracket is missing) at column 23 (at the end of the expression)");
    }

    @Test
    void anUnknownNameSaysTheDocumentIsCalledObject() {
        Finding f = onlyCompileFinding("""
                - name: typo
                  rule: object.spec.replicas > 1 && objekt.spec.paused
                """);
        assertThat(f.code()).isEqualTo("policy.compile");
        assertThat(f.location()).isEqualTo(new Location("policies/p.yaml", 8, 13));
        assertThat(f.message()).startsWith("p/typo: rule does not compile: unknown name 'objekt'")
                .contains("called 'object'")
                .endsWith("at column 29 (\"objekt.spec.paused\")");
    }

    @Test
    void aTypeErrorNamesTheOperatorAndItsOperands() {
        Finding f = onlyCompileFinding("""
                - name: types
                  rule: "'v' + 1 == 'v1'"
                """);
        assertThat(f.code()).isEqualTo("policy.compile");
        assertThat(f.message()).startsWith("p/types: rule does not compile: '+' cannot be applied to (string, int)")
                .endsWith("at column 5 (\"+ 1 == 'v1'\")");
    }

    @Test
    void anUnknownFunctionIsCalledAFunction() {
        Finding f = onlyCompileFinding("""
                - name: fn
                  rule: "object.metadata.name.format([1]) == ''"
                """);
        assertThat(f.message()).contains("unknown function 'format'");
    }

    @Test
    void anErrorInAMultiLineRuleNamesItsLineInTheExpression() {
        Finding f = onlyCompileFinding("""
                - name: multi
                  rule: |
                    has(object.spec) &&
                      object.spec.replicas >> 2
                """);
        assertThat(f.code()).isEqualTo("policy.compile");
        assertThat(f.location()).isEqualTo(new Location("policies/p.yaml", 8, 13));
        assertThat(f.message()).contains("at line 2, column 25");
    }

    @Test
    void aRuleThatCannotBeABoolIsACompileError() {
        Finding f = onlyCompileFinding("""
                - name: counts
                  rule: "size(object.spec)"
                """);
        assertThat(f.code()).isEqualTo("policy.compile");
        assertThat(f.pointer()).isEqualTo("/spec/rules/0/rule");
        assertThat(f.message()).isEqualTo("p/counts: a rule must evaluate to true or false, but this one evaluates to int "
                + "(compare it, e.g. '… == …' or '… <= 10')");
    }

    @Test
    void aPolicyWithACompileErrorKeepsItsGoodRules() {
        PolicySet set = compile(policy("policies/p.yaml", "p", """
                - name: broken
                  rule: "object.spec.("
                - name: good
                  rule: "object.spec.replicas < 2"
                """));
        assertThat(set.findings()).extracting(Finding::code, Finding::pointer)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("policy.compile", "/spec/rules/0/rule"));
        assertThat(set.rules()).extracting(PolicyRule::name).containsExactly("good");
        assertThat(set.evaluate(named(rollouts(), "web"))).extracting(Finding::message)
                .singleElement().asString().startsWith("p/good:");
    }

    // --- evaluation errors are findings, never exceptions ---

    @Test
    void aMissingFieldIsAnEvalFindingThatSuggestsHas() {
        PolicySet set = compileClean("""
                - name: steps
                  rule: "object.spec.strategy.canary.steps.size() > 0"
                - name: steps-warn
                  rule: "object.spec.strategy.canary.steps.size() > 0"
                  action: warn
                """);
        List<Finding> findings = set.evaluate(named(rollouts(), "admin"));
        assertThat(findings).extracting(Finding::code).containsExactly("policy.eval", "policy.eval");
        assertThat(findings).extracting(Finding::severity).containsExactly(Severity.ERROR, Severity.WARNING);
        assertThat(findings.get(0).message())
                .startsWith("p/steps: could not evaluate the rule on Rollout shop/admin: key 'canary' is not present in map")
                .contains("at column 21 (\".canary.steps.size() > 0\")")
                .contains("has()")
                .endsWith("(rule at policies/p.yaml:8)");
        assertThat(findings.get(0).location()).isEqualTo(new Location("apps/rollouts.yaml", 22, 1));
        assertThat(set.evaluate(named(rollouts(), "web"))).isEmpty();
    }

    @Test
    void aDynamicResultThatIsNotABoolIsAnEvalFinding() {
        PolicySet set = compileClean("""
                - name: replicas
                  rule: "object.spec.replicas"
                """);
        assertThat(set.evaluate(named(rollouts(), "web"))).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo("policy.eval");
            assertThat(f.severity()).isEqualTo(Severity.ERROR);
            assertThat(f.message()).contains("the rule evaluated to 3 (int), not to true or false");
        });
    }

    @Test
    void runawayIterationIsStoppedAndReported() {
        PolicySet set = compileClean("""
                - name: quadratic
                  rule: "lists.range(1000).all(i, lists.range(1000).all(j, i + j >= 0))"
                """);
        assertThat(set.evaluate(named(rollouts(), "web"))).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo("policy.eval");
            assertThat(f.message()).contains("Iteration budget exceeded").contains("avoid nesting comprehensions");
        });
    }

    @Test
    void otherRuntimeErrorsAreFindingsToo() {
        PolicySet set = compileClean("""
                - name: index
                  rule: "object.spec.strategy.canary.steps[5].setWeight == 5"
                - name: divide
                  rule: "object.spec.replicas / (object.spec.replicas - 3) == 1"
                - name: convert
                  rule: "int(object.metadata.name) > 0"
                """);
        assertThat(set.evaluate(named(rollouts(), "web"))).extracting(Finding::code)
                .containsExactly("policy.eval", "policy.eval", "policy.eval");
        assertThat(set.evaluate(named(rollouts(), "web")).get(0).message()).contains("size()");
    }

    // --- names ---

    @Test
    void twoRulesWithTheSameNameInOnePolicyAreAnError() {
        PolicySet set = compile(policy("policies/p.yaml", "p", """
                - name: same
                  rule: "true"
                - name: same
                  rule: "object.spec.replicas < 2"
                """));
        assertThat(set.findings()).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo("policy.duplicate");
            assertThat(f.severity()).isEqualTo(Severity.ERROR);
            assertThat(f.pointer()).isEqualTo("/spec/rules/1/name");
            assertThat(f.location()).isEqualTo(new Location("policies/p.yaml", 9, 13));
            assertThat(f.message()).contains("p/same").contains("first is at line 7");
        });
        assertThat(set.rules()).as("both stay in force").hasSize(2);
    }

    @Test
    void twoPoliciesWithTheSameNameAreAnError() {
        PolicySet set = compile(
                policy("policies/a.yaml", "shared", "- name: one\n  rule: \"true\"\n"),
                policy("policies/b.yaml", "shared", "- name: two\n  rule: \"true\"\n"));
        assertThat(set.findings()).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo("policy.duplicate");
            assertThat(f.location()).isEqualTo(new Location("policies/b.yaml", 4, 9));
            assertThat(f.message()).contains("policy shared is defined twice (also in policies/a.yaml:4)");
        });
    }

    @Test
    void sameRuleNameInDifferentPoliciesIsFine() {
        PolicySet set = compile(
                policy("policies/a.yaml", "a", "- name: one\n  rule: \"true\"\n"),
                policy("policies/b.yaml", "b", "- name: one\n  rule: \"true\"\n"));
        assertThat(set.findings()).isEmpty();
        assertThat(set.rules()).extracting(PolicyRule::qualifiedName).containsExactly("a/one", "b/one");
    }

    // --- entries that cannot be used ---

    @Test
    void unusableEntriesAreReportedAndSkipped() {
        PolicySet set = compile(policy("policies/p.yaml", "p", """
                - rule: "true"
                - name: no-expression
                - name: bad-action
                  rule: "true"
                  action: block
                - name: bad-match
                  rule: "true"
                  match: {kinds: Rollout}
                - name: fine
                  rule: "true"
                """));
        assertThat(set.findings()).extracting(Finding::code).containsOnly("policy.invalid");
        assertThat(set.findings()).extracting(Finding::pointer).containsExactly(
                "/spec/rules/0", "/spec/rules/1", "/spec/rules/2/action", "/spec/rules/3/match/kinds");
        assertThat(set.findings().get(2).message()).isEqualTo("policy p: action must be deny or warn, not 'block'; "
                + "rule 'bad-action' is skipped");
        assertThat(set.findings().get(2).location()).isEqualTo(new Location("policies/p.yaml", 11, 15));
        assertThat(set.rules()).extracting(PolicyRule::name).containsExactly("fine");
    }

    @Test
    void documentsOtherThanPoliciesAreLeftAlone() {
        PolicySet set = PolicySet.compile(rollouts().documents());
        assertThat(set.rules()).isEmpty();
        assertThat(set.findings()).isEmpty();
        assertThat(set.evaluate(named(rollouts(), "web"))).isEmpty();
    }

    // --- approvers ---

    @Test
    void approversAreReadAndMatchedButNotEnforced() {
        PolicySet set = compile(file("policies/approvals.yaml", """
                apiVersion: stepwise.dev/v1alpha1
                kind: Policy
                metadata:
                  name: approvals
                spec:
                  approvers:
                    - match: {namespaces: [shop], names: [web]}
                      emails: [ana@acme.io, bo@acme.io]
                      requireSignedCommits: true
                    - emails: [release@acme.io]
                    - match: {kinds: [Canary]}
                      emails: [not-an-address]
                """));
        assertThat(set.findings()).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo("policy.invalid");
            assertThat(f.pointer()).isEqualTo("/spec/approvers/2/emails/0");
            assertThat(f.location()).isEqualTo(new Location("policies/approvals.yaml", 12, 16));
        });
        assertThat(set.rules()).isEmpty();
        assertThat(set.approversFor(named(rollouts(), "web"))).satisfiesExactly(
                a -> {
                    assertThat(a.emails()).containsExactly("ana@acme.io", "bo@acme.io");
                    assertThat(a.requireSignedCommits()).isTrue();
                    assertThat(a.policy()).isEqualTo("approvals");
                    assertThat(a.location().line()).isEqualTo(7);
                },
                a -> {
                    assertThat(a.emails()).containsExactly("release@acme.io");
                    assertThat(a.requireSignedCommits()).isFalse();
                });
        assertThat(set.approversFor(named(rollouts(), "admin"))).extracting(ApproverRule::emails)
                .containsExactly(List.of("release@acme.io"));
        assertThat(set.evaluate(named(rollouts(), "web"))).isEmpty();
    }

    // --- sharing ---

    @Test
    void oneCompiledSetIsEvaluatedFromManyThreads() throws Exception {
        PolicySet set = compileClean("""
                - name: few-replicas
                  rule: "object.spec.replicas <= 2"
                - name: canary-steps
                  rule: "!has(object.spec.strategy.canary) || object.spec.strategy.canary.steps.all(s, !has(s.setWeight) || s.setWeight <= 10)"
                """);
        SpecDocument web = named(rollouts(), "web");
        SpecDocument admin = named(rollouts(), "admin");
        List<Finding> expectedWeb = set.evaluate(web);
        assertThat(expectedWeb).hasSize(1);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        if (!set.evaluate(web).equals(expectedWeb) || !set.evaluate(admin).isEmpty()) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> r : results) {
                assertThat(r.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
