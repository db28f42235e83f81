package dev.stepwise.engine;

import dev.stepwise.engine.analysis.AnalysisPhase;
import dev.stepwise.engine.analysis.AnalysisRunState;
import dev.stepwise.engine.analysis.MeasurementRecord;
import dev.stepwise.engine.analysis.MetricState;
import dev.stepwise.engine.analysis.ResolvedMetric;
import dev.stepwise.engine.analysis.ResolvedRun;
import dev.stepwise.engine.analysis.RunKind;
import dev.stepwise.engine.analysis.Verdict;
import dev.stepwise.spec.model.AnalysisStep;
import dev.stepwise.spec.model.BackgroundAnalysis;
import dev.stepwise.spec.model.CanaryStrategy;
import dev.stepwise.spec.model.ExperimentStep;
import dev.stepwise.spec.model.Origin;
import dev.stepwise.spec.model.Pause;
import dev.stepwise.spec.model.PluginStep;
import dev.stepwise.spec.model.RolloutSpec;
import dev.stepwise.spec.model.SetCanaryScale;
import dev.stepwise.spec.model.SetHeaderRoute;
import dev.stepwise.spec.model.SetMirrorRoute;
import dev.stepwise.spec.model.SetWeight;
import dev.stepwise.spec.model.Step;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;


/**
 * The canary strategy: steps in order, each complete before the next starts; background analysis beside them; then
 * promotion (the canary is scaled to every replica, becomes stable, and the old stable is scaled down after
 * scaleDownDelaySeconds).
 *
 * <p>With a traffic router the weight moves only when the pods are there for it: up once the canary has its pods
 * available, down at once (with dynamicStableScale: once the stable has its pods back). Without a router the weight is
 * the pods' ratio, moved by {@link CanaryReplicas#rollingStep}.
 *
 * <p>Flagger Canaries run here too (their steps are mapped by the model): a failed check holds the weight (a pause
 * step does not end while the latest check of a metric failed) until the Canary's threshold of failed checks rolls it
 * back, and confirm webhooks are indefinite pauses a promote opens.
 */
final class CanaryLogic implements Strategy {
    private final RolloutSpec spec;
    private final CanaryStrategy c;
    private final List<Step> steps;
    private final int n;
    private final boolean routed;
    private final int maxWeight;
    private final String stableService;
    private final String canaryService;
    private final boolean flagger;

    CanaryLogic(RolloutSpec spec, CanaryStrategy c) {
        this.spec = spec;
        this.c = c;
        this.steps = c.steps();
        this.n = steps.size();
        this.routed = !c.trafficRouting().isReplicaRatio();
        this.maxWeight = Math.max(1, c.trafficRouting().maxTrafficWeight());
        this.stableService = c.stableService().orElse(null);
        this.canaryService = c.canaryService().orElse(null);
        this.flagger = spec.origin() == Origin.FLAGGER_CANARY;
    }

    @Override
    public int revisionLimit() {
        return c.scaleDownDelayRevisionLimit().map(l -> Math.max(0, l)).orElse(-1);
    }

    @Override
    public int doneIndex() {
        return n;
    }

    @Override
    public boolean basic() {
        return !routed;
    }

    @Override
    public int maxWeight() {
        return maxWeight;
    }

    @Override
    public int abortScaleDownDelaySeconds() {
        return c.abortScaleDownDelaySeconds();
    }

