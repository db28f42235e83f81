package dev.stepwise.engine;

import dev.stepwise.engine.analysis.AnalysisPhase;
import dev.stepwise.engine.analysis.AnalysisResolver;
import dev.stepwise.engine.analysis.AnalysisRunState;
import dev.stepwise.engine.analysis.AnalysisRuns;
import dev.stepwise.engine.analysis.MeasurementRecord;
import dev.stepwise.engine.analysis.MetricState;
import dev.stepwise.engine.analysis.ResolvedMetric;
import dev.stepwise.engine.analysis.ResolvedRun;
import dev.stepwise.engine.analysis.RunKind;
import dev.stepwise.spec.model.AnalysisTemplateSpec;
import dev.stepwise.spec.model.Origin;
import dev.stepwise.spec.model.RolloutSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * One call to {@link RolloutEngine#decide}: the status copied into working fields, changed step by step, and turned
 * back into an immutable status and a decision. Everything both strategies share lives here: new revisions, gate
 * decisions, analysis runs and their measurements, aborts and halts, scale-down deadlines, the progress deadline.
 *
 * <p>Order within a decision: scale-downs that fell due, a new revision (or a return to stable), measurements into
 * their runs, gate decisions (in the order they were made), then the strategy moves the rollout as far as it can,
 * then the progress deadline. Measurements go before gates because they happened: a person promoting cannot hide a
 * failure that was already measured.
 */
final class DecisionRun {
    final RolloutSpec spec;
    final Map<String, AnalysisTemplateSpec> templates;
    final RolloutStatus old;
    final Observations obs;
    final Instant now;
    final AnalysisResolver resolver;
    final Strategy strategy;

    // the status being worked on
    Phase phase;
    boolean aborted;
    String abortReason;
    String message;
    String stable;
    String canary;
    String revision;
    int attempt;
    int stepIndex;
    Instant startedAt;
    Instant stepStartedAt;
    Instant pausedAt;
    boolean halted;
    boolean promoteFull;
    boolean promoted;
    int weight;
    final LinkedHashMap<String, Integer> replicas = new LinkedHashMap<>();
    Instant waitingSince;
    int waitingAvailable;
    Instant readyAt;
    Instant switchedAt;
    final ArrayList<AnalysisRunState> runs;
    final ArrayList<String> appliedGates;
    final ArrayList<ScaleDownDeadline> scaleDowns;

    // this decision only
    final ArrayList<EngineEvent> events = new ArrayList<>(4);
    final ArrayList<String> reasons = new ArrayList<>(2);
    final ArrayList<RunChange> runChanges = new ArrayList<>(0);
    /** An abort happened in this decision: traffic moves, pods do not (they follow in a later decision). */
    boolean abortedNow;
    /** Scale-downs carried out in this decision (an abort in the same decision puts them off to the next). */
    private final ArrayList<ScaleDownDeadline> expiredNow = new ArrayList<>(0);
    /** A person promoted the current step (consumed by the strategy when it looks at that step). */
    boolean promoteStep;
    boolean waitingForPods;
    int podsAvailable;
    String waitingFor = "";
    Instant requeue;
    final LinkedHashMap<String, String> services = new LinkedHashMap<>(4);
    List<HeaderRoute> headerRoutes = List.of();
    List<MirrorRoute> mirrorRoutes = List.of();
    List<ExperimentReplicaSet> experiments = List.of();

    DecisionRun(RolloutSpec spec, Map<String, AnalysisTemplateSpec> templates, RolloutStatus status, Observations obs,
                Instant now, AnalysisResolver resolver, Strategy strategy) {
        this.spec = spec;
        this.templates = templates;
        this.old = status;
        this.obs = obs;
        this.now = now;
        this.resolver = resolver;
        this.strategy = strategy;
        phase = status.phase();
        aborted = status.aborted();
        abortReason = status.abortReason();
        message = status.message();
        stable = status.stableHash();
        canary = status.canaryHash();
        revision = status.specRevision();
        attempt = status.attempt();
        stepIndex = status.stepIndex();
        startedAt = status.startedAt();
        stepStartedAt = status.stepStartedAt();
        pausedAt = status.pausedAt();
        halted = status.halted();
        promoteFull = status.promoteFull();
        promoted = status.promoted();
        weight = status.canaryWeight();
        for (VersionReplicas v : status.replicas()) {
            replicas.put(v.version(), v.replicas());
        }
        waitingSince = status.waitingSince();
        waitingAvailable = status.waitingAvailable();
        readyAt = status.previewReadyAt();
        switchedAt = status.switchedAt();
        runs = new ArrayList<>(status.runs());
        appliedGates = new ArrayList<>(status.appliedGates());
        scaleDowns = new ArrayList<>(status.scaleDowns());
    }

    Decision run() {
        expireScaleDowns();
        handleRevision();
        foldMeasurements();
        applyGates();
        strategy.progress(this);
        if (checkProgressDeadline()) {
            strategy.progress(this); // the deadline aborted: the desired state is now the aborted one
        }
        enforceRevisionLimit();
        return build();
    }

    // ---------------------------------------------------------------- revisions

    boolean inFlight() {
        return !canary.isEmpty() && !canary.equals(stable);
    }

    private void handleRevision() {
        String hash = spec.podTemplateHash();
        if (stable.isEmpty()) {
            stable = hash;
            canary = hash;
            attempt = Math.max(1, attempt + 1);
            stepIndex = strategy.doneIndex();
            startedAt = now;
            stepStartedAt = now;
            event(Reasons.INITIAL_DEPLOY, "first version " + hash + " deployed as stable with " + spec.replicas()
                    + " replicas (no steps: there is nothing to compare it with)");
        } else if (!hash.equals(canary)) {
            if (hash.equals(stable)) {
                backToStable();
            } else {
                newRevision(hash);
            }
        }
        if (!obs.specRevision().isEmpty() && !obs.specRevision().equals(revision)) {
            revision = obs.specRevision();
        }
    }

    private void newRevision(String hash) {
        boolean midFlight = inFlight();
        String previous = canary;
        if (midFlight) {
            stopAllRuns("a new revision replaced " + previous);
            scheduleExperimentScaleDowns(now.plusSeconds(Math.max(0, strategy.abortScaleDownDelaySeconds())), "replaced by a new revision");
            schedule(previous, now.plusSeconds(Math.max(0, strategy.abortScaleDownDelaySeconds())), "replaced by new revision " + hash);
        }
        canary = hash;
        attempt++;
        stepIndex = 0;
        startedAt = now;
        stepStartedAt = now;
        pausedAt = null;
        halted = false;
        aborted = false;
        abortReason = "";
        promoteFull = false;
        promoted = false;
        readyAt = null;
        switchedAt = null;
        waitingSince = null;
        waitingAvailable = 0;
        weight = 0;
        runs.clear();
        scaleDowns.removeIf(d -> d.version().equals(hash));
        phase = Phase.PROGRESSING;
        message = "";
        if (midFlight) {
            event(Reasons.NEW_REVISION, "new revision " + hash + " replaces " + previous + " mid-rollout: starting over from stable "
                    + stable + "; " + previous + " gets no more traffic and is scaled down after its delay");
        } else {
            event(Reasons.ROLLOUT_STARTED, "rolling out " + hash + " (stable " + stable + ")");
        }
    }

    private void backToStable() {
        String previous = canary;
        stopAllRuns("the spec went back to the stable version");
        Instant at = now.plusSeconds(Math.max(0, strategy.abortScaleDownDelaySeconds()));
        scheduleExperimentScaleDowns(at, "the spec went back to the stable version");
        schedule(previous, at, "the spec went back to stable " + stable);
        canary = stable;
        weight = 0;
        aborted = false;
        abortReason = "";
        halted = false;
        promoteFull = false;
        promoted = false;
        pausedAt = null;
        readyAt = null;
        switchedAt = null;
        stepIndex = strategy.doneIndex();
        stepStartedAt = now;
        message = "";
        event(Reasons.ROLLBACK_TO_STABLE, "the spec is back at stable " + stable + ": all traffic to it, " + previous
                + " scaled down at " + at);
    }

    // ---------------------------------------------------------------- scale-downs

    private void expireScaleDowns() {
        if (scaleDowns.isEmpty()) {
            return;
        }
        for (ScaleDownDeadline d : List.copyOf(scaleDowns)) {
            if (d.at().isAfter(now)) {
                continue;
            }
            scaleDowns.remove(d);
            boolean inUse = d.version().equals(stable) || (d.version().equals(canary) && !aborted);
            if (!inUse && replicas.remove(d.version()) != null) {
                expiredNow.add(d);
                event(Reasons.SCALED_DOWN, d.version() + " scaled to 0 (" + d.reason() + ")");
            }
        }
    }

    /** Schedules {@code version} to be scaled to zero at {@code at} (a later decision, even when {@code at} is now). */
    void schedule(String version, Instant at, String reason) {
        if (version == null || version.isEmpty()) {
            return;
        }
        scaleDowns.removeIf(d -> d.version().equals(version));
        scaleDowns.add(new ScaleDownDeadline(version, at, reason));
    }

    void scheduleExperimentScaleDowns(Instant at, String reason) {
        for (String key : List.copyOf(replicas.keySet())) {
            if (key.startsWith("experiment/")) {
                schedule(key, at, reason);
            }
        }
    }

    /**
     * When an aborted canary loses its pods: {@code abortScaleDownDelaySeconds} after the abort. For an Argo rollout 0
     * means never (Argo's meaning: leave the canary up for debugging); Flagger scales the canary down at once.
     */
    Instant abortScaleDownAt() {
        int seconds = strategy.abortScaleDownDelaySeconds();
        if (seconds <= 0) {
            return spec.origin() == Origin.ARGO_ROLLOUT ? null : now;
        }
        return now.plusSeconds(seconds);
    }

    private void enforceRevisionLimit() {
        int limit = strategy.revisionLimit();
        if (limit < 0 || scaleDowns.isEmpty()) {
            return;
        }
        List<ScaleDownDeadline> retired = new ArrayList<>();
        for (ScaleDownDeadline d : scaleDowns) {
            if (!d.version().equals(stable) && !d.version().equals(canary) && !d.version().startsWith("experiment/")
                    && d.at().isAfter(now)) {
                retired.add(d);
            }
        }
        int excess = retired.size() - limit;
        if (excess <= 0) {
            return;
        }
        retired.sort(Comparator.comparing(ScaleDownDeadline::at));
        for (int i = 0; i < excess; i++) {
            ScaleDownDeadline d = retired.get(i);
            scaleDowns.remove(d);
            scaleDowns.add(new ScaleDownDeadline(d.version(), now, d.reason() + "; scaleDownDelayRevisionLimit "
                    + limit + " reached"));
        }
    }

    // ---------------------------------------------------------------- analysis runs

    private void foldMeasurements() {
        for (int i = 0; i < runs.size(); i++) {
            AnalysisRunState run = runs.get(i);
            if (!run.isRunning()) {
                continue;
            }
            ResolvedRun rr = strategy.resolve(this, run);
            if (rr == null) {
                stopRun(run, null, "the spec no longer has this analysis");
                continue;
            }
            AnalysisRuns.Folded folded = AnalysisRuns.fold(run, rr, obs.measurements(), now);
            for (AnalysisRuns.Taken t : folded.taken()) {
                MeasurementRecord m = t.record();
                event(Reasons.MEASUREMENT, t.metric() + " = " + m.describe() + ": " + m.verdict().label()
                        + (m.note().isEmpty() || m.verdict() == dev.stepwise.engine.analysis.Verdict.ERROR ? "" : " (" + m.note() + ")")
                        + " [" + run.id() + ", " + t.after().counters() + "]" + (t.dryRun() ? " (dry run)" : ""));
            }
            updateRun(run, AnalysisRuns.assess(folded.run(), rr, now));
        }
    }

    /** Puts {@code after} in place of {@code before}, reporting a run that completed. */
    void updateRun(AnalysisRunState before, AnalysisRunState after) {
        if (before == after) {
            return;
        }
        int i = indexOf(before.id());
        if (i >= 0) {
            runs.set(i, after);
        } else {
            runs.add(after);
        }
        if (before.isRunning() && !after.isRunning()) {
            String reason = after.phase() == AnalysisPhase.INCONCLUSIVE ? Reasons.ANALYSIS_INCONCLUSIVE : Reasons.ANALYSIS_COMPLETED;
            event(reason, after.describe() + ": " + after.message(), evidence(after));
            runChanges.add(new RunChange(after.id(), after.kind(), after.step(), false, after.phase(), after.message()));
        }
    }

    private int indexOf(String id) {
        for (int i = 0; i < runs.size(); i++) {
            if (runs.get(i).id().equals(id)) {
                return i;
            }
        }
        return -1;
    }

    /** Starts a run named {@code base} (made unique within the attempt). */
    AnalysisRunState startRun(String base, RunKind kind, int step, ResolvedRun rr) {
        String id = base;
        for (int k = 2; indexOf(id) >= 0; k++) {
            id = base + "~" + k;
        }
        AnalysisRunState run = AnalysisRuns.start(id, kind, step, rr, now);
        runs.add(run);
        runChanges.add(new RunChange(id, kind, step, true, run.phase(), "started"));
        event(Reasons.ANALYSIS_STARTED, "analysis " + id + " (" + kind.label() + ") started: " + rr.templates()
                + (rr.metrics().isEmpty() ? "" : " (" + String.join(", ", rr.metrics().stream().map(ResolvedMetric::name).toList()) + ")"));
        if (!run.isRunning()) {
            event(run.phase() == AnalysisPhase.INCONCLUSIVE ? Reasons.ANALYSIS_INCONCLUSIVE : Reasons.ANALYSIS_COMPLETED,
                    run.describe() + ": " + run.message(), evidence(run));
            runChanges.add(new RunChange(id, kind, step, false, run.phase(), run.message()));
        }
        return run;
    }

    String runId(String where) {
        return attempt + "." + where;
    }

    void stopRun(AnalysisRunState run, ResolvedRun rr, String reason) {
        if (!run.isRunning()) {
            return;
        }
        ResolvedRun resolved = rr != null ? rr : strategy.resolve(this, run);
        AnalysisRunState stopped = resolved == null
                ? new AnalysisRunState(run.id(), run.kind(), run.step(), run.startedAt(), AnalysisPhase.INCONCLUSIVE, now,
                        run.accepted(), "stopped: " + reason, run.metrics())
                : AnalysisRuns.stop(run, resolved, reason, now);
        int i = indexOf(run.id());
        if (i >= 0) {
            runs.set(i, stopped);
        }
        runChanges.add(new RunChange(run.id(), run.kind(), run.step(), false, stopped.phase(), reason));
        event(Reasons.ANALYSIS_STOPPED, "analysis " + run.id() + " (" + run.kind().label() + ") stopped: " + reason);
    }

    void stopAllRuns(String reason) {
        for (AnalysisRunState run : List.copyOf(runs)) {
            stopRun(run, null, reason);
        }
    }

    void accept(AnalysisRunState run) {
        int i = indexOf(run.id());
        if (i >= 0) {
            runs.set(i, runs.get(i).withAccepted());
        }
    }

    /** The latest run of {@code kind} (and {@code step}, unless -1) started at or after {@code since}. */
    AnalysisRunState latestRun(RunKind kind, int step, Instant since) {
        for (int i = runs.size() - 1; i >= 0; i--) {
            AnalysisRunState r = runs.get(i);
            if (r.kind() == kind && (step < 0 || r.step() == step) && (since == null || !r.startedAt().isBefore(since))) {
                return r;
            }
        }
        return null;
    }

    /** What a completed run rests on: per deciding metric, its counters, its limit message and last measurements. */
    static List<String> evidence(AnalysisRunState run) {
        List<String> out = new ArrayList<>(run.metrics().size());
        for (MetricState m : run.metrics()) {
            StringBuilder s = new StringBuilder(m.name()).append(": ").append(m.phase().label()).append(", ")
                    .append(m.counters());
            if (!m.message().isEmpty() && !m.message().equals(m.counters())) {
                s.append("; ").append(m.message());
            } else if (m.last() != null) {
                s.append("; last ").append(m.last().describe()).append(" at ").append(m.last().at());
            }
            out.add(s.toString());
        }
        return out;
    }

    // ---------------------------------------------------------------- gates

    private void applyGates() {
        if (obs.gates().isEmpty()) {
            return;
        }
        List<GateDecision> due = new ArrayList<>();
        for (GateDecision g : obs.gates()) {
            if (!appliedGates.contains(g.id()) && !g.at().isAfter(now) && (startedAt == null || !g.at().isBefore(startedAt))) {
                due.add(g);
            }
        }
        due.sort(Comparator.comparing(GateDecision::at).thenComparing(GateDecision::id));
        for (GateDecision g : due) {
            appliedGates.add(g.id());
            while (appliedGates.size() > RolloutStatus.MAX_APPLIED_GATES) {
                appliedGates.remove(0);
            }
            gate(g);
        }
    }

    private void gate(GateDecision g) {
        String who = g.by().isEmpty() ? "someone" : g.by();
        String evidence = "gate " + g.id() + ": " + g.action().value()
                + (g.step().isPresent() ? " to step " + g.step().getAsInt() : "") + " by " + who + " at " + g.at();
        switch (g.action()) {
            case ABORT -> {
                if (aborted) {
                    gateIgnored(evidence, "the rollout is already aborted");
                } else if (!inFlight()) {
                    gateIgnored(evidence, "nothing is rolling out");
                } else {
                    abort("aborted by " + who, List.of(evidence), false);
                }
            }
            case RETRY -> {
                if (!aborted || !inFlight()) {
                    gateIgnored(evidence, "only an aborted rollout can be retried");
                } else {
                    retry(g, evidence);
                }
            }
            default -> {
                if (aborted) {
                    gateIgnored(evidence, "the rollout is aborted: retry it first");
                } else if (!inFlight()) {
                    gateIgnored(evidence, "nothing is rolling out");
                } else {
                    strategy.gate(this, g, evidence);
                }
            }
        }
    }

    void gateApplied(String evidence, String what) {
        event(Reasons.GATE_APPLIED, what, List.of(evidence));
    }

    void gateIgnored(String evidence, String why) {
        event(Reasons.GATE_IGNORED, "ignored: " + why, List.of(evidence));
    }

    private void retry(GateDecision g, String evidence) {
        aborted = false;
        abortReason = "";
        attempt++;
        stepIndex = 0;
        startedAt = g.at();
        stepStartedAt = now;
        pausedAt = null;
        halted = false;
        promoteFull = false;
        promoted = false;
        readyAt = null;
        switchedAt = null;
        runs.clear();
        scaleDowns.removeIf(d -> d.version().equals(canary));
        phase = Phase.PROGRESSING;
        message = "";
        event(Reasons.RETRY, "retrying " + canary + " from step 0 (attempt " + attempt + ")", List.of(evidence));
    }

    // ---------------------------------------------------------------- abort, halt, pause

    /**
     * Aborts: all traffic back to stable in this decision, pods later. An automatic abort (failed analysis, progress
     * deadline) after an irreversible step halts instead: rolling back across that step needs a person.
     */
    void abort(String reason, List<String> evidence, boolean automatic) {
        if (aborted) {
            return;
        }
        if (automatic && strategy.irreversiblePassed(this)) {
            halt(reason, evidence);
            return;
        }
        int before = weight;
        aborted = true;
        abortReason = reason;
        abortedNow = true;
        halted = false;
        promoteFull = false;
        promoted = false;
        pausedAt = null;
        phase = Phase.DEGRADED;
        message = "aborted: " + reason;
        weight = 0;
        stopAllRuns("the rollout was aborted");
        String pods;
        if (strategy.basic()) {
            pods = "without a traffic router traffic follows pods, so the canary's pods are removed now, within maxUnavailable";
        } else {
            Instant at = abortScaleDownAt();
            if (at == null) {
                pods = "abortScaleDownDelaySeconds is 0: the canary keeps its pods (Argo's meaning)";
            } else {
                schedule(canary, at, "aborted");
                scheduleExperimentScaleDowns(at, "aborted");
                pods = "the canary is scaled down at " + at;
            }
        }
        List<String> all = new ArrayList<>(evidence);
        event(Reasons.ABORTED, reason + "; all traffic back to stable " + stable + " (canary weight " + before + " -> 0); "
                + pods, all);
    }

    void halt(String reason, List<String> evidence) {
        if (halted) {
            return;
        }
        halted = true;
        phase = Phase.PAUSED;
        pausedAt = now;
        message = "halted: " + reason + "; an irreversible step has been passed, so a person decides: promote to go on, "
                + "abort to roll back";
        event(Reasons.HALTED, message, evidence);
    }

    /** A run is Inconclusive: the rollout waits for a person. */
    void pauseInconclusive(AnalysisRunState run) {
        phase = Phase.PAUSED;
        if (pausedAt == null) {
            pausedAt = now;
        }
        message = "analysis " + run.id() + " is inconclusive (" + run.message() + "): a person decides: promote to accept "
                + "it, abort to roll back";
    }

    void failRun(AnalysisRunState run) {
        abort("analysis " + run.id() + " (" + run.kind().label() + ") " + run.phase().label().toLowerCase() + ": "
                + run.message(), evidence(run), true);
    }

    /**
     * Acts on the finished, not yet accepted runs that matter now (each strategy says which): a failed one aborts,
     * an inconclusive one holds the rollout for a person. True when the rollout must hold.
     */
    boolean holdForRuns(Predicate<AnalysisRunState> relevant) {
        boolean hold = false;
        for (AnalysisRunState run : List.copyOf(runs)) {
            if (run.accepted() || run.isRunning() || !relevant.test(run)) {
                continue;
            }
            if (run.phase().isFailure()) {
                failRun(run);
                return true;
            }
            if (run.phase() == AnalysisPhase.INCONCLUSIVE) {
                pauseInconclusive(run);
                hold = true;
            }
        }
        return hold;
    }

    // ---------------------------------------------------------------- waiting

    void waitFor(int available, String what) {
        waitingForPods = true;
        podsAvailable = available;
        waitingFor = what;
        reasons.add("waiting for " + what);
    }

    /** Moves the canary weight, with an event saying so. */
    void moveWeight(int to, String why) {
        if (to != weight) {
            int from = weight;
            weight = to;
            event(Reasons.WEIGHT_CHANGED, "canary weight " + from + " -> " + to + (why.isEmpty() ? "" : ": " + why));
        }
    }

    void requeue(Instant at) {
        if (at != null && (requeue == null || at.isBefore(requeue))) {
            requeue = at;
        }
    }

    /** True when the deadline aborted the rollout (the strategy must then compute the aborted state). */
    private boolean checkProgressDeadline() {
        if (!waitingForPods) {
            waitingSince = null;
            waitingAvailable = 0;
            return false;
        }
        if (waitingSince == null || podsAvailable > waitingAvailable) {
            waitingSince = now;
            waitingAvailable = podsAvailable;
        }
        Instant deadline = waitingSince.plusSeconds(spec.progressDeadlineSeconds());
        if (now.isBefore(deadline)) {
            requeue(deadline);
            return false;
        }
        String why = "progress deadline exceeded: waiting for " + waitingFor + " since " + waitingSince
                + " (progressDeadlineSeconds " + spec.progressDeadlineSeconds() + ")";
        if (spec.progressDeadlineAbort() && inFlight() && !aborted && !halted) {
            abort(why, List.of("progressDeadlineAbort is set"), true);
            waitingSince = null;
            waitingAvailable = 0;
            waitingForPods = false;
            if (aborted) {
                resetDesired();
            }
            return true;
        }
        if (old.phase() != Phase.DEGRADED) {
            event(Reasons.PROGRESS_DEADLINE, why);
        }
        phase = Phase.DEGRADED;
        message = why;
        return false;
    }

    /** Before a strategy computes the desired state again within the same decision. */
    private void resetDesired() {
        replicas.clear();
        for (VersionReplicas v : old.replicas()) {
            replicas.put(v.version(), v.replicas());
        }
        for (ScaleDownDeadline d : old.scaleDowns()) {
            if (!d.at().isAfter(now)) {
                replicas.remove(d.version());
            }
        }
        reasons.clear();
    }

    // ---------------------------------------------------------------- events and the result

    void event(String reason, String text) {
        event(reason, text, List.of());
    }

    void event(String reason, String text, List<String> evidence) {
        events.add(new EngineEvent(now, reason, stepIndex, weight, phase, text, evidence));
    }

    private Decision build() {
        if (phase == Phase.PAUSED && !halted && (old.phase() != Phase.PAUSED || stepIndex != old.stepIndex())) {
            event(Reasons.PAUSED, message);
        }
        // replica counts: versions with none are left out (the reconciler scales what is not listed to zero)
        List<VersionReplicas> counts = new ArrayList<>(replicas.size());
        Map<String, Integer> desiredReplicas = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : replicas.entrySet()) {
            if (e.getValue() > 0) {
                counts.add(new VersionReplicas(e.getKey(), e.getValue()));
                desiredReplicas.put(e.getKey(), e.getValue());
            }
        }
        if (abortedNow && !strategy.basic()) {
            // the first decision after an abort moves traffic only: every replica count stays as it was, even a
            // scale-down that fell due now (it happens in the next decision, which comes at once)
            counts = new ArrayList<>(old.replicas());
            desiredReplicas.clear();
            for (VersionReplicas v : old.replicas()) {
                desiredReplicas.put(v.version(), v.replicas());
            }
            for (ScaleDownDeadline d : expiredNow) {
                if (scaleDowns.stream().noneMatch(x -> x.version().equals(d.version()))) {
                    scaleDowns.add(d);
                }
            }
            events.removeIf(e -> e.reason().equals(Reasons.SCALED_DOWN));
            requeue(now);
        }
        for (ScaleDownDeadline d : scaleDowns) {
            requeue(d.at());
        }
        List<MeasurementDue> dues = new ArrayList<>();
        for (AnalysisRunState run : runs) {
            if (!run.isRunning()) {
                continue;
            }
            ResolvedRun rr = strategy.resolve(this, run);
            if (rr == null) {
                continue;
            }
            for (MetricState m : run.metrics()) {
                ResolvedMetric rm = rr.metric(m.name());
                if (rm == null) {
                    continue;
                }
                Instant due = AnalysisRuns.nextDue(m, rm, run.startedAt());
                if (due != null) {
                    dues.add(new MeasurementDue(run.id(), m.name(), due, rm.spec(), rm.args(), rm.dryRun()));
                }
            }
            requeue(AnalysisRuns.nextDue(run, rr));
        }
        if (requeue != null && requeue.isBefore(now)) {
            requeue = now;
        }

        List<EngineEvent> kept = new ArrayList<>(RolloutStatus.MAX_EVENTS);
        kept.addAll(old.events());
        for (EngineEvent e : events) {
            if (!e.reason().equals(Reasons.MEASUREMENT)) {
                kept.add(e);
            }
        }
        if (kept.size() > RolloutStatus.MAX_EVENTS) {
            kept = kept.subList(kept.size() - RolloutStatus.MAX_EVENTS, kept.size());
        }
        List<AnalysisRunState> keptRuns = runs;
        int completed = 0;
        for (AnalysisRunState r : runs) {
            completed += r.isRunning() ? 0 : 1;
        }
        if (completed > MAX_COMPLETED_RUNS) {
            keptRuns = new ArrayList<>(runs.size());
            int drop = completed - MAX_COMPLETED_RUNS;
            for (AnalysisRunState r : runs) {
                if (!r.isRunning() && drop > 0) {
                    drop--;
                    continue;
                }
                keptRuns.add(r);
            }
        }
        RolloutStatus status = new RolloutStatus(phase, aborted, abortReason, message, stable, canary, revision, attempt,
                stepIndex, startedAt, stepStartedAt, pausedAt, halted, promoteFull, promoted, weight, counts, waitingSince,
                waitingAvailable, readyAt, switchedAt, keptRuns, appliedGates, scaleDowns, kept);
        if (status.equals(old)) {
            status = old; // nothing changed: keep the instance a long-lived cache may already hold
        }
        List<String> why = new ArrayList<>(reasons.size() + 1);
        if (!message.isEmpty()) {
            why.add(message);
        }
        for (String r : reasons) {
            if (!why.contains(r)) {
                why.add(r);
            }
        }
        DesiredState desired = new DesiredState(stable, canary, desiredReplicas, weight, strategy.maxWeight(), services,
                headerRoutes, mirrorRoutes, experiments);
        return new Decision(desired, runChanges, dues, scaleDowns, status, Optional.ofNullable(requeue), events, why);
    }

    /** Completed runs a status keeps besides the running ones (older ones only matter for the record). */
    static final int MAX_COMPLETED_RUNS = 3;
}
