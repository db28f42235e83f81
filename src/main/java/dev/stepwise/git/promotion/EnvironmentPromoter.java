package dev.stepwise.git.promotion;

import dev.stepwise.git.BranchWriter;
import dev.stepwise.git.Mirror;
import dev.stepwise.git.Revision;
import dev.stepwise.git.RolloutKey;
import dev.stepwise.git.StatusWriter;
import dev.stepwise.promotion.CanaryRevision;
import dev.stepwise.promotion.ImageRewriter;
import dev.stepwise.promotion.PromotionMessages;
import dev.stepwise.spec.Finding;
import dev.stepwise.spec.Location;
import dev.stepwise.spec.SourceFile;
import dev.stepwise.spec.model.PromoteTo;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;

/**
 * Carries a verified version to the next environment ({@code spec.promoteTo}): after a rollout completes, the images
 * it verified are written into the next environment's spec file — only the {@code image:} values of the matching
 * containers change, every other byte stays (see {@link ImageRewriter}) — and committed either straight onto the
 * tracked branch ({@code mode: direct}) or onto a branch {@code stepwise/promote/<namespace>/<rollout>/<short-sha>}
 * for a pull request ({@code mode: pull-request}, the default).
 */
public final class EnvironmentPromoter {

    public static final String BRANCH_PREFIX = "stepwise/promote/";

    /**
     * One promotion.
     *
     * @param rollout         the rollout that completed
     * @param source          the tracked revision it completed at
     * @param verified        the version it verified
     * @param images          the verified images by container name
     * @param target          {@code spec.promoteTo}
     * @param analysisSummary what the analyses measured, for the commit message (e.g. "success-rate 0.998 ≥ 0.99 (12/12)")
     */
    public record Request(RolloutKey rollout, Revision source, CanaryRevision verified, Map<String, String> images,
                          PromoteTo target, String analysisSummary) {
        public Request {
            Objects.requireNonNull(rollout, "rollout");
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(verified, "verified");
            images = Map.copyOf(images);
            Objects.requireNonNull(target, "target");
            analysisSummary = analysisSummary == null ? "" : analysisSummary;
        }
    }

    private final BranchWriter branches;
    private final String trackedBranch;
    private final StatusWriter.Identity identity;
    private final Clock clock;

    public EnvironmentPromoter(Mirror mirror, String trackedBranch, StatusWriter.Identity identity, StatusWriter.Retry retry,
                               Clock clock) {
        this.branches = new BranchWriter(mirror, retry.maxAttempts(), retry.backoff());
        this.trackedBranch = Objects.requireNonNull(trackedBranch, "trackedBranch");
        this.identity = Objects.requireNonNull(identity, "identity");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public EnvironmentPromoter(Mirror mirror, String trackedBranch) {
        this(mirror, trackedBranch, StatusWriter.Identity.DEFAULT, StatusWriter.Retry.DEFAULT, Clock.systemUTC());
    }

    /** The branch a pull-request promotion goes to. */
    public static String branchFor(RolloutKey rollout, Revision source) {
        return BRANCH_PREFIX + rollout.namespace() + "/" + rollout.name() + "/" + source.shortId();
    }

    public WriteResult promote(Request request) {
        if (request.images().isEmpty()) {
            return new WriteResult.NothingToDo("no verified images to carry over");
        }
        String path = request.target().path();
        boolean direct = request.target().mode() == PromoteTo.Mode.DIRECT;
        String target = direct ? trackedBranch : branchFor(request.rollout(), request.source());
        AtomicReference<List<Finding>> refused = new AtomicReference<>(List.of());
        AtomicReference<String> nothing = new AtomicReference<>("");
        PersonIdent who = Trees.ident(identity.name(), identity.email(), clock.instant().truncatedTo(ChronoUnit.SECONDS));
        BranchWriter.Outcome outcome = branches.write(target, direct ? List.of() : List.of(trackedBranch),
                "the promotion of " + request.rollout() + " to " + path, (heads, inserter) -> {
                    if (!direct && heads.targetHead().isPresent()) {
                        nothing.set("the promotion is already proposed on branch " + target);
                        return Optional.empty();
                    }
                    ObjectId base = heads.of(trackedBranch).orElseThrow(() -> Results.missingBranch(branches.mirror(), trackedBranch));
                    Optional<byte[]> file = Trees.read(heads.repository(), base, path);
                    if (file.isEmpty()) {
                        refused.set(List.of(Finding.error(Location.ofFile(path), "", "promotion.target-missing",
                                "spec.promoteTo of " + request.rollout() + " names " + path + ", which does not exist on "
                                        + trackedBranch)));
                        return Optional.empty();
                    }
                    ImageRewriter.Result rewrite = ImageRewriter.rewrite(new SourceFile(path, file.get()),
                            Optional.of(request.rollout().name()), request.images());
                    if (rewrite.refused()) {
                        refused.set(rewrite.findings());
                        return Optional.empty();
                    }
                    if (rewrite.content().isEmpty()) {
                        nothing.set(path + " already has the verified images");
                        return Optional.empty();
                    }
                    // the summary comes from measurements and may quote a query or URL: cleaned like every commit message
                    String message = branches.mirror().redactor().redact(PromotionMessages.environmentPromotion(request.rollout(),
                            path, request.source(), request.verified(), rewrite.changes(), request.analysisSummary()));
                    return Trees.commitFile(heads.repository(), inserter, base, path, rewrite.content().get(), who, who, message);
                });
        if (!refused.get().isEmpty()) {
            return new WriteResult.Refused(refused.get());
        }
        return Results.of(outcome, target, nothing.get());
    }
}
