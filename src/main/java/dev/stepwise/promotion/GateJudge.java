package dev.stepwise.promotion;

import dev.stepwise.git.RolloutKey;
import dev.stepwise.policy.ApproverRule;
import dev.stepwise.policy.PolicySet;
import dev.stepwise.spec.Finding;
import dev.stepwise.spec.Location;
import dev.stepwise.spec.SpecDocument;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Decides which gate decisions count. A decision is accepted when
 * <ol>
 * <li>it has not been applied before (the caller records applied commit ids in status),</li>
 * <li>its rollout exists in the specs at the revision read,</li>
 * <li>its author may decide for that rollout: when approver rules ({@code spec.approvers} of Policy documents) match
 * the rollout, the author's e-mail address must be listed by one of them, and when any of the matching rules has
 * {@code requireSignedCommits: true} the commit must carry a good signature by a trusted key of the author — the
 * strictest matching rule wins, so adding a policy can only tighten who decides; with no matching rule, anyone who
 * can push to the branch decides, as the Git server's own access control allows,</li>
 * <li>and, when it names a {@code revision:}, that revision is still the one rolling out.</li>
 * </ol>
 * Everything refused or ignored comes back as a finding located at the promotion file, naming the commit, the author
 * and the rule. Pure: no Git, no clock.
 */
public final class GateJudge {

    public static final String NOT_APPROVER = "promotion.not-approver";
    public static final String UNSIGNED = "promotion.unsigned";
    public static final String BAD_SIGNATURE = "promotion.bad-signature";
    public static final String STALE = "promotion.stale-revision";
    public static final String NO_ROLLOUT = "promotion.no-rollout";
    public static final String UNKNOWN_ROLLOUT = "promotion.unknown-rollout";

    /** The decisions to apply, oldest first, and why the others were not. */
    public record Judged(List<GateDecisionCommit> accepted, List<Finding> findings) {
        public Judged {
            accepted = List.copyOf(accepted);
            findings = List.copyOf(findings);
        }
    }

    private final PolicySet policies;
    private final List<SpecDocument> documents;

    /**
     * @param policies  the approver rules in force (from the same revision as the decisions)
     * @param documents the spec documents at that revision; the rollouts among them are what decisions may name
     */
    public GateJudge(PolicySet policies, List<SpecDocument> documents) {
        this.policies = Objects.requireNonNull(policies, "policies");
        this.documents = List.copyOf(documents);
    }

    /**
     * @param decisions  as read from Git, oldest first
     * @param rollingOut what each rollout is rolling out now (also when paused or aborted); empty when nothing is
     * @param applied    commit ids of decisions applied before
     */
    public Judged judge(List<GateDecisionCommit> decisions, Function<RolloutKey, Optional<CanaryRevision>> rollingOut,
                        Set<String> applied) {
        List<GateDecisionCommit> accepted = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        for (GateDecisionCommit d : decisions) {
            if (applied.contains(d.id())) {
                continue;
            }
            Location at = Location.ofFile(d.file());
            Optional<SpecDocument> rollout = rolloutDocument(d.rollout());
            if (rollout.isEmpty()) {
                findings.add(Finding.warning(at, "", UNKNOWN_ROLLOUT, d.describe() + " is ignored: there is no Rollout or Canary "
                        + d.rollout() + " in the specs"));
                continue;
            }
            Optional<Finding> refusal = checkAuthor(d, rollout.get(), at);
            if (refusal.isPresent()) {
                findings.add(refusal.get());
                continue;
            }
            Optional<CanaryRevision> current = rollingOut.apply(d.rollout());
            if (current.isEmpty()) {
                findings.add(Finding.warning(at, "", NO_ROLLOUT, d.describe() + " is ignored: nothing of " + d.rollout()
                        + " is rolling out"));
                continue;
            }
            if (d.revision().isPresent() && !current.get().isNamedBy(d.revision().get())) {
                findings.add(Finding.warning(at, "", STALE, d.describe() + " is ignored: it is for revision "
                        + d.revision().get() + ", which is no longer rolling out (now: " + current.get().describe() + ")"));
                continue;
            }
            accepted.add(d.approved(approval(d, rollout.get())));
        }
        return new Judged(accepted, findings);
    }

    private Optional<SpecDocument> rolloutDocument(RolloutKey key) {
        return documents.stream()
                .filter(doc -> doc.kind().map(k -> k.isRollout()).orElse(false))
                .filter(doc -> doc.namespace().equals(key.namespace()) && doc.name().equals(key.name()))
                .findFirst();
    }

    private Optional<Finding> checkAuthor(GateDecisionCommit d, SpecDocument rollout, Location at) {
        List<ApproverRule> rules = policies.approversFor(rollout);
        if (rules.isEmpty()) {
            return Optional.empty();
        }
        List<ApproverRule> listing = rules.stream()
                .filter(r -> r.emails().stream().anyMatch(d.author()::hasEmail)).toList();
        if (listing.isEmpty()) {
            return Optional.of(Finding.error(at, "", NOT_APPROVER, d.describe() + " is refused: " + d.author().email()
                    + " is not an approver of " + rollout.describe() + "; " + describeRules(rules)));
        }
        Optional<ApproverRule> needsSignature = rules.stream().filter(ApproverRule::requireSignedCommits).findFirst();
        if (needsSignature.isPresent() && !d.signature().verified()) {
            ApproverRule rule = needsSignature.get();
            String code = d.signature() instanceof CommitSignature.Unsigned ? UNSIGNED : BAD_SIGNATURE;
            return Optional.of(Finding.error(at, "", code, d.describe() + " is refused: policy " + rule.policy()
                    + " (" + rule.location() + ") requires signed commits for " + rollout.describe()
                    + ", and this commit is " + d.signature().describe()));
        }
        return Optional.empty();
    }

    private Optional<Approval> approval(GateDecisionCommit d, SpecDocument rollout) {
        return policies.approversFor(rollout).stream()
                .filter(r -> r.emails().stream().anyMatch(d.author()::hasEmail))
                .findFirst()
                .map(r -> new Approval(d.author().email(), r.policy(), r.location(), d.signature().verified()));
    }

    private static String describeRules(List<ApproverRule> rules) {
        return rules.stream().map(r -> "policy " + r.policy() + " (" + r.location() + ") allows " + String.join(", ", r.emails()))
                .collect(Collectors.joining("; "));
    }
}
