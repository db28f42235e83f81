package dev.stepwise.bench;

import dev.stepwise.engine.Decision;
import dev.stepwise.engine.MeasurementDue;
import dev.stepwise.engine.Observations;
import dev.stepwise.engine.RolloutEngine;
import dev.stepwise.engine.RolloutStatus;
import dev.stepwise.engine.StatusCodec;
import dev.stepwise.engine.WorkloadReadiness;
import dev.stepwise.engine.analysis.Measurement;
import dev.stepwise.spec.SourceFile;
import dev.stepwise.spec.SpecLoader;
import dev.stepwise.spec.model.AnalysisStep;
import dev.stepwise.spec.model.AnalysisTemplateSpec;
import dev.stepwise.spec.model.BackgroundAnalysis;
import dev.stepwise.spec.model.CanaryStrategy;
import dev.stepwise.spec.model.PodTemplateHash;
import dev.stepwise.spec.model.RepositoryModel;
import dev.stepwise.spec.model.RolloutSpec;
import dev.stepwise.spec.model.RolloutStrategy;
import dev.stepwise.spec.model.Step;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * How fast the engine decides and how much a rollout's status weighs, over many rollouts in flight at once.
 *
 * <p>The rollouts come from {@link SpecCorpus} (Istio, NGINX and basic canaries with an analysis step, blue-greens
 * with pre-promotion analysis), a third of the canaries given background analysis as well and a quarter of the routed
 * ones dynamicStableScale, so every strategy path runs. Each rollout starts from a healthy stable version and rolls
 * out a new one; a virtual clock calls the engine for each rollout whenever it asked to be called (or its pods became
 * ready, 20s after they were asked for), taking the measurements it asked for (one rollout in ten sees its success
 * rate fail, and aborts). A rollout that finishes starts the next revision, so all of them stay in flight. Only the
 * {@code decide} calls are timed, on one thread.
 *
 * <p>Heap per status is measured, not estimated: used heap after repeated GCs with the statuses reachable, minus used
 * heap after dropping them, divided by their number. Two figures: the statuses as the engine returned them (sharing
 * version hashes and metric names with the specs, as in a running reconciler) and the same statuses decoded afresh from
 * their {@link StatusCodec} form (sharing nothing: an upper bound).
 */
public final class EngineBenchmark {

    private static final Instant START = Instant.parse("2025-01-01T00:00:00Z");
    private static final Duration READY_AFTER = Duration.ofSeconds(20);
    private static final Duration RESYNC = Duration.ofMinutes(1);

    /** The figures of one run. */
    public record Figures(int rollouts, long decisions, double seconds, double decisionsPerSecond, double cpuSeconds,
                          double decisionsPerCpuSecond, long warmupDecisions,
                          long heapBytesPerStatus, long heapBytesPerDecodedStatus, double encodedFieldsPerStatus,
                          Map<String, Integer> strategies, long completed, long aborted, String heapMethod) {

        /** A few lines for people. */
        public String describe() {
            return String.format("rollouts in flight:   %,d (%s)%n"
                            + "decisions timed:      %,d on one thread (after %,d warm-up decisions)%n"
                            + "decide time:          %.2f s wall clock, %.2f s of this thread's CPU time%n"
                            + "decisions per second: %,.0f (wall clock); %,.0f per CPU second of one core%n"
                            + "rollouts completed:   %,d; aborted: %,d%n"
                            + "heap per status:      %,d bytes as returned by decide; %,d bytes decoded afresh%n"
                            + "heap method:          %s%n",
                    rollouts, strategies, decisions, warmupDecisions, seconds, cpuSeconds, decisionsPerSecond,
                    decisionsPerCpuSecond, completed, aborted,
                    heapBytesPerStatus, heapBytesPerDecodedStatus, heapMethod);
        }
    }

    private EngineBenchmark() {
    }

