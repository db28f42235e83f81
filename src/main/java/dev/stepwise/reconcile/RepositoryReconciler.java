package dev.stepwise.reconcile;

import dev.stepwise.server.StepwiseMetrics;
import dev.stepwise.cluster.ApplyContext;
import dev.stepwise.cluster.ApplyResult;
import dev.stepwise.cluster.ClusterFinding;
import dev.stepwise.cluster.ClusterObservation;
import dev.stepwise.cluster.ClusterTarget;
import dev.stepwise.cluster.RecoveredState;
import dev.stepwise.cluster.WavePlan;
import dev.stepwise.cluster.WaveStatus;
import dev.stepwise.engine.Decision;
import dev.stepwise.engine.EngineEvent;
import dev.stepwise.engine.GateAction;
import dev.stepwise.engine.GateDecision;
import dev.stepwise.engine.MeasurementDue;
import dev.stepwise.engine.Phase;
import dev.stepwise.engine.Reasons;
import dev.stepwise.engine.RolloutEngine;
import dev.stepwise.engine.RolloutStatus;
import dev.stepwise.engine.analysis.Measurement;
import dev.stepwise.git.GitSource;
import dev.stepwise.git.PollResult;
import dev.stepwise.git.Revision;
import dev.stepwise.git.RolloutKey;
import dev.stepwise.git.Snapshot;
import dev.stepwise.git.StatusChanges;
import dev.stepwise.git.StatusCommit;
import dev.stepwise.git.StatusFiles;
import dev.stepwise.git.StatusWriteResult;
import dev.stepwise.git.StatusWriter;
import dev.stepwise.git.promotion.EnvironmentPromoter;
import dev.stepwise.git.promotion.GateDecisionReader;
import dev.stepwise.git.promotion.RevertProposer;
import dev.stepwise.git.promotion.WriteResult;
import dev.stepwise.promotion.CanaryRevision;
import dev.stepwise.promotion.GateDecisionCommit;
import dev.stepwise.promotion.GateJudge;
import dev.stepwise.spec.Finding;
import dev.stepwise.spec.Location;
import dev.stepwise.spec.Severity;
import dev.stepwise.spec.model.RevertMode;
import dev.stepwise.spec.model.RolloutSpec;
import dev.stepwise.validate.RepositoryValidator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles every rollout of one tracked repository and branch. A cycle is an ordered list of small steps, and
 * status is written once at its end:
 * <ol>
 *   <li><b>read</b>: poll Git; at a new revision validate the specs and apply policy ({@link RevisionCheck}), and read
 *       the gate decisions committed since the last revision;</li>
 *   <li><b>restore</b> (first cycle only): read every status file back from the status branch; nothing is acted on
 *       before this succeeded, so a restarted process never decides from less than it wrote;</li>
 *   <li><b>decide</b>, per due rollout, in parallel on a bounded pool: observe the cluster, take the measurements the
 *       last decision asked for, ask the engine. A rollout whose provider or cluster is slow misses this cycle's
 *       commit, not the others: its decision joins the next one;</li>
 *   <li><b>commit</b> the status of every rollout that changed in one commit (compare-and-swap push);</li>
 *   <li><b>apply</b> the committed decisions to the clusters, in parallel;</li>
 *   <li><b>propose</b> reverts and environment promotions for rollouts that just aborted or completed.</li>
 * </ol>
 * Status is written <em>before</em> the cluster is changed, so that a process killed between the two continues from a
 * status that already asks for what the cluster may or may not have received (applying twice is harmless; going
 * back a step is what users would see). One exception keeps users safe when Git is down: an abort is applied even
 * when its status could not be pushed, because sending traffic back to stable must not wait for Git.
 *
 * <p>The cycle never sleeps: it returns when it wants to run next ({@link CycleReport#nextWake}).
 */
public final class RepositoryReconciler {

    private static final Logger LOG = LoggerFactory.getLogger(RepositoryReconciler.class);

    /**
     * @param name            the repository's name (metrics, logs, webhook path)
     * @param defaultCluster  the cluster of rollouts that list no waves
     * @param observeInterval how often a rollout in flight is looked at when the engine asks for nothing sooner
     *                        (pods becoming ready have no other signal)
     * @param idleResync      how often a settled rollout is looked at (drift, hand edits)
     * @param cycleTimeout    how long a cycle waits for slow rollouts before committing what is decided
     * @param replica         which replica writes (its leader-election identity), recorded in status commits
     */
    public record Settings(String name, String defaultCluster, Duration observeInterval, Duration idleResync,
                           Duration cycleTimeout, String replica) {
        public Settings {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(defaultCluster, "defaultCluster");
            replica = replica == null ? "" : replica;
        }

        public Settings(String name, String defaultCluster, Duration observeInterval, Duration idleResync,
                        Duration cycleTimeout) {
            this(name, defaultCluster, observeInterval, idleResync, cycleTimeout, "");
        }

        public static Settings defaults(String name, String defaultCluster) {
            return new Settings(name, defaultCluster, Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofSeconds(20));
        }
    }

    /** What a cycle did, and when it wants to run again (empty: only a Git event can move anything). */
    public record CycleReport(Optional<Instant> nextWake, Optional<Revision> revision, int decided, int committed,
                              Optional<String> statusCommit, List<String> problems) {
    }

    /** The Git writers beside status: both optional. */
    public record Proposers(Optional<RevertProposer> reverts, Optional<EnvironmentPromoter> promotions) {
        public static Proposers none() {
            return new Proposers(Optional.empty(), Optional.empty());
        }
    }

    /** @param specs per cluster, the spec as that cluster resolves it (a Flagger Canary's version is its target's) */
    private record Decided(TrackedRollout rollout, RolloutSpec spec, Map<String, RolloutSpec> specs, Map<String, Decision> decisions,
                           Map<String, RolloutStatus> statuses, Optional<WaveStatus> waves, List<GateDecision> gatesOffered,
                           Duration took) {
    }

    private final Settings settings;
    private final GitSource source;
    private final StatusWriter status;
    private final Clusters clusters;
    private final MeasurementSource measurements;
    private final ExecutorService pool;
    private final StepwiseMetrics metrics;
    private final BooleanSupplier mayWrite;
    private final Proposers proposers;
    private final RolloutEngine engine = new RolloutEngine();
    private final RepositoryValidator validator = RepositoryValidator.bundled();
    private final GateDecisionReader gateReader = new GateDecisionReader();

    private final Map<RolloutKey, TrackedRollout> rollouts = new ConcurrentHashMap<>();
    private final Map<RolloutKey, Future<Decided>> inflight = new LinkedHashMap<>();
    /** Cluster changes still running (past a cycle's timeout): the rollout is not decided again until they end. */
    private final Map<RolloutKey, Future<?>> applying = new ConcurrentHashMap<>();
    private final Set<RolloutKey> removed = new HashSet<>();
    private Snapshot snapshot;
    private RepositoryValidator.Outcome outcome;
    private boolean restored;
    private volatile Optional<String> notReady = Optional.of("the repository has not been read yet");

    public RepositoryReconciler(Settings settings, GitSource source, StatusWriter status, Clusters clusters,
                                MeasurementSource measurements, ExecutorService pool, StepwiseMetrics metrics,
                                BooleanSupplier mayWrite, Proposers proposers) {
        this.settings = settings;
        this.source = source;
        this.status = status;
        this.clusters = clusters;
        this.measurements = measurements;
        this.pool = pool;
        this.metrics = metrics;
        this.mayWrite = mayWrite;
        this.proposers = proposers;
    }

    public Settings settings() {
        return settings;
    }

    public GitSource source() {
        return source;
    }

    /** Empty once the repository was read and the status restored; else why not. */
    public Optional<String> notReady() {
        return notReady;
    }

    /** One cycle at {@code now}; {@code poll} asks Git for a new revision first. Never throws. */
    public synchronized CycleReport cycle(Instant now, boolean poll) {
        List<String> problems = new ArrayList<>();
        if (poll || snapshot == null) {
            read(now, problems);
        }
        if (snapshot == null) {
            return new CycleReport(Optional.empty(), Optional.empty(), 0, 0, Optional.empty(), problems);
        }
        if (!mayWrite.getAsBoolean()) {
            // a follower keeps its mirror warm; on becoming leader it reads status again, as the last leader left it
            restored = false;
            notReady = Optional.empty();
            return new CycleReport(Optional.empty(), Optional.of(snapshot.revision()), 0, 0, Optional.empty(), problems);
        }
        if (!restored && !restore(problems)) {
            return new CycleReport(Optional.of(now.plus(settings.observeInterval())), Optional.of(snapshot.revision()), 0, 0,
                    Optional.empty(), problems);
        }
        notReady = Optional.empty();
        recheckHeld(problems);
        List<Decided> decided = decide(now, problems);
        Optional<String> commit = Optional.empty();
        boolean committed = true;
        Map<RolloutKey, Decided> byKey = new LinkedHashMap<>();
        decided.forEach(d -> byKey.put(d.rollout().key, d));
        // each status is rendered once per cycle: with thousands of rollouts, rendering is most of a cycle's own work
        Map<RolloutKey, Rendered> changed = new LinkedHashMap<>();
        for (TrackedRollout r : rollouts.values()) {
            Decided d = byKey.get(r.key);
            if (!r.heldBecause.isEmpty() || (d == null && !r.dirty)) {
                continue;
            }
            Rendered doc = d != null ? document(r, d.statuses(), d.waves(), now) : document(r, r.statuses, waves(r), now);
            if (!doc.text().equals(r.committedText)) {
                changed.put(r.key, doc);
            }
        }
        if (!changed.isEmpty() || !removed.isEmpty()) {
            if (!mayWrite.getAsBoolean()) {
                restored = false; // whoever leads meanwhile writes; read status again before acting next time
                problems.add("lost the lease before writing status: nothing written or applied");
                return new CycleReport(Optional.empty(), Optional.of(snapshot.revision()), decided.size(), 0, Optional.empty(), problems);
            }
            StatusCommit request = statusCommit(changed, byKey);
            long t0 = System.nanoTime();
            StatusWriteResult result = status.write(request);
            boolean ok = !(result instanceof StatusWriteResult.Failed);
            metrics.gitPush(settings.name(), Duration.ofNanos(System.nanoTime() - t0), ok);
            if (result instanceof StatusWriteResult.Committed c) {
                commit = Optional.of(c.commitId());
            } else if (result instanceof StatusWriteResult.Failed f) {
                committed = false;
                problems.add("status not written: " + f.error().message());
                LOG.warn("[{}] status not written ({}); decisions held until it is", settings.name(), f.error().message());
            }
            if (committed) {
                removed.clear();
            }
        }
        List<Decided> toApply = new ArrayList<>();
        for (Decided d : decided) {
            TrackedRollout r = d.rollout();
            if (committed) {
                accept(d, now);
                toApply.add(d);
            } else if (d.statuses().values().stream().anyMatch(RolloutStatus::aborted)
                    && r.statuses.values().stream().noneMatch(RolloutStatus::aborted)) {
                // Git is down and the analysis failed: traffic goes back to stable now; the status follows when Git is back
                accept(d, now);
                r.dirty = true;
                toApply.add(d);
            } else {
                // the decision is dropped and taken again next cycle; gate decisions stay offered
                r.nextAt = now.plus(settings.observeInterval());
            }
        }
        if (committed) {
            changed.forEach((k, doc) -> {
                TrackedRollout r = rollouts.get(k);
                if (r != null) {
                    r.committed = doc.doc();
                    r.committedText = doc.text();
                    r.stableSource = doc.doc().stableSource();
                    r.dirty = false;
                }
            });
        }
        apply(toApply, now, problems);
        if (committed) {
            propose(decided, problems);
            flaggerNotifications(decided);
        }
        Optional<Instant> next = rollouts.values().stream().filter(TrackedRollout::acting).map(r -> r.nextAt)
                .min(Instant::compareTo);
        if (!inflight.isEmpty()) {
            next = Optional.of(now.plus(settings.observeInterval()));
        }
        return new CycleReport(next, Optional.of(snapshot.revision()), decided.size(), changed.size(), commit, problems);
    }

    // ---- read -------------------------------------------------------------------------------------------------

    private void read(Instant now, List<String> problems) {
        long t0 = System.nanoTime();
        PollResult r = source.poll();
        metrics.gitPoll(settings.name(), Duration.ofNanos(System.nanoTime() - t0), !(r instanceof PollResult.Failed));
        if (r instanceof PollResult.Failed f) {
            problems.add("poll failed: " + f.error().message());
            if (snapshot == null) {
                notReady = Optional.of("the repository cannot be read: " + f.error().message());
            }
            return;
        }
        Snapshot s = r.snapshot().orElse(null);
        if (s == null || (snapshot != null && s.revision().equals(snapshot.revision()))) {
            return;
        }
        Optional<String> since = Optional.ofNullable(snapshot).map(x -> x.revision().commitId());
        snapshot = s;
        onRevision(s, now);
        readGates(s, since, now, problems);
    }

    private void onRevision(Snapshot s, Instant now) {
        outcome = validator.check(s.specs(), List.of());
        for (var doc : outcome.wellFormed().ofKind(dev.stepwise.spec.SpecKind.CLUSTER)) {
            dev.stepwise.cluster.ClusterSpec.of(doc).cluster().ifPresent(clusters::learn);
        }
        Map<RolloutKey, RevisionCheck.RolloutAtRevision> checked = RevisionCheck.check(s.specs(), outcome);
        // counted once per revision: per rollout it would cost rollouts × findings at every revision
        Map<String, Integer> warningsByFile = new java.util.HashMap<>();
        for (Finding f : outcome.report().findings()) {
            if (f.severity() == Severity.WARNING) {
                warningsByFile.merge(f.location().file(), 1, Integer::sum);
            }
        }
        for (RevisionCheck.RolloutAtRevision at : checked.values()) {
            TrackedRollout r = rollouts.computeIfAbsent(at.key(), TrackedRollout::new);
            if (at.actionable()) {
                boolean specChanged = r.current == null || !r.current.spec().equals(at.spec())
                        || !r.current.templates().equals(at.templates());
                if (r.refused != null) {
                    r.dirty = true;
                }
                r.current = at;
                if (specChanged || r.source == null) {
                    r.source = s.revision();
                    r.nextAt = now;
                    r.dirty = true;
                }
                r.refused = null;
                r.refusedErrors = List.of();
            } else {
                r.refused = s.revision();
                r.refusedErrors = at.errors();
                r.dirty = true;
                LOG.warn("[{}] {} at {} is not acted on: {} error(s), first: {}", settings.name(), at.key(),
                        s.revision().shortId(), at.errors().size(), at.errors().isEmpty() ? "" : at.errors().get(0).toLine());
            }
            int errors = (int) r.refusedErrors.stream().filter(Finding::isError).count();
            metrics.specFindings(at.key().namespace(), at.key().name(), errors, warningsByFile.getOrDefault(at.file(), 0));
        }
        Map<String, List<Finding>> unreadable = new LinkedHashMap<>();
        for (Finding f : outcome.report().findings()) {
            if (f.isError()) {
                unreadable.computeIfAbsent(f.location().file(), x -> new ArrayList<>()).add(f);
            }
        }
        for (RolloutKey k : List.copyOf(rollouts.keySet())) {
            TrackedRollout gone = rollouts.get(k);
            if (!checked.containsKey(k) && gone.current != null && unreadable.containsKey(gone.current.file())) {
                // its file is still there but cannot be read (a YAML typo): held like any refused revision, not removed
                gone.refused = s.revision();
                gone.refusedErrors = List.copyOf(unreadable.get(gone.current.file()));
                gone.dirty = true;
                LOG.warn("[{}] {}: {} cannot be read at {}; the rollout keeps its last good revision", settings.name(), k,
                        gone.current.file(), s.revision().shortId());
                continue;
            }
            if (!checked.containsKey(k)) {
                // removed from Git: its status goes too; its objects stay on the cluster for people to remove
                rollouts.remove(k);
                removed.add(k);
                metrics.forgetRollout(k.namespace(), k.name());
                LOG.info("[{}] {} was removed from {}: its status is removed, its cluster objects are left", settings.name(),
                        k, s.revision().shortId());
            }
        }
    }

    private void readGates(Snapshot s, Optional<String> since, Instant now, List<String> problems) {
        try {
            Set<String> applied = new HashSet<>();
            for (TrackedRollout r : rollouts.values()) {
                r.statuses.values().forEach(st -> applied.addAll(st.appliedGates()));
                r.gates.forEach(g -> applied.add(g.id()));
            }
            GateJudge.Judged judged = gateReader.poll(source.mirror().repository(), since, s.revision().commitId(),
                    s.specs().documents(), outcome.policies(), this::rollingOut, applied);
            for (GateDecisionCommit c : judged.accepted()) {
                TrackedRollout r = rollouts.get(c.rollout());
                if (r == null) {
                    continue;
                }
                // a commit's time is the committer's clock; one "from the future" would wait for it, so it counts as now
                Instant at = c.committedAt().isAfter(now) ? now : c.committedAt();
                GateDecision g = new GateDecision(c.id(), toEngine(c.action()), c.step().map(OptionalInt::of).orElse(OptionalInt.empty()),
                        c.author().email(), at);
                r.gates.add(g);
                r.nextAt = Instant.MIN;
                Map<String, Object> log = new LinkedHashMap<>();
                log.put("commit", c.id());
                log.put("action", c.action().value());
                c.step().ifPresent(st -> log.put("step", st));
                log.put("by", c.author().email());
                log.put("at", c.committedAt().toString());
                c.approval().ifPresent(a -> log.put("approvedBy", a.policy()));
                log.put("signed", c.signedAndVerified());
                r.gateLog.add(log);
                r.dirty = true;
            }
            for (Finding f : judged.findings()) {
                RolloutKey k = promotionRollout(f.location().file());
                TrackedRollout r = k == null ? null : rollouts.get(k);
                if (r != null) {
                    r.notes.put(f.code() + ":" + f.message(), f);
                    r.dirty = true;
                }
                LOG.warn("[{}] {}", settings.name(), f.toLine());
            }
        } catch (java.io.IOException | RuntimeException e) {
            problems.add("gate decisions not read: " + e.getMessage());
        }
    }

    private static GateAction toEngine(dev.stepwise.promotion.GateAction a) {
        return GateAction.valueOf(a.name());
    }

    /** {@code promotions/<namespace>/<name>.yaml} → the rollout; null for any other file. */
    static RolloutKey promotionRollout(String file) {
        String[] p = file.split("/");
        if (p.length < 3) {
            return null;
        }
        String name = p[p.length - 1].replaceFirst("\\.ya?ml$", "");
        try {
            return new RolloutKey(p[p.length - 2], name);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private Optional<CanaryRevision> rollingOut(RolloutKey key) {
        TrackedRollout r = rollouts.get(key);
        if (r == null || r.current == null || r.current.spec().isEmpty()) {
            return Optional.empty();
        }
        RolloutSpec spec = r.current.spec().get();
        boolean moving = r.statuses.isEmpty() || r.statuses.values().stream().anyMatch(s -> s.inFlight() || s.aborted()
                || !s.stableHash().equals(spec.podTemplateHash()));
        return moving ? Optional.of(new CanaryRevision(spec.podTemplateHash(), Set.copyOf(spec.images().values())))
                : Optional.empty();
    }

    // ---- restore ----------------------------------------------------------------------------------------------

    private boolean restore(List<String> problems) {
        StatusWriter.StatusRead read = status.readStatus();
        if (read instanceof StatusWriter.StatusRead.Failed f) {
            problems.add("status not read: " + f.error().message());
            notReady = Optional.of("the status branch cannot be read: " + f.error().message());
            return false;
        }
        StatusFiles files = ((StatusWriter.StatusRead.Read) read).files();
        for (TrackedRollout r : rollouts.values()) {
            // what another process (or this one, before) left in Git is the truth from here on
            r.statuses = new LinkedHashMap<>();
            r.dues = new LinkedHashMap<>();
            r.committed = null;
            r.committedText = "";
            r.heldBecause = "";
            r.nextAt = Instant.MIN;
        }
        inflight.clear();
        files.files().forEach((key, text) -> {
            TrackedRollout r = rollouts.get(key);
            if (r == null) {
                removed.add(key); // a status of a rollout no longer in Git
                return;
            }
            load(r, text);
        });
        restored = true;
        return true;
    }

    /** Takes one status file as the rollout's state, or holds the rollout when the file cannot be read. */
    private void load(TrackedRollout r, String text) {
        RolloutKey key = r.key;
        try {
            StatusDocument doc = StatusDocument.parse(key, text);
            r.statuses = new LinkedHashMap<>(doc.clusters());
            r.stableSource = doc.stableSource();
            r.gateLog.clear();
            r.gateLog.addAll(doc.gates());
            r.committed = doc;
            r.committedText = text;
            r.heldBecause = "";
            r.nextAt = Instant.MIN;
            // the gates a status has applied are applied: do not offer them again
            Set<String> applied = new HashSet<>();
            doc.clusters().values().forEach(s -> applied.addAll(s.appliedGates()));
            r.gates.removeIf(g -> applied.contains(g.id()));
        } catch (IllegalArgumentException e) {
            r.heldText = text;
            r.heldBecause = "its status file " + key.path(status.location().folder()) + " on " + status.location().branch()
                    + " cannot be read (" + e.getMessage() + "); fix or delete it";
            LOG.error("[{}] {} is not acted on: {}", settings.name(), key, r.heldBecause);
        }
    }

    /**
     * A held rollout is looked at again every cycle: once a person fixed or deleted its status file, it is acted on
     * without a restart (a deleted file counts as no status: the cluster's versions are taken as they are).
     */
    private void recheckHeld(List<String> problems) {
        List<TrackedRollout> held = rollouts.values().stream().filter(r -> !r.heldBecause.isEmpty()).toList();
        if (held.isEmpty()) {
            return;
        }
        StatusWriter.StatusRead read = status.readStatus();
        if (read instanceof StatusWriter.StatusRead.Failed f) {
            problems.add("status not read: " + f.error().message());
            return;
        }
        StatusFiles files = ((StatusWriter.StatusRead.Read) read).files();
        for (TrackedRollout r : held) {
            Optional<String> text = files.get(r.key);
            if (text.isEmpty()) {
                r.heldBecause = "";
                r.statuses = new LinkedHashMap<>();
                r.committed = null;
                r.committedText = "";
                r.nextAt = Instant.MIN;
                LOG.info("[{}] {}: its status file was removed; acting on it again", settings.name(), r.key);
            } else if (!text.get().equals(r.heldText)) {
                load(r, text.get());
            }
        }
    }

    // ---- decide -----------------------------------------------------------------------------------------------

    private List<Decided> decide(Instant now, List<String> problems) {
        applying.values().removeIf(Future::isDone);
        for (TrackedRollout r : rollouts.values()) {
            if (!inflight.containsKey(r.key) && !applying.containsKey(r.key) && r.due(now)) {
                inflight.put(r.key, pool.submit(() -> decideOne(r, now)));
            }
        }
        long deadline = System.nanoTime() + settings.cycleTimeout().toNanos();
        List<Decided> out = new ArrayList<>();
        for (var it = inflight.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            try {
                long wait = Math.max(0, deadline - System.nanoTime());
                Decided d = e.getValue().get(wait, TimeUnit.NANOSECONDS);
                it.remove();
                if (rollouts.get(e.getKey()) == d.rollout()) {
                    out.add(d); // else the rollout was removed from Git (or read anew) while it was being decided
                }
            } catch (TimeoutException slow) {
                problems.add(e.getKey() + ": still deciding after " + settings.cycleTimeout() + "; it joins the next commit");
            } catch (ExecutionException failed) {
                it.remove();
                TrackedRollout r = rollouts.get(e.getKey());
                String message = describe(failed.getCause());
                problems.add(e.getKey() + ": " + message);
                LOG.warn("[{}] {} failed this cycle: {}", settings.name(), e.getKey(), message);
                metrics.reconcile(e.getKey().namespace(), e.getKey().name(), Duration.ZERO, false);
                if (r != null) {
                    r.lastError = message;
                    r.nextAt = now.plus(settings.observeInterval());
                }
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return out;
    }

    private Decided decideOne(TrackedRollout r, Instant now) {
        long t0 = System.nanoTime();
        RolloutSpec spec = r.current.spec().orElseThrow();
        List<List<String>> waves = spec.waves().isEmpty() ? List.of(List.of(settings.defaultCluster())) : spec.waves();
        for (List<String> wave : waves) {
            for (String c : wave) {
                if (clusters.target(c).isEmpty()) {
                    throw new IllegalStateException("cluster '" + c + "' is neither configured nor declared by a Cluster document"
                            + " (known: " + String.join(", ", clusters.names()) + ")");
                }
            }
        }
        Map<String, RolloutStatus> statuses = new LinkedHashMap<>(r.statuses);
        WavePlan plan = WavePlan.of(waves, spec.podTemplateHash(), statuses);
        Optional<GateDecision> rollback = rollbackWebhooks(r, spec, statuses, now);
        Map<String, Decision> decisions = new LinkedHashMap<>();
        Map<String, RolloutSpec> specs = new LinkedHashMap<>();
        for (String cluster : plan.active()) {
            ClusterTarget target = clusters.target(cluster).orElseThrow();
            RolloutSpec resolved = target.resolve(spec);
            specs.put(cluster, resolved);
            RolloutStatus current = statuses.containsKey(cluster) ? statuses.get(cluster) : firstStatus(target, resolved, now);
            ClusterObservation obs = target.observe(resolved, now);
            List<Measurement> taken = new ArrayList<>();
            for (MeasurementDue due : r.dues.getOrDefault(cluster, List.of())) {
                if (!due.due().isAfter(now)) {
                    taken.add(measurements.measure(r.key, cluster, due, now));
                }
            }
            List<GateDecision> gates = new ArrayList<>(r.gates);
            plan.abortGate(cluster, spec.podTemplateHash(), now).ifPresent(gates::add);
            rollback.ifPresent(gates::add);
            Optional<GateDecision> confirm = confirmWebhooks(r, cluster, resolved, current, now);
            confirm.ifPresent(gates::add);
            rollback.or(() -> confirm).ifPresent(g -> logWebhookGate(r, g));
            Decision d = engine.decide(resolved, r.current.templates(), current,
                    obs.toObservations(taken, gates, r.source.name()), now);
            decisions.put(cluster, d);
            statuses.put(cluster, d.status());
        }
        Optional<WaveStatus> waveStatus = spec.waves().isEmpty() ? Optional.empty()
                : Optional.of(WavePlan.of(waves, spec.podTemplateHash(), statuses).status());
        return new Decided(r, spec, specs, decisions, statuses, waveStatus, List.copyOf(r.gates),
                Duration.ofNanos(System.nanoTime() - t0));
    }

    /**
     * Flagger's {@code rollback} webhooks: while a release of a Canary is in flight, each is asked once per analysis
     * interval, and the first that answers 200–202 aborts the release, as in Flagger (a person or a system saying
     * "roll back now" without a Git commit). The abort is a gate decision like a promotion file's, so the status
     * records who asked.
     */
    private Optional<GateDecision> rollbackWebhooks(TrackedRollout r, RolloutSpec spec, Map<String, RolloutStatus> statuses, Instant now) {
        if (spec.flagger().isEmpty() || spec.flagger().get().webhooks("rollback").isEmpty()
                || statuses.values().stream().noneMatch(RolloutStatus::inFlight)) {
            return Optional.empty();
        }
        if (r.rollbackAskedAt != null && now.isBefore(r.rollbackAskedAt.plus(spec.flagger().get().interval()))) {
            return Optional.empty();
        }
        r.rollbackAskedAt = now;
        String phase = statuses.values().stream().anyMatch(st -> st.phase() == dev.stepwise.engine.Phase.PAUSED) ? "Waiting" : "Progressing";
        for (dev.stepwise.spec.model.FlaggerSource.Webhook hook : spec.flagger().get().webhooks("rollback")) {
            if (measurements.webhookAgrees(r.key, hook, phase)) {
                LOG.info("[{}] {}: rollback webhook '{}' asked to roll back", settings.name(), r.key, hook.name());
                return Optional.of(GateDecision.of("rollback-webhook/" + hook.name() + "/" + now.getEpochSecond(), GateAction.ABORT,
                        "rollback webhook '" + hook.name() + "'", now));
            }
        }
        return Optional.empty();
    }

    /**
     * Flagger's confirm webhooks ({@code confirm-rollout}, {@code confirm-traffic-increase}, {@code confirm-promotion}):
     * while a Canary waits at such a gate, its webhooks are asked once per analysis interval, and when every one of
     * them answers 200–202 the gate opens, as in Flagger: a promotion for that step, recorded as decided by the
     * webhook. A person can still open it with a promotion commit.
     */
    private Optional<GateDecision> confirmWebhooks(TrackedRollout r, String cluster, RolloutSpec spec, RolloutStatus status, Instant now) {
        if (spec.flagger().isEmpty() || status.phase() != dev.stepwise.engine.Phase.PAUSED || !status.inFlight()) {
            return Optional.empty();
        }
        List<dev.stepwise.spec.model.Gate> waiting = waitingAt(spec, status);
        if (waiting.isEmpty()) {
            return Optional.empty();
        }
        Instant last = r.confirmAskedAt.get(cluster);
        if (last != null && now.isBefore(last.plus(spec.flagger().get().interval()))) {
            return Optional.empty();
        }
        r.confirmAskedAt.put(cluster, now);
        for (dev.stepwise.spec.model.Gate gate : waiting) {
            Optional<dev.stepwise.spec.model.FlaggerSource.Webhook> hook = spec.flagger().get().webhooks(gate.kind().hookType())
                    .stream().filter(h -> h.name().equals(gate.webhook())).findFirst();
            if (hook.isEmpty() || !measurements.webhookAgrees(r.key, hook.get(), "Waiting")) {
                return Optional.empty(); // Flagger opens a gate only when all of its webhooks say yes
            }
        }
        String names = String.join(", ", waiting.stream().map(Object::toString).toList());
        LOG.info("[{}] {}: {} opened", settings.name(), r.key, names);
        return Optional.of(GateDecision.of("confirm-webhook/" + waiting.get(0).webhook() + "/" + now.getEpochSecond(),
                dev.stepwise.engine.GateAction.PROMOTE, names, now));
    }

    /** A webhook's gate decision goes into the status's gate log next to the commits', with who decided. */
    private static void logWebhookGate(TrackedRollout r, GateDecision g) {
        Map<String, Object> log = new LinkedHashMap<>();
        log.put("webhook", g.id());
        log.put("action", g.action().name().toLowerCase(java.util.Locale.ROOT));
        log.put("by", g.by());
        log.put("at", g.at().toString());
        synchronized (r.gateLog) {
            if (r.gateLog.stream().noneMatch(e -> g.id().equals(e.get("webhook")))) {
                r.gateLog.add(log);
            }
        }
        r.dirty = true;
    }

    /** The confirm gates a Flagger Canary's status waits at: its current pause step's, or blue-green's named in the wait. */
    static List<dev.stepwise.spec.model.Gate> waitingAt(RolloutSpec spec, RolloutStatus status) {
        if (spec.canary().isPresent()) {
            List<dev.stepwise.spec.model.Step> steps = spec.canary().get().steps();
            if (status.stepIndex() < steps.size() && steps.get(status.stepIndex()) instanceof dev.stepwise.spec.model.Pause p
                    && p.gate().isPresent()) {
                return List.of(p.gate().get());
            }
            return List.of();
        }
        if (spec.blueGreen().isPresent()) {
            dev.stepwise.spec.model.BlueGreenStrategy b = spec.blueGreen().get();
            for (List<dev.stepwise.spec.model.Gate> gates : List.of(b.previewGates(), b.promotionGates())) {
                // BlueGreenLogic names the gates it waits for in the status message
                if (!gates.isEmpty() && gates.stream().allMatch(g -> status.message().contains(g.toString()))) {
                    return gates;
                }
            }
        }
        return List.of();
    }

    /**
     * The status of a rollout this process has no status for. When Stepwise already runs versions of it on the
     * cluster (the status branch was lost), the biggest one is taken as stable, so the spec's version still goes
     * through every step and analysis: starting from {@link RolloutStatus#initial()} would promote it unanalysed.
     */
    static RolloutStatus firstStatus(ClusterTarget target, RolloutSpec spec, Instant now) {
        RecoveredState recovered = target.recover(spec);
        return firstStatus(recovered, spec, now);
    }

    static RolloutStatus firstStatus(RecoveredState recovered, RolloutSpec spec, Instant now) {
        String stable = null;
        int replicas = 0;
        for (Map.Entry<String, Integer> e : recovered.replicas().entrySet()) {
            if (stable == null || e.getValue() > replicas) {
                stable = e.getKey();
                replicas = e.getValue();
            }
        }
        if (stable == null || replicas == 0) {
            return RolloutStatus.initial();
        }
        return RolloutStatus.stable(stable, replicas, RolloutEngine.doneIndex(spec), now);
    }

    // ---- commit -----------------------------------------------------------------------------------------------

    /** The wave progress of a multi-cluster rollout from its statuses (for a status rewritten without a decision). */
    private static Optional<WaveStatus> waves(TrackedRollout r) {
        if (r.current == null || r.current.spec().isEmpty() || r.current.spec().get().waves().isEmpty()) {
            return Optional.empty();
        }
        RolloutSpec spec = r.current.spec().get();
        return Optional.of(WavePlan.of(spec.waves(), spec.podTemplateHash(), r.statuses).status());
    }

    /** A status document and its text, rendered once. */
    record Rendered(StatusDocument doc, String text) {
    }

    private Rendered document(TrackedRollout r, Map<String, RolloutStatus> statuses, Optional<WaveStatus> waves, Instant now) {
        List<Map<String, Object>> findings = new ArrayList<>();
        for (Finding f : r.findings()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("severity", f.severity().name().toLowerCase(java.util.Locale.ROOT));
            m.put("code", f.code());
            Location at = f.location();
            m.put("file", at.file());
            if (at.line() > 0) {
                m.put("line", at.line());
                m.put("column", at.column());
            }
            m.put("message", f.message());
            findings.add(m);
        }
        String stableSource = r.stableSource;
        for (RolloutStatus s : statuses.values()) {
            if (r.source != null && r.current != null && r.current.spec().isPresent()
                    && s.phase() == Phase.HEALTHY && !s.inFlight() && !s.aborted()
                    && s.stableHash().equals(r.current.spec().get().podTemplateHash())) {
                stableSource = r.source.commitId();
            }
        }
        String pending = r.refused == null ? "" : r.refused.name();
        // unchanged apart from the time: the committed document, so that no commit is made
        StatusDocument candidate = new StatusDocument(r.key, r.source == null ? "" : r.source.name(), stableSource, pending,
                findings, List.copyOf(r.gateLog), statuses, waves, r.committed == null ? now : r.committed.updated());
        String text = candidate.text();
        if (r.committed != null && text.equals(r.committedText)) {
            return new Rendered(r.committed, text);
        }
        StatusDocument changed = new StatusDocument(r.key, candidate.source(), stableSource, pending, findings,
                List.copyOf(r.gateLog), statuses, waves, now);
        return new Rendered(changed, changed.text());
    }

    private StatusCommit statusCommit(Map<RolloutKey, Rendered> changed, Map<RolloutKey, Decided> decided) {
        // the subject names two rollouts at most: only those are summarized
        List<String> parts = new ArrayList<>();
        for (Map.Entry<RolloutKey, Rendered> e : changed.entrySet()) {
            if (parts.size() == 2) {
                break;
            }
            parts.add(summary(e.getKey(), e.getValue().doc(), decided.get(e.getKey())));
        }
        for (RolloutKey k : removed) {
            if (parts.size() < 2) {
                parts.add(k.name() + " removed");
            }
        }
        int count = changed.size() + removed.size();
        String subject = "status: " + (count <= 2 ? String.join("; ", parts) : count + " rollouts: " + String.join("; ", parts) + "; …");
        if (subject.length() > 160) {
            subject = subject.substring(0, 159) + "…";
        }
        Map<RolloutKey, String> texts = new LinkedHashMap<>();
        changed.forEach((k, doc) -> texts.put(k, doc.text()));
        Set<RolloutKey> gone = Set.copyOf(removed);
        Map<String, String> trailers = new LinkedHashMap<>();
        trailers.put("Stepwise-Source", snapshot.revision().name());
        trailers.put("Stepwise-Repository", settings.name());
        if (!settings.replica().isEmpty()) {
            trailers.put("Stepwise-Replica", settings.replica());
        }
        return new StatusCommit(subject, trailers, current -> {
            StatusChanges c = StatusChanges.none();
            texts.forEach(c::put);
            gone.forEach(c::delete);
            return c;
        });
    }

    /** {@code checkout-api step 3/7 weight 25% (analysis success-rate 0.997)}. */
    private String summary(RolloutKey key, StatusDocument doc, Decided decided) {
        StringBuilder sb = new StringBuilder(key.name());
        Optional<Map.Entry<String, RolloutStatus>> s = doc.summaryCluster();
        TrackedRollout r = rollouts.get(key);
        if (s.isEmpty()) {
            int errors = r == null ? 0 : r.refusedErrors.size();
            sb.append(doc.pending().isEmpty() ? " pending" : " revision " + Revision.parse(doc.pending()).shortId()
                    + " refused (" + errors + " error" + (errors == 1 ? "" : "s") + ")");
            return sb.toString();
        }
        RolloutStatus st = s.get().getValue();
        int steps = r != null && r.current != null && r.current.spec().isPresent() ? RolloutEngine.doneIndex(r.current.spec().get()) : 0;
        if (st.aborted()) {
            sb.append(" aborted");
        } else if (!st.inFlight() && st.phase() == Phase.HEALTHY) {
            sb.append(" healthy at ").append(st.stableHash());
            return sb.toString();
        } else {
            sb.append(" step ").append(Math.min(st.stepIndex() + 1, steps)).append('/').append(steps);
            if (st.phase() == Phase.PAUSED) {
                sb.append(" paused");
            }
        }
        sb.append(" weight ").append(st.canaryWeight()).append('%');
        if (decided != null) {
            Decision dec = decided.decisions().get(s.get().getKey());
            if (dec != null) {
                headline(dec.events()).ifPresent(h -> sb.append(" (").append(h).append(')'));
            }
        }
        if (!doc.pending().isEmpty()) {
            sb.append(", revision ").append(Revision.parse(doc.pending()).shortId()).append(" refused");
        }
        return sb.toString();
    }

    /** The event a person scanning the log wants to see for this decision. */
    private static Optional<String> headline(List<EngineEvent> events) {
        List<String> order = List.of(Reasons.ABORTED, Reasons.ANALYSIS_COMPLETED, Reasons.GATE_APPLIED, Reasons.COMPLETED,
                Reasons.PROGRESS_DEADLINE, Reasons.MEASUREMENT, Reasons.STEP_COMPLETED, Reasons.ROLLOUT_STARTED);
        for (String reason : order) {
            for (int i = events.size() - 1; i >= 0; i--) {
                EngineEvent e = events.get(i);
                if (e.reason().equals(reason) && !e.message().isEmpty()) {
                    String m = e.message();
                    return Optional.of(m.length() > 80 ? m.substring(0, 79) + "…" : m);
                }
            }
        }
        return Optional.empty();
    }

    private void accept(Decided d, Instant now) {
        TrackedRollout r = d.rollout();
        r.statuses = new LinkedHashMap<>(d.statuses());
        Map<String, List<MeasurementDue>> dues = new LinkedHashMap<>(r.dues);
        Optional<Instant> next = Optional.empty();
        boolean moving = false;
        for (Map.Entry<String, Decision> e : d.decisions().entrySet()) {
            Decision dec = e.getValue();
            dues.put(e.getKey(), dec.measurementsDue());
            r.remember(dec.events());
            next = earliest(next, dec.requeueAt());
            // an aborted or halted rollout waits for a person or a new revision: looked at like a settled one
            moving |= (dec.status().inFlight() && !dec.status().halted()) || !dec.status().scaleDowns().isEmpty()
                    || dec.status().waitingSince() != null;
            report(r, e.getKey(), dec);
        }
        r.dues = dues;
        r.gates.removeAll(d.gatesOffered());
        Instant resync = now.plus(moving ? settings.observeInterval() : settings.idleResync());
        r.nextAt = next.filter(n -> n.isBefore(resync)).orElse(resync);
        if (d.waves().isPresent() && !d.decisions().keySet().equals(Set.copyOf(
                WavePlan.of(d.spec().waves(), d.spec().podTemplateHash(), d.statuses()).active()))) {
            r.nextAt = now; // the next wave starts at once
        }
        r.lastReconciled = now;
        r.lastError = "";
        metrics.reconcile(r.key.namespace(), r.key.name(), d.took(), true);
    }

    private void report(TrackedRollout r, String cluster, Decision dec) {
        RolloutStatus s = dec.status();
        metrics.rollout(settings.name(), cluster, r.key.namespace(), r.key.name(), s.aborted() ? "Aborted" : s.phase().label(),
                s.stepIndex(), s.canaryWeight());
        for (EngineEvent e : dec.events()) {
            if (e.reason().equals(Reasons.MEASUREMENT) || e.reason().equals(Reasons.ANALYSIS_COMPLETED)) {
                for (var run : s.runs()) {
                    for (var m : run.metrics()) {
                        var last = m.measurements().isEmpty() ? null : m.measurements().get(m.measurements().size() - 1);
                        if (last != null && !last.at().isBefore(e.at())) {
                            metrics.analysisVerdict(r.key.namespace(), r.key.name(), m.name(), last.verdict().label());
                            try {
                                metrics.measurement(r.key.namespace(), r.key.name(), m.name(),
                                        Double.parseDouble(last.value().replaceAll("^\\[|]$", "")));
                            } catch (NumberFormatException notANumber) {
                                // strings and maps have no gauge value
                            }
                        }
                    }
                }
                break;
            }
        }
    }

    private static Optional<Instant> earliest(Optional<Instant> a, Optional<Instant> b) {
        if (a.isEmpty()) {
            return b;
        }
        if (b.isEmpty()) {
            return a;
        }
        return Optional.of(a.get().isBefore(b.get()) ? a.get() : b.get());
    }

    // ---- apply ------------------------------------------------------------------------------------------------

    private void apply(List<Decided> decided, Instant now, List<String> problems) {
        List<Future<?>> running = new ArrayList<>();
        for (Decided d : decided) {
            Future<?> f = pool.submit(() -> applyOne(d, now));
            applying.put(d.rollout().key, f);
            running.add(f);
        }
        long deadline = System.nanoTime() + settings.cycleTimeout().toNanos();
        for (int i = 0; i < running.size(); i++) {
            Decided d = decided.get(i);
            try {
                running.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException slow) {
                problems.add(d.rollout().key + ": cluster changes still running after " + settings.cycleTimeout());
            } catch (ExecutionException failed) {
                String message = describe(failed.getCause());
                problems.add(d.rollout().key + ": " + message);
                d.rollout().lastError = message;
                // the committed status asks for it again at the next cycle: applying is idempotent
                d.rollout().nextAt = now.plus(settings.observeInterval());
                metrics.reconcile(d.rollout().key.namespace(), d.rollout().key.name(), Duration.ZERO, false);
                LOG.warn("[{}] {}: cluster changes failed: {}", settings.name(), d.rollout().key, message);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void applyOne(Decided d, Instant now) {
        TrackedRollout r = d.rollout();
        for (Map.Entry<String, Decision> e : d.decisions().entrySet()) {
            if (!mayWrite.getAsBoolean()) {
                return; // lost the lease: another replica is about to act
            }
            ClusterTarget target = clusters.target(e.getKey()).orElseThrow();
            Decision dec = e.getValue();
            ApplyResult result = target.apply(d.specs().get(e.getKey()), dec.desired(), new ApplyContext(r.source.name(), r.source.commitId(),
                    dec.scaleDowns(), now));
            // one note per kind of finding: a message that carries a changing figure (seconds waited) must not make
            // every cycle a status commit; the first wording stays until the finding goes away
            Map<String, Finding> now2 = new LinkedHashMap<>();
            for (ClusterFinding f : result.findings()) {
                String k = "cluster/" + e.getKey() + "/" + f.code();
                now2.putIfAbsent(k, r.notes.containsKey(k) ? r.notes.get(k)
                        : Finding.warning(Location.ofFile(r.current.file()), "", f.code(), e.getKey() + ": " + f.message()));
            }
            synchronized (r.notes) {
                r.notes.keySet().removeIf(k -> k.startsWith("cluster/" + e.getKey() + "/") && !now2.containsKey(k));
                r.notes.putAll(now2);
            }
            if (!result.trafficVerified()) {
                // the router does not serve the weight yet: look again soon rather than at the engine's next time
                Instant soon = now.plus(settings.observeInterval());
                if (soon.isBefore(r.nextAt)) {
                    r.nextAt = soon;
                }
            }
        }
    }

    // ---- propose ----------------------------------------------------------------------------------------------

    private void propose(List<Decided> decided, List<String> problems) {
        for (Decided d : decided) {
            TrackedRollout r = d.rollout();
            RolloutSpec spec = d.spec();
            for (Decision dec : d.decisions().values()) {
                boolean justAborted = dec.events().stream().anyMatch(e -> e.reason().equals(Reasons.ABORTED));
                boolean justCompleted = dec.events().stream().anyMatch(e -> e.reason().equals(Reasons.COMPLETED));
                if (justAborted && spec.onAbortRevert() != RevertMode.NONE && proposers.reverts().isPresent()
                        && !r.stableSource.isEmpty()) {
                    String evidence = dec.status().abortReason() + "\n" + String.join("\n", StatusDocument.analysisSummary(dec.status())
                            .stream().map(Object::toString).toList());
                    WriteResult w = proposers.reverts().get().propose(new RevertProposer.Request(r.key, r.current.file(), r.source,
                            r.stableSource, spec.onAbortRevert(), evidence));
                    note(r, "reconcile.revert", w, problems);
                }
                if (justCompleted && spec.promoteTo().isPresent() && proposers.promotions().isPresent()) {
                    String analysis = String.join("; ", StatusDocument.analysisSummary(dec.status()).stream()
                            .map(a -> a.get("metric") + " " + a.get("value")).toList());
                    WriteResult w = proposers.promotions().get().promote(new EnvironmentPromoter.Request(r.key, r.source,
                            new CanaryRevision(spec.podTemplateHash(), Set.copyOf(spec.images().values())), spec.images(),
                            spec.promoteTo().get(), analysis));
                    note(r, "reconcile.promotion", w, problems);
                }
            }
        }
    }

    /**
     * A Flagger Canary's {@code event} webhooks get every event of the cycle, and its {@code post-rollout} webhooks the
     * end of a release (Succeeded or Failed), after the status that records it is in Git: a restart does not send them
     * again. They run on the pool, so a slow receiver never holds up a cycle; a failure is logged, as in Flagger.
     */
    private void flaggerNotifications(List<Decided> decided) {
        for (Decided d : decided) {
            if (d.spec().flagger().isEmpty()) {
                continue;
            }
            dev.stepwise.spec.model.FlaggerSource f = d.spec().flagger().get();
            List<dev.stepwise.spec.model.FlaggerSource.Webhook> events = f.webhooks("event");
            List<dev.stepwise.spec.model.FlaggerSource.Webhook> post = f.webhooks("post-rollout");
            if (events.isEmpty() && post.isEmpty()) {
                continue;
            }
            RolloutKey key = d.rollout().key;
            for (Decision dec : d.decisions().values()) {
                String phase = flaggerPhase(dec.status());
                for (EngineEvent e : dec.events()) {
                    Map<String, String> metadata = new LinkedHashMap<>();
                    metadata.put("eventMessage", e.message());
                    metadata.put("eventType", WARNINGS.contains(e.reason()) ? "Warning" : "Normal");
                    metadata.put("timestamp", Long.toString(e.at().toEpochMilli()));
                    events.forEach(hook -> pool.submit(() -> measurements.notify(key, hook, phase, metadata)));
                }
                boolean ended = dec.events().stream().anyMatch(e -> e.reason().equals(Reasons.COMPLETED) || e.reason().equals(Reasons.ABORTED));
                if (ended) {
                    String result = dec.status().aborted() ? "Failed" : "Succeeded";
                    post.forEach(hook -> pool.submit(() -> measurements.notify(key, hook, result, Map.of())));
                }
            }
        }
    }

    /** The engine's reasons that Flagger would record as Warning events. */
    private static final Set<String> WARNINGS = Set.of(Reasons.ABORTED, Reasons.TRAFFIC_NOT_VERIFIED);

    /** Flagger's words for where a Canary is: Progressing, Waiting (a gate), Succeeded, Failed. */
    static String flaggerPhase(RolloutStatus s) {
        if (s.aborted()) {
            return "Failed";
        }
        return switch (s.phase()) {
            case PAUSED -> "Waiting";
            case HEALTHY -> "Succeeded";
            case DEGRADED -> "Failed";
            default -> "Progressing";
        };
    }

    private void note(TrackedRollout r, String code, WriteResult w, List<String> problems) {
        String text;
        if (w instanceof WriteResult.Committed c) {
            text = "written to " + c.branch() + " in " + c.commitId().substring(0, 12);
        } else if (w instanceof WriteResult.NothingToDo n) {
            text = "not needed: " + n.reason();
        } else if (w instanceof WriteResult.Refused f) {
            text = "refused: " + f.findings().stream().map(Finding::message).findFirst().orElse("");
        } else {
            text = "failed: " + ((WriteResult.Failed) w).error().message();
        }
        Severity severity = w instanceof WriteResult.Committed || w instanceof WriteResult.NothingToDo ? Severity.INFO : Severity.WARNING;
        r.notes.put(code, new Finding(severity, Location.ofFile(r.current.file()), "", code,
                (code.endsWith("revert") ? "revert " : "environment promotion ") + text));
        r.dirty = true;
        if (severity == Severity.WARNING) {
            problems.add(r.key + ": " + code + " " + text);
        }
        LOG.info("[{}] {}: {} {}", settings.name(), r.key, code, text);
    }

    /** The failure and its root cause (a cluster client's message alone often says only which request failed). */
    static String describe(Throwable t) {
        String message = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage().strip());
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != t && root.getMessage() != null) {
            message += " (cause: " + root.getClass().getSimpleName() + ": " + root.getMessage().strip() + ")";
        }
        return message.length() > 400 ? message.substring(0, 399) + "…" : message;
    }

    // ---- reading for the API ----------------------------------------------------------------------------------

    /** Every rollout's status document as this process sees it now (committed or not). */
    public List<RolloutView> views() {
        List<RolloutView> out = new ArrayList<>();
        for (TrackedRollout r : rollouts.values()) {
            int steps = r.current == null || r.current.spec().isEmpty() ? 0 : RolloutEngine.doneIndex(r.current.spec().get());
            out.add(new RolloutView(settings.name(), r.key, r.committed, r.current == null ? "" : r.current.file(), steps,
                    List.copyOf(r.recent), r.findings(), r.heldBecause, r.lastError, r.lastReconciled));
        }
        out.sort(java.util.Comparator.comparing(RolloutView::key));
        return out;
    }
}
