package dev.stepwise.promotion;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.git.RolloutKey;
import dev.stepwise.policy.PolicySet;
import dev.stepwise.spec.SourceFile;
import dev.stepwise.spec.SpecSet;
import dev.stepwise.spec.SpecLoader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GateJudgeTest {

    static final RolloutKey CHECKOUT = new RolloutKey("production", "checkout-api");
    static final RolloutKey DOCS = new RolloutKey("tools", "docs");
    static final CanaryRevision RUNNING = new CanaryRevision("6d8f9c7b5d", Set.of("registry.example.com/checkout-api:v2.1.0"));

    static final String SPECS = """
            apiVersion: argoproj.io/v1alpha1
            kind: Rollout
            metadata: {name: checkout-api, namespace: production}
            spec: {}
            ---
            apiVersion: argoproj.io/v1alpha1
            kind: Rollout
            metadata: {name: docs, namespace: tools}
            spec: {}
            ---
            apiVersion: stepwise.dev/v1alpha1
            kind: Policy
            metadata: {name: prod-approvers}
            spec:
              approvers:
                - match: {namespaces: [production]}
                  emails: [ana@acme.io, bo@acme.io]
                - match: {namespaces: [production], names: [checkout-api]}
                  emails: [ana@acme.io]
                  requireSignedCommits: true
            """;

    private final SpecSet specs = new SpecLoader().load(List.of(new SourceFile("specs.yaml", SPECS.getBytes(StandardCharsets.UTF_8))));
    private final GateJudge judge = new GateJudge(PolicySet.compile(specs.documents()), specs.documents());

    private static GateDecisionCommit decision(String id, RolloutKey key, String email, CommitSignature sig, Optional<String> revision) {
        return new GateDecisionCommit(id, "promotions/" + key.namespace() + "/" + key.name() + ".yaml",
                new GateRequest(key, GateAction.PROMOTE, Optional.empty(), revision, Optional.empty()),
                new CommitAuthor("Someone", email), sig, Instant.parse("2026-11-25T10:00:00Z"), Optional.empty());
    }

    private static final CommitSignature SIGNED = new CommitSignature.Verified("openpgp", "ABCD", "Ana <ana@acme.io>");

    @Test
    void anApproverWithAGoodSignatureIsAcceptedAndTheApprovalRecorded() {
        GateJudge.Judged j = judge.judge(List.of(decision("a1", CHECKOUT, "Ana@Acme.io", SIGNED, Optional.of("v2.1.0"))),
                k -> Optional.of(RUNNING), Set.of());
        assertThat(j.findings()).isEmpty();
        assertThat(j.accepted()).singleElement().satisfies(d -> {
            assertThat(d.approval()).hasValueSatisfying(a -> {
                assertThat(a.approver()).isEqualTo("Ana@Acme.io");
                assertThat(a.policy()).isEqualTo("prod-approvers");
                assertThat(a.signed()).isTrue();
                assertThat(a.rule().line()).isEqualTo(16);
            });
        });
    }

    @Test
    void someoneNotListedIsRefusedWithAFindingNamingAuthorAndRule() {
        GateJudge.Judged j = judge.judge(List.of(decision("e1", CHECKOUT, "eve@acme.io", SIGNED, Optional.empty())),
                k -> Optional.of(RUNNING), Set.of());
        assertThat(j.accepted()).isEmpty();
        assertThat(j.findings()).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo(GateJudge.NOT_APPROVER);
            assertThat(f.location().file()).isEqualTo("promotions/production/checkout-api.yaml");
            assertThat(f.message()).contains("eve@acme.io is not an approver of Rollout production/checkout-api")
                    .contains("policy prod-approvers (specs.yaml:16:7) allows ana@acme.io, bo@acme.io");
        });
    }

    @Test
    void theStrictestMatchingRuleWinsUnsignedAndBadSignaturesAreRefused() {
        GateJudge.Judged j = judge.judge(List.of(
                        decision("u1", CHECKOUT, "ana@acme.io", new CommitSignature.Unsigned(), Optional.empty()),
                        decision("b1", CHECKOUT, "bo@acme.io", new CommitSignature.Invalid("openpgp", "key not trusted"), Optional.empty())),
                k -> Optional.of(RUNNING), Set.of());
        assertThat(j.accepted()).isEmpty();
        assertThat(j.findings()).extracting(f -> f.code()).containsExactly(GateJudge.UNSIGNED, GateJudge.BAD_SIGNATURE);
        assertThat(j.findings().get(0).message()).contains("requires signed commits").contains("this commit is unsigned");
        assertThat(j.findings().get(1).message()).contains("openpgp signature not accepted: key not trusted");
    }

    @Test
    void staleRevisionsUnknownRolloutsAndAppliedDecisionsAreNotReturned() {
        GateJudge.Judged j = judge.judge(List.of(
                        decision("s1", CHECKOUT, "ana@acme.io", SIGNED, Optional.of("v2.0.9")),
                        decision("x1", new RolloutKey("production", "nope"), "ana@acme.io", SIGNED, Optional.empty()),
                        decision("d1", DOCS, "anyone@acme.io", new CommitSignature.Unsigned(), Optional.of("6d8f9c7b5d")),
                        decision("old", DOCS, "anyone@acme.io", new CommitSignature.Unsigned(), Optional.empty()),
                        decision("n1", DOCS, "anyone@acme.io", new CommitSignature.Unsigned(), Optional.empty())),
                k -> k.equals(DOCS) ? Optional.of(RUNNING) : k.equals(CHECKOUT) ? Optional.of(RUNNING) : Optional.empty(),
                Set.of("old"));
        assertThat(j.accepted()).extracting(GateDecisionCommit::id).containsExactly("d1", "n1");
        assertThat(j.accepted().get(0).approval()).as("no approver rule covers tools/docs").isEmpty();
        assertThat(j.findings()).extracting(f -> f.code()).containsExactly(GateJudge.STALE, GateJudge.UNKNOWN_ROLLOUT);
        assertThat(j.findings().get(0).message()).contains("revision v2.0.9, which is no longer rolling out (now: 6d8f9c7b5d");
    }
}
