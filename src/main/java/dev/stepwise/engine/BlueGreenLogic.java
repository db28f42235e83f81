package dev.stepwise.engine;

import dev.stepwise.engine.analysis.AnalysisPhase;
import dev.stepwise.engine.analysis.AnalysisRunState;
import dev.stepwise.engine.analysis.ResolvedRun;
import dev.stepwise.engine.analysis.RunKind;
import dev.stepwise.spec.model.BlueGreenStrategy;
import dev.stepwise.spec.model.Gate;
import dev.stepwise.spec.model.RolloutAnalysis;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The blue-green strategy, as stages kept in {@link RolloutStatus#stepIndex()}:
 * <ol start="0">
 *   <li>{@link #PREVIEW}: the new version comes up behind previewService ({@code previewReplicaCount} pods, or all),
 *       after any Flagger confirm-rollout gate has been opened;</li>
 *   <li>{@link #PRE_PROMOTION}: prePromotionAnalysis runs; the switch waits for it and for the promotion
 *       ({@code autoPromotionSeconds} after the preview was ready when autoPromotionEnabled, else a person);</li>
 *   <li>{@link #FULL}: the new version is scaled to every replica before it takes traffic;</li>
 *   <li>{@link #POST_PROMOTION}: activeService points at the new version; postPromotionAnalysis runs, and the old
 *       version stays up (so an abort can switch straight back);</li>
 *   <li>{@link #DONE}: the new version is stable; the old one is scaled down after {@code scaleDownDelaySeconds}.</li>
 * </ol>
 * An abort points both services at the stable version in its own decision and scales the new version down after
 * {@code abortScaleDownDelaySeconds}.
 */
final class BlueGreenLogic implements Strategy {
    static final int PREVIEW = 0;
    static final int PRE_PROMOTION = 1;
    static final int FULL = 2;
    static final int POST_PROMOTION = 3;
    static final int DONE = 4;

    private static final String[] STAGES = {"preview", "pre-promotion", "scale to full", "post-promotion", "done"};

    private final BlueGreenStrategy b;

    BlueGreenLogic(BlueGreenStrategy b) {
        this.b = b;
    }

    static String stageName(int stage) {
        return stage >= 0 && stage < STAGES.length ? STAGES[stage] : "stage " + stage;
    }

    @Override
    public int revisionLimit() {
        return b.scaleDownDelayRevisionLimit().map(l -> Math.max(0, l)).orElse(-1);
    }

    @Override
    public int doneIndex() {
        return DONE;
    }

    @Override
    public boolean basic() {
        return false;
    }

    @Override
    public int maxWeight() {
        return 100;
    }

    @Override
    public int abortScaleDownDelaySeconds() {
        return b.abortScaleDownDelaySeconds();
    }

    @Override
    public boolean irreversiblePassed(DecisionRun r) {
        return false; // blue-green has no steps to mark
    }

    @Override
    public ResolvedRun resolve(DecisionRun r, AnalysisRunState run) {
        Optional<RolloutAnalysis> a = run.kind() == RunKind.PRE_PROMOTION ? b.prePromotionAnalysis()
                : run.kind() == RunKind.POST_PROMOTION ? b.postPromotionAnalysis() : Optional.empty();
        if (a.isEmpty()) {
            return null;
        }
        RolloutAnalysis x = a.get();
        return r.resolver.resolve(x, r.spec, r.templates, x.templates(), x.args(), x::isDryRun, r.stable, r.canary);
    }

    @Override
    public void progress(DecisionRun r) {
        r.headerRoutes = List.of();
        r.mirrorRoutes = List.of();
        r.experiments = List.of();
        int replicas = r.spec.replicas();
        if (!r.inFlight()) {
            r.replicas.put(r.stable, replicas);
            r.weight = 0;
            r.pausedAt = null;
            int available = r.obs.available(r.stable);
            r.phase = available >= replicas ? Phase.HEALTHY : Phase.PROGRESSING;
            r.message = "";
            if (available < replicas) {
                r.waitFor(available, replicas + " pods of " + r.stable + " to be available (" + available + " are)");
            }
        } else if (r.aborted) {
            r.phase = Phase.DEGRADED;
            r.message = "aborted: " + r.abortReason;
            r.weight = 0;
            r.pausedAt = null;
            if (!r.abortedNow) {
                r.replicas.put(r.stable, replicas);
            }
        } else {
            inFlight(r, replicas);
        }
        boolean live = r.inFlight() && !r.aborted;
        r.services.clear();
        r.services.put(b.activeService(), live && r.stepIndex >= POST_PROMOTION ? r.canary : r.stable);
        b.previewService().ifPresent(s -> r.services.put(s, live ? r.canary : r.stable));
    }

    private void inFlight(DecisionRun r, int replicas) {
        r.phase = Phase.PROGRESSING;
        r.message = "";
        if (checkRuns(r) || r.aborted) {
            if (r.aborted) {
                progress(r);
            }
            return;
        }
        int previewCount = Math.min(replicas, Math.max(0, b.previewReplicaCount().orElse(replicas)));
        int ca = r.obs.available(r.canary);
        r.replicas.put(r.stable, replicas);
        for (int guard = 0; guard < 6; guard++) {
            switch (r.stepIndex) {
                case PREVIEW -> {
                    if (!b.previewGates().isEmpty() && !r.promoted) {
                        r.phase = Phase.PAUSED;
                        if (r.pausedAt == null) {
                            r.pausedAt = r.now;
                        }
                        r.message = "waiting for " + gates(b.previewGates()) + ": promote to start the new version";
                        return;
                    }
                    r.replicas.put(r.canary, previewCount);
                    if (ca < previewCount) {
                        r.waitFor(ca, previewCount + " preview pods of " + r.canary + " to be available (" + ca + " are)");
                        return;
                    }
                    r.readyAt = r.now;
                    if (!b.previewGates().isEmpty()) {
                        r.promoted = false; // that promote opened the confirm-rollout gate; the switch needs its own
                    }
                    advance(r, PRE_PROMOTION);
                    r.event(Reasons.PREVIEW_READY, previewCount + " pods of " + r.canary + " ready behind "
                            + b.previewService().orElse("(no preview service)"));
                }
                case PRE_PROMOTION -> {
                    r.replicas.put(r.canary, previewCount);
                    if (!analysisPassed(r, RunKind.PRE_PROMOTION, b.prePromotionAnalysis(), "pre")) {
                        return;
                    }
                    Instant autoAt = (r.readyAt != null ? r.readyAt : r.stepStartedAt).plusSeconds(Math.max(0, b.autoPromotionSeconds()));
                    boolean go = r.promoteFull || r.promoted || (b.autoPromotionEnabled() && !r.now.isBefore(autoAt));
                    if (!go) {
                        r.phase = Phase.PAUSED;
                        if (r.pausedAt == null) {
                            r.pausedAt = r.now;
                        }
                        if (b.autoPromotionEnabled()) {
                            boolean same = r.old.phase() == Phase.PAUSED && r.old.stepIndex() == PRE_PROMOTION
                                    && r.old.message().startsWith("auto-promotion at ");
                            r.message = same ? r.old.message()
                                    : "auto-promotion at " + autoAt + " (autoPromotionSeconds " + b.autoPromotionSeconds() + ")";
                            r.requeue(autoAt);
                        } else if (!b.promotionGates().isEmpty()) {
                            r.message = "waiting for " + gates(b.promotionGates()) + ": promote to switch";
                        } else {
                            r.message = "paused until promoted (autoPromotionEnabled is false)";
                        }
                        return;
                    }
                    r.pausedAt = null;
                    advance(r, FULL);
                }
                case FULL -> {
                    r.replicas.put(r.canary, replicas);
                    if (ca < replicas) {
                        r.waitFor(ca, replicas + " pods of " + r.canary + " to be available before the switch (" + ca + " are)");
                        return;
                    }
                    r.switchedAt = r.now;
                    r.moveWeight(100, b.activeService() + " switched");
                    advance(r, POST_PROMOTION);
                    r.event(Reasons.SWITCHED, b.activeService() + " now points at " + r.canary + "; " + r.stable
                            + " stays up until the rollout completes");
                }
                case POST_PROMOTION -> {
                    r.replicas.put(r.canary, replicas);
                    r.weight = 100;
                    if (!analysisPassed(r, RunKind.POST_PROMOTION, b.postPromotionAnalysis(), "post")) {
                        return;
                    }
                    complete(r, replicas);
                    return;
                }
                default -> {
                    complete(r, replicas);
                    return;
                }
            }
        }
    }

    /** Starts or checks the stage's analysis; true when it no longer holds the rollout. */
    private boolean analysisPassed(DecisionRun r, RunKind kind, Optional<RolloutAnalysis> analysis, String where) {
        if (analysis.isEmpty() || r.promoteFull) {
            return true;
        }
        AnalysisRunState run = r.latestRun(kind, -1, r.stepStartedAt);
        if (run == null) {
            RolloutAnalysis a = analysis.get();
            ResolvedRun rr = r.resolver.resolve(a, r.spec, r.templates, a.templates(), a.args(), a::isDryRun, r.stable, r.canary);
            run = r.startRun(r.runId(where), kind, -1, rr);
        }
        if (run.accepted() || run.phase() == AnalysisPhase.SUCCESSFUL) {
            return true;
        }
        if (run.phase().isFailure()) {
            r.failRun(run);
            return false;
        }
        if (run.phase() == AnalysisPhase.INCONCLUSIVE) {
            r.pauseInconclusive(run);
            return false;
        }
        r.reasons.add("waiting for " + kind.label() + " analysis " + run.id());
        return false;
    }

    /** A failed run of the current stage aborts; an inconclusive one waits for a person. */
    private boolean checkRuns(DecisionRun r) {
        return r.holdForRuns(run -> r.stepStartedAt != null && !run.startedAt().isBefore(r.stepStartedAt));
    }

    private void advance(DecisionRun r, int stage) {
        r.stepIndex = stage;
        r.stepStartedAt = r.now;
        r.phase = Phase.PROGRESSING;
        r.message = "";
    }

    private void complete(DecisionRun r, int replicas) {
        String previous = r.stable;
        r.stopAllRuns("the rollout completed");
        r.stable = r.canary;
        r.weight = 0;
        r.stepIndex = DONE;
        r.stepStartedAt = r.now;
        r.promoteFull = false;
        r.promoted = false;
        r.pausedAt = null;
        r.phase = Phase.HEALTHY;
        r.message = "";
        r.replicas.put(r.stable, replicas);
        Instant at = r.now.plusSeconds(Math.max(0, b.scaleDownDelaySeconds()));
        r.schedule(previous, at, "old active version after promotion (scaleDownDelaySeconds " + b.scaleDownDelaySeconds() + ")");
        r.event(Reasons.COMPLETED, r.stable + " promoted: it is now stable; " + previous + " scaled down at " + at);
    }

    private static String gates(List<Gate> gates) {
        return gates.stream().map(Gate::toString).collect(Collectors.joining(", "));
    }

    @Override
    public void gate(DecisionRun r, GateDecision g, String evidence) {
        switch (g.action()) {
            case PROMOTE -> {
                if (r.stepIndex == PREVIEW) {
                    r.promoted = true;
                    r.pausedAt = null;
                    r.gateApplied(evidence, b.previewGates().isEmpty() ? "promote: the switch follows as soon as the preview "
                            + "is ready and analysed" : "promote: " + gates(b.previewGates()) + " opened");
                } else if (r.stepIndex == PRE_PROMOTION || r.stepIndex == POST_PROMOTION) {
                    RunKind kind = r.stepIndex == PRE_PROMOTION ? RunKind.PRE_PROMOTION : RunKind.POST_PROMOTION;
                    AnalysisRunState run = r.latestRun(kind, -1, r.stepStartedAt);
                    String what = "";
                    if (run != null && (run.isRunning() || run.phase() == AnalysisPhase.INCONCLUSIVE)) {
                        if (r.stepIndex == POST_PROMOTION || !run.isRunning()) {
                            r.stopRun(run, null, "a person promoted");
                            r.accept(run);
                            what = "; " + kind.label() + " analysis " + run.id() + " accepted";
                        }
                    }
                    r.promoted = true;
                    r.pausedAt = null;
                    r.gateApplied(evidence, "promote" + what);
                } else {
                    r.gateIgnored(evidence, "the rollout is already switching to the new version");
                }
            }
            case PROMOTE_FULL -> {
                r.promoteFull = true;
                r.promoted = true;
                r.stopAllRuns("promote-full by a person");
                for (AnalysisRunState run : List.copyOf(r.runs)) {
                    r.accept(run);
                }
                if (r.stepIndex < FULL) {
                    if (r.readyAt == null) {
                        r.readyAt = r.now;
                    }
                    advance(r, FULL);
                }
                r.pausedAt = null;
                r.gateApplied(evidence, "promote-full: analyses and waits skipped; switching once every pod is ready");
            }
            default -> r.gateIgnored(evidence, "a blue-green rollout has no steps to skip");
        }
    }
}