    /**
     * Runs the benchmark: {@code rollouts} rollouts in flight, {@code warmup} untimed decisions, then {@code decisions}
     * timed ones.
     */
    public static Figures run(int rollouts, long warmup, long decisions, long seed) {
        List<Flight> flights = flights(rollouts, seed);
        RolloutEngine engine = new RolloutEngine();
        PriorityQueue<Flight> queue = new PriorityQueue<>((a, b) -> {
            int c = a.next.compareTo(b.next);
            return c != 0 ? c : Integer.compare(a.index, b.index);
        });
        queue.addAll(flights);
        long[] counters = new long[2];
        step(engine, queue, warmup, counters);
        counters[0] = 0;
        counters[1] = 0;
        long[] nanos = step(engine, queue, decisions, counters);

        Map<String, Integer> strategies = new LinkedHashMap<>();
        for (Flight f : flights) {
            strategies.merge(f.kind, 1, Integer::sum);
        }
        RolloutStatus[] statuses = new RolloutStatus[flights.size()];
        long fields = 0;
        List<Map<String, Object>> encoded = new ArrayList<>(flights.size());
        for (int i = 0; i < flights.size(); i++) {
            statuses[i] = flights.get(i).status;
            Map<String, Object> e = StatusCodec.encode(statuses[i]);
            fields += e.size();
            encoded.add(e);
        }
        long asReturned = heapPer(statuses, flights);
        RolloutStatus[] decoded = new RolloutStatus[flights.size()];
        long before = usedHeap();
        for (int i = 0; i < decoded.length; i++) {
            decoded[i] = StatusCodec.decode(encoded.get(i));
        }
        long after = usedHeap();
        long perDecoded = (after - before) / Math.max(1, decoded.length);
        if (decoded[decoded.length - 1] == null) {
            throw new IllegalStateException("unreachable: keeps the array alive until here");
        }
        double seconds = nanos[0] / 1e9;
        double cpuSeconds = nanos[1] / 1e9;
        return new Figures(rollouts, decisions, seconds, decisions / Math.max(seconds, 1e-9), cpuSeconds,
                decisions / Math.max(cpuSeconds, 1e-9), warmup, asReturned, perDecoded,
                (double) fields / flights.size(), strategies, counters[0], counters[1],
                "used heap (MemoryMXBean) after System.gc() with the statuses reachable minus without, / rollouts");
    }

