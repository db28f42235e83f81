package dev.stepwise.git.promotion;

import dev.stepwise.git.BranchWriter;
import dev.stepwise.git.Mirror;
import dev.stepwise.git.StatusWriter;
import dev.stepwise.promotion.CommitAuthor;
import dev.stepwise.promotion.GateFileParser;
import dev.stepwise.promotion.GateRequest;
import dev.stepwise.promotion.PromotionMessages;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import org.eclipse.jgit.lib.PersonIdent;

/**
 * Writes a gate decision as a commit on the tracked branch, {@code promotions/<namespace>/<rollout>.yaml}, for people
 * who prefer a command to an editor ({@code stepwise promote|abort|retry}). The commit is authored by the person, so
 * approver rules judge it exactly as they judge a commit made by hand; it is pushed with compare-and-swap and rebuilt
 * on top of anyone who pushed first.
 */
public final class PromotionWriter {

    private final BranchWriter branches;
    private final String trackedBranch;
    private final GateFileParser files;
    private final Clock clock;

    public PromotionWriter(Mirror mirror, String trackedBranch, String promotionsFolder, StatusWriter.Retry retry, Clock clock) {
        this.branches = new BranchWriter(mirror, retry.maxAttempts(), retry.backoff());
        this.trackedBranch = Objects.requireNonNull(trackedBranch, "trackedBranch");
        this.files = new GateFileParser(promotionsFolder);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public PromotionWriter(Mirror mirror, String trackedBranch) {
        this(mirror, trackedBranch, GateFileParser.DEFAULT_FOLDER, StatusWriter.Retry.DEFAULT, Clock.systemUTC());
    }

    /**
     * Commits the decision as {@code author} (also the committer). The file also records when it was requested, so
     * that repeating a decision (promote, then promote again at the next pause) is a change Git records.
     */
    public WriteResult writeGateDecision(GateRequest request, CommitAuthor author) {
        return writeGateDecision(request, author, null);
    }

    /** As {@link #writeGateDecision(GateRequest, CommitAuthor)}, the commit signed by {@code signer} (null: unsigned). */
    public WriteResult writeGateDecision(GateRequest request, CommitAuthor author, CommitSigner signer) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        String path = files.pathOf(request.rollout());
        byte[] content = branches.mirror().redactor().redact(request.toYaml() + "requestedAt: \"" + now + "\"\n")
                .getBytes(StandardCharsets.UTF_8);
        PersonIdent who = Trees.ident(author.name(), author.email(), now);
        String message = branches.mirror().redactor().redact(PromotionMessages.gateDecision(request, author.toString()));
        BranchWriter.Outcome outcome = branches.write(trackedBranch, List.of(), "the gate decision " + request.describe(),
                (heads, inserter) -> {
                    if (heads.targetHead().isEmpty()) {
                        throw Results.missingBranch(branches.mirror(), trackedBranch);
                    }
                    return Trees.commitFile(heads.repository(), inserter, heads.targetHead().get(), path, content, who, who, message,
                            signer);
                });
        return Results.of(outcome, trackedBranch, "the promotion file already says this");
    }
}
