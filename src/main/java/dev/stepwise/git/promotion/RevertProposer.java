package dev.stepwise.git.promotion;

import dev.stepwise.git.BranchWriter;
import dev.stepwise.git.Mirror;
import dev.stepwise.git.Revision;
import dev.stepwise.git.RolloutKey;
import dev.stepwise.git.StatusWriter;
import dev.stepwise.promotion.ImageRewriter;
import dev.stepwise.promotion.PromotionMessages;
import dev.stepwise.spec.Finding;
import dev.stepwise.spec.Location;
import dev.stepwise.spec.SourceFile;
import dev.stepwise.spec.model.RevertMode;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;

/**
 * Proposes, in Git, going back to the last stable version after a rollout was aborted ({@code spec.onAbort.revert}):
 * a commit that restores the rollout's spec file, with the analysis evidence in its message, either on a branch
 * {@code stepwise/revert/<namespace>/<rollout>/<short-sha>} for a person to merge ({@code revert-branch}) or on the
 * tracked branch itself ({@code revert-commit}), so that Git describes again what runs.
 *
 * <p>When the aborted version differs from the stable one only in its images, only the {@code image:} values are
 * restored and the rest of the file (steps someone tuned since, comments) stays as it is now. When the pod template
 * changed in other ways too (an environment variable, resources), the whole file is restored as it was at the stable
 * revision, since half a revert would run a version nobody tested. Nothing is ever rewritten or forced: the revert is
 * a new commit on top.
 */
public final class RevertProposer {

    public static final String BRANCH_PREFIX = "stepwise/revert/";

    /**
     * One revert.
     *
     * @param rollout      the aborted rollout
     * @param specPath     the file its spec is in (the document's file)
     * @param abortedAt    the tracked revision whose version was aborted
     * @param stableCommit the commit id of the last revision that ran stable
     * @param mode         {@code spec.onAbort.revert}
     * @param evidence     what the analyses measured, for the commit message
     */
    public record Request(RolloutKey rollout, String specPath, Revision abortedAt, String stableCommit, RevertMode mode,
                          String evidence) {
        public Request {
            Objects.requireNonNull(rollout, "rollout");
            Objects.requireNonNull(specPath, "specPath");
            Objects.requireNonNull(abortedAt, "abortedAt");
            Objects.requireNonNull(stableCommit, "stableCommit");
            Objects.requireNonNull(mode, "mode");
            evidence = evidence == null ? "" : evidence;
        }
    }

    private final BranchWriter branches;
    private final String trackedBranch;
    private final StatusWriter.Identity identity;
    private final Clock clock;

    public RevertProposer(Mirror mirror, String trackedBranch, StatusWriter.Identity identity, StatusWriter.Retry retry, Clock clock) {
        this.branches = new BranchWriter(mirror, retry.maxAttempts(), retry.backoff());
        this.trackedBranch = Objects.requireNonNull(trackedBranch, "trackedBranch");
        this.identity = Objects.requireNonNull(identity, "identity");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public RevertProposer(Mirror mirror, String trackedBranch) {
        this(mirror, trackedBranch, StatusWriter.Identity.DEFAULT, StatusWriter.Retry.DEFAULT, Clock.systemUTC());
    }

    /** The branch a {@code revert-branch} proposal goes to. */
    public static String branchFor(RolloutKey rollout, Revision abortedAt) {
        return BRANCH_PREFIX + rollout.namespace() + "/" + rollout.name() + "/" + abortedAt.shortId();
    }

    public WriteResult propose(Request request) {
        if (request.mode() == RevertMode.NONE) {
            return new WriteResult.NothingToDo("onAbort.revert is none");
        }
        boolean direct = request.mode() == RevertMode.REVERT_COMMIT;
        String target = direct ? trackedBranch : branchFor(request.rollout(), request.abortedAt());
        String path = request.specPath();
        Optional<String> name = Optional.of(request.rollout().name());
        AtomicReference<List<Finding>> refused = new AtomicReference<>(List.of());
        AtomicReference<String> nothing = new AtomicReference<>("");
        PersonIdent who = Trees.ident(identity.name(), identity.email(), clock.instant().truncatedTo(ChronoUnit.SECONDS));
        BranchWriter.Outcome outcome = branches.write(target, direct ? List.of() : List.of(trackedBranch),
                "the revert of " + request.rollout(), (heads, inserter) -> {
                    if (!direct && heads.targetHead().isPresent()) {
                        nothing.set("the revert is already proposed on branch " + target);
                        return Optional.empty();
                    }
                    ObjectId base = heads.of(trackedBranch).orElseThrow(() -> Results.missingBranch(branches.mirror(), trackedBranch));
                    Optional<byte[]> now = Trees.read(heads.repository(), base, path);
                    Optional<byte[]> stable = Trees.read(heads.repository(), ObjectId.fromString(request.stableCommit()), path);
                    if (now.isEmpty() || stable.isEmpty()) {
                        refused.set(List.of(Finding.error(Location.ofFile(path), "", "promotion.revert-source",
                                path + " does not exist " + (now.isEmpty() ? "on " + trackedBranch : "at the stable revision "
                                        + request.stableCommit()) + "; nothing to restore for " + request.rollout())));
                        return Optional.empty();
                    }
                    if (Arrays.equals(now.get(), stable.get())) {
                        nothing.set(path + " is already as it was at the stable revision");
                        return Optional.empty();
                    }
                    SourceFile stableFile = new SourceFile(path, stable.get());
                    Optional<Object> stableTemplate = ImageRewriter.podTemplateOf(stableFile, name);
                    if (stableTemplate.isPresent()
                            && stableTemplate.equals(ImageRewriter.podTemplateOf(new SourceFile(path, now.get()), name))) {
                        // what runs is already the stable version (reverted before, or by a person): other edits stay
                        nothing.set(path + " already asks for the stable version of " + request.rollout());
                        return Optional.empty();
                    }
                    Map<String, String> stableImages = ImageRewriter.imagesOf(stableFile, name);
                    ImageRewriter.Result rewrite = ImageRewriter.rewrite(new SourceFile(path, now.get()), name, stableImages);
                    byte[] content;
                    boolean wholeFile;
                    if (!rewrite.refused() && rewrite.content().isPresent() && stableTemplate.isPresent()
                            && stableTemplate.equals(ImageRewriter.podTemplateOf(new SourceFile(path, rewrite.content().get()), name))) {
                        content = rewrite.content().get();
                        wholeFile = false;
                    } else {
                        content = stable.get();
                        wholeFile = true;
                    }
                    String message = branches.mirror().redactor().redact(PromotionMessages.revert(request.rollout(), path,
                            request.abortedAt(), request.stableCommit(), stableImages, wholeFile, request.evidence()));
                    return Trees.commitFile(heads.repository(), inserter, base, path, content, who, who, message);
                });
        if (!refused.get().isEmpty()) {
            return new WriteResult.Refused(refused.get());
        }
        return Results.of(outcome, target, nothing.get());
    }
}