    /**
     * Runs {@code count} decisions; returns the wall-clock nanoseconds spent inside decide and the CPU nanoseconds of
     * the whole loop (this thread's CPU time: what one core did, whoever else shares the machine).
     */
    private static long[] step(RolloutEngine engine, PriorityQueue<Flight> queue, long count, long[] counters) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu0 = threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : 0;
        long nanos = 0;
        long outside = 0;
        for (long i = 0; i < count; i++) {
            long o0 = System.nanoTime();
            Flight f = queue.poll();
            Instant now = f.next;
            Observations obs = f.observe(now);
            long t0 = System.nanoTime();
            outside += t0 - o0;
            Decision d = engine.decide(f.spec, f.templates, f.status, obs, now);
            long t1 = System.nanoTime();
            nanos += t1 - t0;
            f.apply(d, now);
            boolean done = f.status.scaleDowns().isEmpty() && (f.status.aborted() || !f.status.inFlight());
            if (done) {
                counters[f.status.aborted() ? 1 : 0]++;
                f.nextRevision(now);
            }
            queue.add(f);
            outside += System.nanoTime() - t1;
        }
        long cpu = threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() - cpu0 : nanos + outside;
        // the loop's CPU time includes the simulated world around decide; count decide's share of it
        long decideCpu = (long) (cpu * ((double) nanos / Math.max(1, nanos + outside)));
        return new long[] {nanos, decideCpu};
    }

    private static long heapPer(RolloutStatus[] statuses, List<Flight> flights) {
        long with = usedHeap();
        for (int i = 0; i < statuses.length; i++) {
            statuses[i] = null;
        }
        for (Flight f : flights) {
            f.status = null; // the flights must not keep them reachable either (the run is over: they are not needed)
            f.dues = List.of(); // measurements due share metric state with the statuses: drop them too
        }
        long without = usedHeap();
        return (with - without) / Math.max(1, statuses.length);
    }

    private static long usedHeap() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    // ------------------------------------------------------------------ the rollouts

    private static List<Flight> flights(int rollouts, long seed) {
        List<SourceFile> files = SpecCorpus.generate(rollouts, seed);
        RepositoryModel model = RepositoryModel.of(new SpecLoader().load(files));
        Random random = new Random(seed);
        Map<String, Map<String, AnalysisTemplateSpec>> byNamespace = new HashMap<>();
        List<Flight> out = new ArrayList<>(rollouts);
        for (RolloutSpec spec : model.rollouts()) {
            RolloutSpec s = vary(spec, random);
            Map<String, AnalysisTemplateSpec> templates = byNamespace.computeIfAbsent(s.namespace(),
                    ns -> RolloutEngine.templatesFor(model, s));
            Flight f = new Flight(out.size(), s, templates, random.nextInt(10) == 0, kind(s));
            f.next = START.plusMillis(random.nextInt(60_000));
            out.add(f);
        }
        return out;
    }

    private static String kind(RolloutSpec s) {
        if (s.blueGreen().isPresent()) {
            return "blue-green";
        }
        CanaryStrategy c = s.canary().orElseThrow();
        String k = c.trafficRouting().isReplicaRatio() ? "basic canary" : c.trafficRouting().routers().get(0).type() + " canary";
        if (c.analysis().isPresent()) {
            k += " +background";
        }
        if (c.dynamicStableScale()) {
            k += " +dynamicStableScale";
        }
        return k;
    }

    /** A third of the canaries get background analysis too, a quarter of the routed ones dynamicStableScale. */
    private static RolloutSpec vary(RolloutSpec s, Random random) {
        if (s.canary().isEmpty()) {
            return s;
        }
        CanaryStrategy c = s.canary().get();
        Optional<BackgroundAnalysis> bg = c.analysis();
        if (random.nextInt(3) == 0) {
            for (Step step : c.steps()) {
                if (step instanceof AnalysisStep a) {
                    bg = Optional.of(new BackgroundAnalysis(a.analysis(), 1));
                }
            }
        }
        boolean dynamic = !c.trafficRouting().isReplicaRatio() && random.nextInt(4) == 0;
        CanaryStrategy varied = new CanaryStrategy(c.steps(), c.canaryService(), c.stableService(), c.trafficRouting(), bg,
                c.maxSurge(), c.maxUnavailable(), dynamic, c.abortScaleDownDelaySeconds(), c.scaleDownDelaySeconds(),
                c.scaleDownDelayRevisionLimit(), c.canaryMetadata(), c.stableMetadata());
        return withStrategy(s, varied, s.podTemplateHash());
    }

    static RolloutSpec withStrategy(RolloutSpec r, RolloutStrategy strategy, String hash) {
        return new RolloutSpec(r.namespace(), r.name(), r.origin(), r.file(), r.documentIndex(), r.replicas(), r.images(),
                hash, r.workloadRef(), r.progressDeadlineSeconds(), r.progressDeadlineAbort(), r.minReadySeconds(),
                r.revisionHistoryLimit(), strategy, r.waves(), r.promoteTo(), r.onAbortRevert(), r.inlineTemplates(),
                r.flagger());
    }

    /** One rollout and the world around it: its pods and its metric provider. */
    private static final class Flight {
        final int index;
        final Map<String, AnalysisTemplateSpec> templates;
        final boolean failing;
        final String kind;
        RolloutSpec spec;
        RolloutStatus status;
        Instant next;
        int revision;
        List<MeasurementDue> dues = List.of();
        final Map<String, int[]> pods = new HashMap<>(); // version → {available, target}
        final Map<String, Instant> readyAt = new HashMap<>();

        Flight(int index, RolloutSpec spec, Map<String, AnalysisTemplateSpec> templates, boolean failing, String kind) {
            this.index = index;
            this.templates = templates;
            this.failing = failing;
            this.kind = kind;
            String previous = PodTemplateHash.of(List.of("previous", spec.podTemplateHash()));
            this.spec = spec;
            this.status = RolloutStatus.stable(previous, spec.replicas(), RolloutEngine.doneIndex(spec), START);
            pods.put(previous, new int[] {spec.replicas(), spec.replicas()});
        }

        Observations observe(Instant now) {
            List<WorkloadReadiness> ready = new ArrayList<>(pods.size());
            for (Map.Entry<String, int[]> e : pods.entrySet()) {
                int[] c = e.getValue();
                Instant at = readyAt.get(e.getKey());
                if (at != null && !at.isAfter(now)) {
                    c[0] = c[1];
                    readyAt.remove(e.getKey());
                }
                ready.add(new WorkloadReadiness(e.getKey(), c[1], c[0], c[0], now));
            }
            List<Measurement> measurements = List.of();
            for (MeasurementDue due : dues) {
                if (!due.due().isAfter(now)) {
                    if (measurements.isEmpty()) {
                        measurements = new ArrayList<>(2);
                    }
                    double value = failing && status.stepIndex() >= 2 ? 0.91 : 0.995;
                    measurements.add(Measurement.of(due.runId(), due.metric(), List.of(value), 200, now));
                }
            }
            return Observations.of(ready, measurements, List.of(), "");
        }

        void apply(Decision d, Instant now) {
            status = d.status();
            dues = d.measurementsDue();
            Map<String, Integer> desired = d.desired().replicas();
            pods.keySet().removeIf(v -> !desired.containsKey(v));
            readyAt.keySet().removeIf(v -> !desired.containsKey(v));
            Instant wake = d.requeueAt().orElse(now.plus(RESYNC));
            for (Map.Entry<String, Integer> e : desired.entrySet()) {
                int[] c = pods.computeIfAbsent(e.getKey(), v -> new int[2]);
                int want = e.getValue();
                if (want <= c[0]) {
                    c[0] = want;
                    c[1] = want;
                    readyAt.remove(e.getKey());
                } else if (want != c[1]) {
                    c[1] = want;
                    readyAt.put(e.getKey(), now.plus(READY_AFTER));
                }
                Instant r = readyAt.get(e.getKey());
                if (r != null && r.isBefore(wake)) {
                    wake = r;
                }
            }
            next = wake.isAfter(now) ? wake : now.plusMillis(1);
        }

        void nextRevision(Instant now) {
            revision++;
            spec = withStrategy(spec, spec.strategy(), PodTemplateHash.of(List.of(spec.name(), revision)));
            next = now.plusSeconds(1);
        }
    }
}