    @Override
    public boolean irreversiblePassed(DecisionRun r) {
        for (int i = 0; i < Math.min(r.stepIndex, n); i++) {
            if (steps.get(i).irreversible()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public ResolvedRun resolve(DecisionRun r, AnalysisRunState run) {
        switch (run.kind()) {
            case STEP: {
                if (run.step() < 0 || run.step() >= n || !(steps.get(run.step()) instanceof AnalysisStep a)) {
                    return null;
                }
                return r.resolver.resolve(a.analysis(), spec, r.templates, a.templates(), a.args(), a.analysis()::isDryRun,
                        r.stable, r.canary);
            }
            case BACKGROUND: {
                if (c.analysis().isEmpty()) {
                    return null;
                }
                BackgroundAnalysis b = c.analysis().get();
                return r.resolver.resolve(b.analysis(), spec, r.templates, b.analysis().templates(), b.analysis().args(),
                        b.analysis()::isDryRun, r.stable, r.canary);
            }
            case EXPERIMENT: {
                if (run.step() < 0 || run.step() >= n || !(steps.get(run.step()) instanceof ExperimentStep e)) {
                    return null;
                }
                String name = experimentAnalysisName(run.id());
                for (ExperimentStep.Analysis a : e.analyses()) {
                    if (a.name().equals(name)) {
                        return r.resolver.resolve(a, spec, r.templates, List.of(a.template()), a.args(), m -> false,
                                r.stable, r.canary);
                    }
                }
                return null;
            }
            default:
                return null;
        }
    }

    private static String experimentAnalysisName(String runId) {
        int x = runId.indexOf(".x.");
        String rest = x < 0 ? runId : runId.substring(x + 3);
        int tilde = rest.lastIndexOf('~');
        return tilde < 0 ? rest : rest.substring(0, tilde);
    }

    // ------------------------------------------------------------------ progress

    @Override
    public void progress(DecisionRun r) {
        r.headerRoutes = List.of();
        r.mirrorRoutes = List.of();
        if (!r.inFlight()) {
            steady(r);
        } else if (r.aborted) {
            aborted(r);
        } else {
            inFlight(r);
        }
        services(r);
        r.experiments = experimentSets(r);
    }

    private void services(DecisionRun r) {
        r.services.clear();
        boolean live = r.inFlight() && !r.aborted;
        if (stableService != null) {
            r.services.put(stableService, r.stable);
        }
        if (canaryService != null) {
            r.services.put(canaryService, live ? r.canary : r.stable);
        }
    }

    /** Nothing rolling out: the stable version, all replicas. */
    private void steady(DecisionRun r) {
        int replicas = spec.replicas();
        r.replicas.put(r.stable, replicas);
        r.weight = 0;
        r.halted = false;
        r.pausedAt = null;
        int available = r.obs.available(r.stable);
        if (available >= replicas) {
            r.phase = Phase.HEALTHY;
            r.message = "";
        } else {
            r.phase = Phase.PROGRESSING;
            r.message = "";
            r.waitFor(available, replicas + " stable pods of " + r.stable + " to be available (" + available + " are)");
        }
    }

    /**
     * Aborted: no canary traffic. In the abort's own decision no replica count changes (DecisionRun keeps them); after
     * it, the stable gets all its pods back and the canary keeps its pods until its scale-down deadline. Without a
     * router, traffic follows pods, so the canary's pods are rolled away at once.
     */
    private void aborted(DecisionRun r) {
        r.phase = Phase.DEGRADED;
        r.message = "aborted: " + r.abortReason;
        r.pausedAt = null;
        int replicas = spec.replicas();
        if (routed) {
            r.weight = 0;
            if (!r.abortedNow) {
                r.replicas.put(r.stable, replicas);
            }
            return;
        }
        CanaryReplicas.Counts next = CanaryReplicas.rollingStep(replicas, new CanaryReplicas.Counts(0, replicas),
                current(r), available(r), budget());
        put(r, next);
        if (r.abortedNow) {
            r.weight = CanaryReplicas.share(next, maxWeight);
        } else {
            r.moveWeight(CanaryReplicas.share(next, maxWeight), next.canary() + " canary and " + next.stable() + " stable pods");
        }
    }

    private void inFlight(DecisionRun r) {
        r.phase = Phase.PROGRESSING;
        if (!r.halted) {
            r.message = "";
        }
        boolean hold = r.halted || checkRuns(r);
        if (r.aborted) {
            aborted(r);
            return;
        }
        for (int guard = 0; guard <= n + 2 && !r.aborted; guard++) {
            if (ensureBackground(r)) {
                break;
            }
            if (r.stepIndex >= n) {
                promote(r, hold);
                break;
            }
            Step step = steps.get(r.stepIndex);
            if (!execute(r, step, hold)) {
                break;
            }
            completeStep(r, step);
        }
        if (r.aborted) {
            aborted(r);
            return;
        }
        if (r.halted) {
            r.phase = Phase.PAUSED;
        }
        if (r.inFlight()) {
            routes(r);
        }
    }

    /** Failed runs abort; an inconclusive one holds the rollout for a person. True when the rollout must hold. */
    private boolean checkRuns(DecisionRun r) {
        return r.holdForRuns(run -> relevant(r, run));
    }

    /** Runs whose outcome matters now: the live background run, and the current step's runs. */
    private boolean relevant(DecisionRun r, AnalysisRunState run) {
        if (run.kind() == RunKind.BACKGROUND) {
            return run == r.latestRun(RunKind.BACKGROUND, -1, null);
        }
        return run.step() == r.stepIndex && r.stepStartedAt != null && !run.startedAt().isBefore(r.stepStartedAt);
    }

    /** Starts background analysis once the rollout reaches its startingStep. True when the new run failed at once. */
    private boolean ensureBackground(DecisionRun r) {
        if (c.analysis().isEmpty() || r.stepIndex < c.analysis().get().startingStep() || r.stepIndex >= n) {
            return false;
        }
        AnalysisRunState live = r.latestRun(RunKind.BACKGROUND, -1, null);
        if (live != null && !live.accepted()) {
            return false;
        }
        ResolvedRun rr = r.resolver.resolve(c.analysis().get().analysis(), spec, r.templates,
                c.analysis().get().analysis().templates(), c.analysis().get().analysis().args(),
                c.analysis().get().analysis()::isDryRun, r.stable, r.canary);
        AnalysisRunState run = r.startRun(r.runId("bg"), RunKind.BACKGROUND, r.stepIndex, rr);
        if (run.phase().isFailure()) {
            r.failRun(run);
            return true;
        }
        return false;
    }

    /** Works on the current step; true when it is complete. */
    private boolean execute(DecisionRun r, Step step, boolean hold) {
        Traffic t = traffic(r, hold);
        if (r.promoteStep) {
            r.promoteStep = false;
            for (AnalysisRunState run : List.copyOf(r.runs)) {
                if (relevant(r, run) && run.kind() != RunKind.BACKGROUND) {
                    r.stopRun(run, null, "a person promoted past step " + r.stepIndex);
                    r.accept(run);
                }
            }
            return true;
        }
        if (hold) {
            return false;
        }
        if (step instanceof SetWeight) {
            return t.settled;
        }
        if (step instanceof Pause p) {
            return pause(r, p);
        }
        if (step instanceof AnalysisStep a) {
            return analysis(r, a);
        }
        if (step instanceof SetCanaryScale) {
            return !routed || t.settled; // Argo ignores setCanaryScale without a traffic router, and so does Stepwise
        }
        if (step instanceof SetHeaderRoute || step instanceof SetMirrorRoute) {
            return true; // the route is part of the desired state from this decision on
        }
        if (step instanceof ExperimentStep e) {
            return experiment(r, e);
        }
        PluginStep plugin = (PluginStep) step;
        r.phase = Phase.PAUSED;
        if (r.pausedAt == null) {
            r.pausedAt = r.now;
            r.event(Reasons.UNSUPPORTED_STEP, "step " + r.stepIndex + " (plugin " + plugin.name()
                    + ") is carried out by an Argo step plugin, which Stepwise does not run: promote when it is done");
        }
        r.message = "waiting for a person to promote past plugin step " + plugin.name();
        return false;
    }

    private boolean pause(DecisionRun r, Pause p) {
        if (r.pausedAt == null) {
            r.pausedAt = r.stepStartedAt != null ? r.stepStartedAt : r.now;
        }
        r.phase = Phase.PAUSED;
        if (p.isIndefinite()) {
            r.message = p.gate().map(g -> "waiting for " + g + ": promote to continue").orElse("paused until promoted");
            return false;
        }
        Instant end = r.pausedAt.plus(p.duration().get());
        if (r.now.isBefore(end)) {
            // the same pause as last time says the same: reuse the text rather than format an instant again
            boolean same = r.old.phase() == Phase.PAUSED && r.old.stepIndex() == r.stepIndex
                    && r.pausedAt.equals(r.old.pausedAt()) && !r.old.halted();
            r.message = same ? r.old.message() : p.describe() + " until " + end;
            r.requeue(end);
            return false;
        }
        if (flagger) {
            String failing = lastCheckFailed(r);
            if (failing != null) {
                r.phase = Phase.PROGRESSING;
                r.message = "holding the weight: the last check of " + failing + " failed (Flagger advances only after a "
                        + "passing check)";
                return false;
            }
        }
        return true;
    }

    /** For Flagger: the metric whose latest check failed or errored, or null when the latest checks all passed. */
    private String lastCheckFailed(DecisionRun r) {
        AnalysisRunState bg = r.latestRun(RunKind.BACKGROUND, -1, null);
        if (bg == null || !bg.isRunning()) {
            return null;
        }
        ResolvedRun rr = resolve(r, bg);
        for (MetricState m : bg.metrics()) {
            ResolvedMetric rm = rr == null ? null : rr.metric(m.name());
            MeasurementRecord last = m.last();
            if (rm != null && !rm.dryRun() && last != null && (last.verdict() == Verdict.FAILED || last.verdict() == Verdict.ERROR)) {
                return m.name();
            }
        }
        return null;
    }

    private boolean analysis(DecisionRun r, AnalysisStep a) {
        AnalysisRunState run = r.latestRun(RunKind.STEP, r.stepIndex, r.stepStartedAt);
        if (run == null) {
            ResolvedRun rr = r.resolver.resolve(a.analysis(), spec, r.templates, a.templates(), a.args(),
                    a.analysis()::isDryRun, r.stable, r.canary);
            run = r.startRun(r.runId("s" + r.stepIndex), RunKind.STEP, r.stepIndex, rr);
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
        r.reasons.add("waiting for analysis " + run.id());
        return false;
    }

    private boolean experiment(DecisionRun r, ExperimentStep e) {
        boolean ready = true;
        int available = 0;
        for (ExperimentStep.Template t : e.templates()) {
            String key = "experiment/" + t.name();
            int want = t.replicas().orElse(1);
            r.replicas.put(key, want);
            int have = r.obs.available(key);
            available += have;
            ready &= have >= want;
        }
        if (!ready) {
            r.waitFor(available, "the experiment's ReplicaSets to be available");
            return false;
        }
        if (r.readyAt == null) {
            r.readyAt = r.now;
            r.event(Reasons.EXPERIMENT, "experiment at step " + r.stepIndex + " running: " + e.describe());
            for (ExperimentStep.Analysis a : e.analyses()) {
                ResolvedRun rr = r.resolver.resolve(a, spec, r.templates, List.of(a.template()), a.args(), m -> false,
                        r.stable, r.canary);
                AnalysisRunState run = r.startRun(r.runId("s" + r.stepIndex + ".x." + a.name()), RunKind.EXPERIMENT,
                        r.stepIndex, rr);
                if (run.phase().isFailure()) {
                    r.failRun(run);
                    return false;
                }
            }
        }
        if (e.duration().isPresent()) {
            Instant end = r.readyAt.plus(e.duration().get());
            if (r.now.isBefore(end)) {
                r.requeue(end);
                r.reasons.add("experiment runs until " + end);
                return false;
            }
            return true;
        }
        boolean anyRequired = false;
        for (ExperimentStep.Analysis a : e.analyses()) {
            anyRequired |= a.requiredForCompletion();
        }
        for (ExperimentStep.Analysis a : e.analyses()) {
            if (anyRequired && !a.requiredForCompletion()) {
                continue;
            }
            AnalysisRunState mine = null;
            for (AnalysisRunState x : r.runs) {
                if (x.kind() == RunKind.EXPERIMENT && x.step() == r.stepIndex && experimentAnalysisName(x.id()).equals(a.name())
                        && !x.startedAt().isBefore(r.stepStartedAt)) {
                    mine = x;
                }
            }
            if (mine == null || (mine.phase() != AnalysisPhase.SUCCESSFUL && !mine.accepted())) {
                r.reasons.add("experiment waits for analysis " + a.name());
                return false;
            }
        }
        return true;
    }

    private void completeStep(DecisionRun r, Step step) {
        for (AnalysisRunState run : List.copyOf(r.runs)) {
            if (run.isRunning() && run.kind() != RunKind.BACKGROUND && run.step() == r.stepIndex) {
                r.stopRun(run, null, "step " + r.stepIndex + " completed");
            }
        }
        if (step instanceof ExperimentStep) {
            r.scheduleExperimentScaleDowns(r.now, "experiment finished");
        }
        r.event(Reasons.STEP_COMPLETED, "step " + r.stepIndex + " (" + step.describe() + ") completed");
        r.stepIndex++;
        r.stepStartedAt = r.now;
        r.pausedAt = null;
        r.readyAt = null;
        r.phase = Phase.PROGRESSING;
        r.message = "";
    }

    /** All steps done: the canary gets every replica, then becomes stable. */
    private void promote(DecisionRun r, boolean hold) {
        Traffic t = traffic(r, hold);
        if (hold || !t.settled) {
            return;
        }
        String previous = r.stable;
        String promotedHash = r.canary;
        r.stopAllRuns("the rollout completed");
        r.stable = promotedHash;
        r.weight = 0;
        r.promoteFull = false;
        r.pausedAt = null;
        r.phase = Phase.HEALTHY;
        r.message = "";
        r.replicas.put(promotedHash, spec.replicas());
        String after;
        if (routed && r.replicas.getOrDefault(previous, 0) > 0) {
            Instant at = r.now.plusSeconds(Math.max(0, c.scaleDownDelaySeconds()));
            r.schedule(previous, at, "old stable after promotion (scaleDownDelaySeconds " + c.scaleDownDelaySeconds() + ")");
            after = "old stable " + previous + " scaled down at " + at;
        } else {
            r.replicas.remove(previous);
            after = "old stable " + previous + " has no pods left";
        }
        r.event(Reasons.COMPLETED, promotedHash + " promoted: it is now stable and serves all traffic; " + after);
    }

    // ------------------------------------------------------------------ traffic and replicas

    /** Whether the current step's weight and pods are in place. */
    private record Traffic(boolean settled) {
    }

    /**
     * Sets the weight and replica counts for the current position. {@code frozen} (an inconclusive analysis, a halt)
     * never raises the canary's share.
     */
    private Traffic traffic(DecisionRun r, boolean frozen) {
        int replicas = spec.replicas();
        boolean promoting = r.stepIndex >= n;
        int ca = r.obs.available(r.canary);
        int sa = r.obs.available(r.stable);
        if (routed) {
            int target = promoting ? r.weight : targetWeight(r.stepIndex);
            Integer override = promoting ? null : canaryScale(r.stepIndex, replicas);
            int canaryWant = promoting ? replicas : override != null ? override : CanaryReplicas.forWeight(replicas, target, maxWeight);
            if (frozen) {
                canaryWant = Math.min(canaryWant, Math.max(r.replicas.getOrDefault(r.canary, 0), 0));
            }
            if (target > r.weight && !frozen) {
                if (canaryWant > 0 && ca >= canaryWant) {
                    r.moveWeight(target, ca + (ca == 1 ? " canary pod" : " canary pods") + " available");
                }
            } else if (target < r.weight) {
                if (!c.dynamicStableScale() || sa >= CanaryReplicas.forWeight(replicas, maxWeight - target, maxWeight)) {
                    r.moveWeight(target, "");
                }
            }
            int stableWant = c.dynamicStableScale()
                    ? CanaryReplicas.dynamicStable(replicas, target, r.weight, maxWeight) : replicas;
            r.replicas.put(r.canary, canaryWant);
            r.replicas.put(r.stable, stableWant);
            boolean settled = promoting ? ca >= replicas : r.weight == target && ca >= canaryWant;
            if (!settled && !frozen) {
                if (r.weight != target && target < r.weight) {
                    r.waitFor(ca + sa, "stable pods to carry " + (maxWeight - target) + "% of traffic");
                } else if (canaryWant == 0 && target > 0) {
                    r.reasons.add("setCanaryScale leaves the canary no pods: its weight stays at " + r.weight);
                    settled = true;
                } else {
                    r.waitFor(ca + sa, canaryWant + " canary pods of " + r.canary + " to be available (" + ca + " are)");
                }
            }
            if (settled && !promoting && !frozen) {
                settled = routerServes(r);
            }
            return new Traffic(settled);
        }
        CanaryReplicas.Counts target = promoting ? new CanaryReplicas.Counts(replicas, 0)
                : CanaryReplicas.basicTarget(replicas, targetWeight(r.stepIndex), maxWeight, budget().maxSurge());
        CanaryReplicas.Counts current = current(r);
        if (frozen) {
            target = new CanaryReplicas.Counts(Math.min(target.canary(), current.canary()), Math.max(target.stable(), current.stable()));
        }
        CanaryReplicas.Counts next = CanaryReplicas.rollingStep(replicas, target, current, available(r), budget());
        put(r, next);
        r.moveWeight(CanaryReplicas.share(next, maxWeight), next.canary() + " canary and " + next.stable() + " stable pods");
        boolean settled = next.equals(target) && ca >= target.canary() && sa >= target.stable();
        if (!settled && !frozen) {
            r.waitFor(ca + sa, target.canary() + " canary and " + target.stable() + " stable pods (" + ca + " and " + sa
                    + " available)");
        }
        return new Traffic(settled);
    }

    /** How long to wait before asking the router again whether it serves the weight Stepwise wrote. */
    static final Duration VERIFY_RETRY = Duration.ofSeconds(5);

    /**
     * Argo's rule: a weight counts once it is read back from the router. True when nothing was reported (no router to
     * check: simulations, unit tests) or the router serves the desired weight; a router that cannot be read serves
     * nothing. Only a step's completion waits here; the desired weight itself is never held back, and an abort never
     * passes here.
     */
    private boolean routerServes(DecisionRun r) {
        String why;
        if (r.obs.traffic() instanceof TrafficReading.NotReported) {
            return true;
        } else if (r.obs.traffic() instanceof TrafficReading.Served s) {
            if (s.weight() == r.weight) {
                return true;
            }
            why = "waiting for traffic weight " + r.weight + " to be verified, router reports " + s.weight();
        } else {
            why = "waiting for traffic weight " + r.weight + " to be verified, the router cannot be read ("
                    + ((TrafficReading.Unreadable) r.obs.traffic()).readings() + ")";
        }
        r.requeue(r.now.plus(VERIFY_RETRY));
        // one event per wait, not one per retry: the status keeps the wait in its message, so a retry that finds the
        // same situation says nothing new
        if (!why.equals(r.old.message()) || r.old.stepIndex() != r.stepIndex) {
            r.event(Reasons.TRAFFIC_NOT_VERIFIED, why);
        }
        r.message = why;
        return false;
    }

    private CanaryReplicas.Budget budget() {
        return CanaryReplicas.Budget.of(spec.replicas(), c.maxSurge(), c.maxUnavailable());
    }

    private CanaryReplicas.Counts current(DecisionRun r) {
        return new CanaryReplicas.Counts(r.replicas.getOrDefault(r.canary, 0), r.replicas.getOrDefault(r.stable, 0));
    }

    private CanaryReplicas.Counts available(DecisionRun r) {
        return new CanaryReplicas.Counts(r.obs.available(r.canary), r.obs.available(r.stable));
    }

    private void put(DecisionRun r, CanaryReplicas.Counts counts) {
        r.replicas.put(r.canary, counts.canary());
        r.replicas.put(r.stable, counts.stable());
    }

    /** The weight of the last setWeight at or before step {@code i} (0 before any). */
    int targetWeight(int i) {
        for (int j = Math.min(i, n - 1); j >= 0; j--) {
            if (steps.get(j) instanceof SetWeight w) {
                return Math.max(0, Math.min(maxWeight, w.weight()));
            }
        }
        return 0;
    }

    /** The canary pod count a setCanaryScale at or before step {@code i} asks for, or null to follow the weight. */
    private Integer canaryScale(int i, int replicas) {
        if (!routed) {
            return null;
        }
        for (int j = Math.min(i, n - 1); j >= 0; j--) {
            if (steps.get(j) instanceof SetCanaryScale s) {
                if (s.matchTrafficWeight()) {
                    return null;
                }
                if (s.replicas().isPresent()) {
                    return Math.max(0, s.replicas().get());
                }
                if (s.weight().isPresent()) {
                    return CanaryReplicas.forWeight(replicas, s.weight().get(), 100);
                }
                return null;
            }
        }
        return null;
    }

    /** Header and mirror routes set by the steps already done (the last setting of each route wins). */
    private void routes(DecisionRun r) {
        if (!routed || r.stepIndex >= n) {
            return;
        }
        Map<String, HeaderRoute> headers = new LinkedHashMap<>();
        Map<String, MirrorRoute> mirrors = new LinkedHashMap<>();
        for (int j = 0; j < Math.min(r.stepIndex, n); j++) {
            Step s = steps.get(j);
            if (s instanceof SetHeaderRoute h) {
                if (h.matches().isEmpty()) {
                    headers.remove(h.name());
                } else {
                    headers.put(h.name(), new HeaderRoute(h.name(), h.matches()));
                }
            } else if (s instanceof SetMirrorRoute m) {
                if (m.removesRoute()) {
                    mirrors.remove(m.name());
                } else {
                    mirrors.put(m.name(), new MirrorRoute(m.name(), m.percentage().orElse(100), m.matches()));
                }
            }
        }
        r.headerRoutes = headers.isEmpty() ? List.of() : List.copyOf(headers.values());
        r.mirrorRoutes = mirrors.isEmpty() ? List.of() : List.copyOf(mirrors.values());
    }

    /** Experiment ReplicaSets still holding pods; they get traffic only while their step runs and they are ready. */
    private List<ExperimentReplicaSet> experimentSets(DecisionRun r) {
        List<ExperimentReplicaSet> out = null;
        for (Map.Entry<String, Integer> e : r.replicas.entrySet()) {
            if (!e.getKey().startsWith("experiment/") || e.getValue() <= 0) {
                continue;
            }
            String name = e.getKey().substring("experiment/".length());
            String version = r.canary;
            int weight = 0;
            for (int j = 0; j < n; j++) {
                if (steps.get(j) instanceof ExperimentStep x) {
                    for (ExperimentStep.Template t : x.templates()) {
                        if (t.name().equals(name)) {
                            version = t.specRef() == ExperimentStep.SpecRef.STABLE ? r.stable : r.canary;
                            boolean live = j == r.stepIndex && r.readyAt != null && !r.aborted && r.inFlight();
                            weight = live && routed ? t.weight().orElse(0) : 0;
                        }
                    }
                }
            }
            if (out == null) {
                out = new ArrayList<>(2);
            }
            out.add(new ExperimentReplicaSet(name, version, e.getValue(), weight));
        }
        return out == null ? List.of() : out;
    }

    // ------------------------------------------------------------------ gates

    @Override
    public void gate(DecisionRun r, GateDecision g, String evidence) {
        switch (g.action()) {
            case PROMOTE -> promoteGate(r, evidence);
            case PROMOTE_FULL -> {
                if (r.stepIndex >= n) {
                    r.gateIgnored(evidence, "every step is already done");
                    return;
                }
                r.promoteFull = true;
                r.halted = false;
                r.stopAllRuns("promote-full by a person");
                for (AnalysisRunState run : List.copyOf(r.runs)) {
                    r.accept(run);
                }
                int from = r.stepIndex;
                r.stepIndex = n;
                r.stepStartedAt = r.now;
                r.pausedAt = null;
                r.readyAt = null;
                r.scheduleExperimentScaleDowns(r.now, "promote-full");
                r.gateApplied(evidence, "promote-full: steps " + from + ".." + (n - 1) + " and their analyses skipped");
            }
            case SKIP -> {
                int target = g.step().isPresent() ? g.step().getAsInt() : r.stepIndex + 1;
                if (target < 0 || target > n) {
                    r.gateIgnored(evidence, "there is no step " + target + " (steps 0.." + (n - 1) + ")");
                    return;
                }
                if (target == r.stepIndex) {
                    r.gateIgnored(evidence, "the rollout is already at step " + target);
                    return;
                }
                for (AnalysisRunState run : List.copyOf(r.runs)) {
                    if (run.kind() != RunKind.BACKGROUND && run.isRunning()) {
                        r.stopRun(run, null, "a person skipped to step " + target);
                    }
                    if (run.kind() != RunKind.BACKGROUND) {
                        r.accept(run);
                    }
                }
                if (r.halted) {
                    acceptFailures(r);
                    r.halted = false;
                }
                int from = r.stepIndex;
                r.stepIndex = target;
                r.stepStartedAt = r.now;
                r.pausedAt = null;
                r.readyAt = null;
                r.scheduleExperimentScaleDowns(r.now, "skipped");
                r.gateApplied(evidence, "skip: step " + from + " -> " + target);
            }
            default -> r.gateIgnored(evidence, "not a promotion");
        }
    }

    private void promoteGate(DecisionRun r, String evidence) {
        if (r.halted) {
            boolean stepFailed = acceptFailures(r);
            r.halted = false;
            r.pausedAt = null;
            r.message = "";
            r.promoteStep = stepFailed;
            r.gateApplied(evidence, "promote: resumed after the halt" + (stepFailed ? "; step " + r.stepIndex + " counts as passed" : ""));
            return;
        }
        if (r.stepIndex >= n) {
            r.gateIgnored(evidence, "every step is done; the rollout is already being promoted");
            return;
        }
        AnalysisRunState bg = r.latestRun(RunKind.BACKGROUND, -1, null);
        if (bg != null && !bg.isRunning() && bg.phase() == AnalysisPhase.INCONCLUSIVE && !bg.accepted()) {
            r.accept(bg);
            r.pausedAt = null;
            r.gateApplied(evidence, "promote: inconclusive background analysis " + bg.id() + " accepted; it starts again");
            return;
        }
        for (AnalysisRunState run : List.copyOf(r.runs)) {
            if (run.kind() != RunKind.BACKGROUND && !run.isRunning() && !run.accepted() && relevant(r, run)
                    && run.phase() == AnalysisPhase.INCONCLUSIVE) {
                r.accept(run);
            }
        }
        r.promoteStep = true;
        r.gateApplied(evidence, "promote: step " + r.stepIndex + " (" + steps.get(r.stepIndex).describe() + ") passed by a person");
    }

    /** Accepts the failed runs that halted the rollout; true when one was the current step's own run. */
    private boolean acceptFailures(DecisionRun r) {
        boolean step = false;
        for (AnalysisRunState run : List.copyOf(r.runs)) {
            if (!run.isRunning() && !run.accepted() && (run.phase().isFailure() || run.phase() == AnalysisPhase.INCONCLUSIVE)
                    && relevant(r, run)) {
                r.accept(run);
                step |= run.kind() != RunKind.BACKGROUND;
            }
        }
        return step;
    }
}
