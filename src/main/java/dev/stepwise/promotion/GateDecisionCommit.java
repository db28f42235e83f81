package dev.stepwise.promotion;

import dev.stepwise.git.RolloutKey;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A gate decision as it arrived in Git: the commit that last changed a promotion file, what the file asks for, and who
 * made the commit. {@code id} (the commit id) is what the caller records as applied, so that a decision applies once.
 *
 * @param id          the commit that last changed the promotion file
 * @param file        the promotion file's path
 * @param request     what the file asks for
 * @param author      the commit's author (approver rules list author e-mail addresses)
 * @param signature   what the commit's signature proves
 * @param committedAt the commit's committer time
 * @param approval    once accepted: which approver rule let the author decide (empty when no rule covers the rollout)
 */
public record GateDecisionCommit(String id, String file, GateRequest request, CommitAuthor author,
                                 CommitSignature signature, Instant committedAt, Optional<Approval> approval) {

    public GateDecisionCommit {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(author, "author");
        Objects.requireNonNull(signature, "signature");
        Objects.requireNonNull(committedAt, "committedAt");
        Objects.requireNonNull(approval, "approval");
    }

    public RolloutKey rollout() {
        return request.rollout();
    }

    public GateAction action() {
        return request.action();
    }

    public Optional<Integer> step() {
        return request.step();
    }

    public Optional<String> revision() {
        return request.revision();
    }

    public boolean signedAndVerified() {
        return signature.verified();
    }

    GateDecisionCommit approved(Optional<Approval> by) {
        return new GateDecisionCommit(id, file, request, author, signature, committedAt, by);
    }

    /** "promote production/checkout-api by ana@acme.io in 3f2c9e0b6a0d". */
    public String describe() {
        return request.describe() + " by " + author.email() + " in " + id.substring(0, Math.min(12, id.length()));
    }
}
