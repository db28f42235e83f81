package dev.stepwise.server;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The numbers Stepwise exposes on {@code /metrics}, under the names agreed in the round's contract. The reconciler
 * reports into it from many threads; {@link #scrape()} renders the Prometheus text format (0.0.4).
 *
 * <p>Everything known about one rollout lives in one entry, so {@link #forgetRollout} (the rollout was removed from
 * Git) drops all its series at once and memory stays proportional to the rollouts that exist. Repositories are few
 * and fixed by the configuration, so their series are kept for the life of the process.
 *
 * <p>{@code stepwise_rollouts{phase}} is computed at scrape time from each rollout's latest phase, so a rollout that
 * moves from Progressing to Healthy counts once, under Healthy. The phases of the contract are always written (0 when
 * no rollout is in them) so an alert on {@code stepwise_rollouts{phase="Degraded"} > 0} sees a value, not an absence.
 *
 * <p>Failure counters are written from the first call for their repository or rollout, at 0 while nothing failed:
 * {@code increase()} needs the series to exist before its first failure to count that failure.
 */
public final class StepwiseMetrics {

    /** The phases a rollout reports (Argo Rollouts' phases plus Stepwise's Invalid for a spec that fails validation). */
    public static final List<String> PHASES = List.of("Healthy", "Progressing", "Paused", "Degraded", "Aborted", "Invalid");

    /** Polls and pushes are network round trips: from tens of milliseconds to a timeout. */
    static final double[] GIT_BUCKETS = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
    /** One rollout's reconcile is mostly local work, bounded by the cycle timeout (20 s by default). */
    static final double[] RECONCILE_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20};

    private final ConcurrentSkipListMap<Key, RolloutSeries> rollouts = new ConcurrentSkipListMap<>();
    private final ConcurrentMap<String, GitSeries> polls = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, GitSeries> pushes = new ConcurrentHashMap<>();
    private final Histogram reconcileDuration = new Histogram(RECONCILE_BUCKETS);
    private volatile boolean leader;

    public StepwiseMetrics() {
    }

    /** The rollout's latest state: its info series, its step and canary weight, and its phase for the phase counts. */
    public void rollout(String repository, String cluster, String namespace, String name, String phase, int step, int weight) {
        series(namespace, name).state(text(repository), text(cluster), phase == null || phase.isBlank() ? "Unknown" : phase, step, weight);
    }

    /** The rollout was removed from Git: every series that names it disappears. */
    public void forgetRollout(String namespace, String name) {
        rollouts.remove(new Key(namespace, name));
    }

    /** Findings on the rollout's current spec revision (replacing the previous revision's). */
    public void specFindings(String namespace, String name, int errors, int warnings) {
        series(namespace, name).findings(errors, warnings);
    }

    /** One analysis run's verdict on one metric (Successful, Failed, Inconclusive, Error). */
    public void analysisVerdict(String namespace, String name, String metric, String verdict) {
        series(namespace, name).verdict(text(metric), text(verdict));
    }

    /** The latest numeric measurement of one metric of the rollout's analysis. */
    public void measurement(String namespace, String name, String metric, double value) {
        series(namespace, name).measurement(text(metric), value);
    }

    public void gitPoll(String repository, Duration took, boolean ok) {
        polls.computeIfAbsent(text(repository), r -> new GitSeries()).record(took, ok);
    }

    public void gitPush(String repository, Duration took, boolean ok) {
        pushes.computeIfAbsent(text(repository), r -> new GitSeries()).record(took, ok);
    }

    /** One reconcile of one rollout: its duration goes into one histogram for all rollouts, its failure is counted per rollout. */
    public void reconcile(String namespace, String name, Duration took, boolean ok) {
        reconcileDuration.observe(took);
        series(namespace, name).reconciled(ok);
    }

    /** True while this replica holds the lease (or when leader election is off). */
    public void leader(boolean leader) {
        this.leader = leader;
    }

    /** The Prometheus text exposition format 0.0.4, families in a fixed order, series sorted by their labels. */
    public String scrape() {
        // one snapshot per rollout, so its info line and its phase count agree even while it is being updated
        Map<Key, RolloutSeries.Snapshot> snap = new TreeMap<>();
        rollouts.forEach((k, v) -> snap.put(k, v.snapshot()));

        TextFormat out = new TextFormat();
        Map<String, Integer> perPhase = new TreeMap<>();
        PHASES.forEach(p -> perPhase.put(p, 0));
        snap.values().stream().filter(s -> s.phase() != null).forEach(s -> perPhase.merge(s.phase(), 1, Integer::sum));
        out.family("stepwise_rollouts", "gauge", "Rollouts per phase, each rollout counted once under its latest phase.");
        Set<String> order = new LinkedHashSet<>(PHASES);
        order.addAll(perPhase.keySet());
        for (String phase : order) {
            out.sample("stepwise_rollouts", perPhase.get(phase), "phase", phase);
        }

        out.family("stepwise_rollout_info", "gauge", "Where a rollout comes from and runs, and its phase; always 1.");
        snap.forEach((k, s) -> {
            if (s.phase() != null) {
                out.sample("stepwise_rollout_info", 1, "repository", s.repository(), "cluster", s.cluster(),
                        "namespace", k.namespace(), "rollout", k.name(), "phase", s.phase());
            }
        });
        out.family("stepwise_rollout_step", "gauge", "The index of the rollout's current canary step.");
        snap.forEach((k, s) -> {
            if (s.phase() != null) {
                out.sample("stepwise_rollout_step", s.step(), "namespace", k.namespace(), "rollout", k.name());
            }
        });
        out.family("stepwise_rollout_canary_weight", "gauge", "The percentage of traffic the rollout's canary receives.");
        snap.forEach((k, s) -> {
            if (s.phase() != null) {
                out.sample("stepwise_rollout_canary_weight", s.weight(), "namespace", k.namespace(), "rollout", k.name());
            }
        });

        out.family("stepwise_spec_findings", "gauge", "Validation and policy findings on the rollout's current spec revision.");
        snap.forEach((k, s) -> {
            if (s.errors() >= 0) {
                out.sample("stepwise_spec_findings", s.errors(), "namespace", k.namespace(), "rollout", k.name(), "severity", "error");
                out.sample("stepwise_spec_findings", s.warnings(), "namespace", k.namespace(), "rollout", k.name(), "severity", "warning");
            }
        });

        out.family("stepwise_analysis_verdicts_total", "counter", "Analysis verdicts per rollout, metric and verdict.");
        snap.forEach((k, s) -> s.verdicts().forEach((metric, byVerdict) -> byVerdict.forEach((verdict, n) ->
                out.sample("stepwise_analysis_verdicts_total", n, "namespace", k.namespace(), "rollout", k.name(),
                        "metric", metric, "verdict", verdict))));
        out.family("stepwise_analysis_measurement_value", "gauge", "The latest numeric measurement of an analysis metric.");
        snap.forEach((k, s) -> s.measurements().forEach((metric, value) ->
                out.sample("stepwise_analysis_measurement_value", value, "namespace", k.namespace(), "rollout", k.name(),
                        "metric", metric)));

        writeGit(out, polls, "stepwise_git_poll", "polls");
        writeGit(out, pushes, "stepwise_git_push", "status pushes");

        out.family("stepwise_reconcile_duration_seconds", "histogram", "How long one rollout's reconcile took.");
        reconcileDuration.write(out, "stepwise_reconcile_duration_seconds");
        out.family("stepwise_reconcile_errors_total", "counter", "Reconciles of a rollout that failed.");
        snap.forEach((k, s) -> {
            if (s.reconciled()) {
                out.sample("stepwise_reconcile_errors_total", s.reconcileErrors(), "namespace", k.namespace(), "rollout", k.name());
            }
        });

        out.family("stepwise_leader", "gauge", "1 while this replica holds the leader lease (or leader election is off), else 0.");
        out.sample("stepwise_leader", leader ? 1 : 0);
        return out.toString();
    }

    private static void writeGit(TextFormat out, Map<String, GitSeries> byRepository, String prefix, String what) {
        Map<String, GitSeries> sorted = new TreeMap<>(byRepository);
        out.family(prefix + "_duration_seconds", "histogram", "How long Git " + what + " of a repository took, failed ones included.");
        sorted.forEach((repo, s) -> s.duration.write(out, prefix + "_duration_seconds", "repository", repo));
        out.family(prefix + "_failures_total", "counter", "Git " + what + " of a repository that failed.");
        sorted.forEach((repo, s) -> out.sample(prefix + "_failures_total", s.failures.get(), "repository", repo));
    }

    private RolloutSeries series(String namespace, String name) {
        return rollouts.computeIfAbsent(new Key(namespace, name), k -> new RolloutSeries());
    }

    private static String text(String s) {
        return s == null ? "" : s;
    }

    private record Key(String namespace, String name) implements Comparable<Key> {
        Key {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(name, "name");
        }

        @Override
        public int compareTo(Key o) {
            int c = namespace.compareTo(o.namespace);
            return c != 0 ? c : name.compareTo(o.name);
        }
    }

    private static final class GitSeries {
        final Histogram duration = new Histogram(GIT_BUCKETS);
        final AtomicLong failures = new AtomicLong();

        void record(Duration took, boolean ok) {
            duration.observe(took);
            if (!ok) {
                failures.incrementAndGet();
            }
        }
    }

    /** Everything about one rollout; a monitor guards it because updates come from several threads. */
    private static final class RolloutSeries {
        private String repository;
        private String cluster;
        private String phase; // null until the reconciler first reports the rollout's state
        private int step;
        private int weight;
        private int errors = -1; // -1: no findings reported yet
        private int warnings;
        private final Map<String, Map<String, Long>> verdicts = new TreeMap<>();
        private final Map<String, Double> measurements = new TreeMap<>();
        private boolean reconciled;
        private long reconcileErrors;

        record Snapshot(String repository, String cluster, String phase, int step, int weight, int errors, int warnings,
                        Map<String, Map<String, Long>> verdicts, Map<String, Double> measurements, boolean reconciled,
                        long reconcileErrors) {
        }

        synchronized void state(String repository, String cluster, String phase, int step, int weight) {
            this.repository = repository;
            this.cluster = cluster;
            this.phase = phase;
            this.step = step;
            this.weight = weight;
        }

        synchronized void findings(int errors, int warnings) {
            this.errors = Math.max(0, errors);
            this.warnings = Math.max(0, warnings);
        }

        synchronized void verdict(String metric, String verdict) {
            verdicts.computeIfAbsent(metric, m -> new TreeMap<>()).merge(verdict, 1L, Long::sum);
        }

        synchronized void measurement(String metric, double value) {
            measurements.put(metric, value);
        }

        synchronized void reconciled(boolean ok) {
            reconciled = true;
            if (!ok) {
                reconcileErrors++;
            }
        }

        synchronized Snapshot snapshot() {
            Map<String, Map<String, Long>> v = new TreeMap<>();
            verdicts.forEach((m, byVerdict) -> v.put(m, new TreeMap<>(byVerdict)));
            return new Snapshot(repository, cluster, phase, step, weight, errors, warnings, v, new TreeMap<>(measurements),
                    reconciled, reconcileErrors);
        }
    }
}
