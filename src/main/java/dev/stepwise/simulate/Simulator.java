package dev.stepwise.simulate;

import dev.stepwise.engine.Decision;
import dev.stepwise.engine.EngineEvent;
import dev.stepwise.engine.GateDecision;
import dev.stepwise.engine.MeasurementDue;
import dev.stepwise.engine.Observations;
import dev.stepwise.engine.Phase;
import dev.stepwise.engine.Reasons;
import dev.stepwise.engine.RolloutEngine;
import dev.stepwise.engine.RolloutStatus;
import dev.stepwise.engine.WorkloadReadiness;
import dev.stepwise.engine.analysis.Measurement;
import dev.stepwise.spec.model.AnalysisTemplateSpec;
import dev.stepwise.spec.model.PodTemplateHash;
import dev.stepwise.spec.model.RolloutSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs a rollout through the engine in virtual time: a previous version is stable and healthy, the spec's version is
 * rolled out; pods become available {@link Timeline#readinessDelay()} after they are asked for (removed ones go at
 * once); each measurement the engine asks for is taken when due, from the timeline's point in force then; gate
 * decisions arrive at their times; the engine is asked again at every moment something is due. Pure: the same inputs
 * always give the same result.
 *
 * <p>Values are handed to conditions as the provider would return them. A Prometheus query returns a vector, so for
 * a {@code prometheus} metric a single number in the timeline stands for the one-element vector {@code [number]}
 * ({@code result[0]} in a condition reads it); for other providers the value is used as written.
 */
public final class Simulator {

    /** The moment virtual time starts at (any fixed instant would do; this one reads well). */
    public static final Instant START = Instant.parse("2025-01-01T00:00:00Z");
    private static final int MAX_DECISIONS = 20_000;
    private static final int MAX_DECISIONS_AT_ONE_MOMENT = 50;

    private final RolloutEngine engine;

    public Simulator(RolloutEngine engine) {
        this.engine = engine;
    }

    public Simulator() {
        this(new RolloutEngine());
    }

    /** The hash the simulation gives the version that was stable before {@code spec}'s. */
    public static String previousVersion(RolloutSpec spec) {
        return PodTemplateHash.of(List.of("previous", spec.podTemplateHash()));
    }

    public SimulationResult run(RolloutSpec spec, Map<String, AnalysisTemplateSpec> templates, Timeline timeline) {
        String previous = previousVersion(spec);
        int replicas = spec.replicas();
        RolloutStatus status = RolloutStatus.stable(previous, replicas, RolloutEngine.doneIndex(spec), START);
        Pods pods = new Pods(timeline.readinessDelay());
        pods.set(previous, replicas);

        List<GateDecision> gates = new ArrayList<>();
        for (int i = 0; i < timeline.gates().size(); i++) {
            Timeline.TimedGate g = timeline.gates().get(i);
            gates.add(new GateDecision("timeline-" + i, g.action(), g.step(), g.by(), START.plus(g.at())));
        }
        Instant end = START.plus(timeline.until());
        List<SimEvent> events = new ArrayList<>();
        List<MeasurementDue> dues = List.of();
        Instant now = START;
        Instant last = START;
        int decisions = 0;
        int atThisMoment = 0;
        String stop = "";
        Phase lastPhase = status.phase();
        while (true) {
            List<Measurement> measurements = new ArrayList<>();
            for (MeasurementDue due : dues) {
                if (!due.due().isAfter(now)) {
                    measurements.add(measure(due, timeline, Duration.between(START, now), now));
                }
            }
            List<GateDecision> arrived = new ArrayList<>();
            for (GateDecision g : gates) {
                if (!g.at().isAfter(now)) {
                    arrived.add(g);
                }
            }
            Observations obs = Observations.of(pods.readiness(now), measurements, arrived, "");
            Decision d = engine.decide(spec, templates, status, obs, now);
            decisions++;
            last = now;
            RolloutStatus next = d.status();
            for (EngineEvent e : d.events()) {
                if (e.reason().equals(Reasons.PAUSED) && next.phase() != lastPhase) {
                    continue; // the phase change below says the same
                }
                events.add(new SimEvent(Duration.between(START, e.at()), e.reason(), e.step(), e.weight(), e.phase().label(),
                        e.message() + (e.evidence().isEmpty() ? "" : " — " + String.join("; ", e.evidence()))));
            }
            if (next.phase() != lastPhase) {
                events.add(new SimEvent(Duration.between(START, now), "Phase", next.stepIndex(), next.canaryWeight(),
                        next.phase().label(), lastPhase.label() + " -> " + next.phase().label()
                                + (next.message().isEmpty() ? "" : ": " + next.message())));
                lastPhase = next.phase();
            }
            status = next;
            pods.apply(d.desired().replicas(), now);
            dues = d.measurementsDue();

            Instant wake = d.requeueAt().orElse(null);
            wake = earliest(wake, pods.nextReady(now));
            for (GateDecision g : gates) {
                if (g.at().isAfter(now)) {
                    wake = earliest(wake, g.at());
                }
            }
            boolean settled = !status.inFlight() && status.scaleDowns().isEmpty() && pods.nextReady(now) == null
                    && (status.phase() == Phase.HEALTHY || status.aborted());
            if (settled && (status.phase() == Phase.HEALTHY || d.requeueAt().isEmpty())) {
                stop = status.aborted() ? "aborted: " + status.abortReason() : "rollout complete";
                break;
            }
            if (wake == null) {
                stop = status.phase() == Phase.PAUSED ? "waiting for a person: " + status.message()
                        : "nothing left to happen: " + (status.message().isEmpty() ? status.phase().label() : status.message());
                break;
            }
            if (wake.isAfter(end)) {
                stop = "out of time after " + dev.stepwise.spec.model.ArgoDuration.format(timeline.until()) + ": "
                        + status.phase().label() + (status.message().isEmpty() ? "" : " (" + status.message() + ")");
                break;
            }
            if (decisions >= MAX_DECISIONS) {
                stop = "stopped after " + MAX_DECISIONS + " decisions";
                break;
            }
            if (!wake.isAfter(now)) {
                if (++atThisMoment > MAX_DECISIONS_AT_ONE_MOMENT) {
                    stop = "stopped: the engine asked to be called again at the same moment " + MAX_DECISIONS_AT_ONE_MOMENT + " times";
                    break;
                }
                wake = now;
            } else {
                atThisMoment = 0;
            }
            now = wake;
        }
        int total = RolloutEngine.doneIndex(spec);
        return new SimulationResult(spec.qualifiedName(), spec.strategy().name(), previous, spec.podTemplateHash(),
                status.phase(), status.aborted(), Math.min(status.stepIndex(), total), total, Duration.between(START, last),
                decisions, stop, events, status);
    }

    private static Instant earliest(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isBefore(b) ? a : b;
    }

    /**
     * What the timeline's provider answers for {@code due}, {@code elapsed} into the timeline (also the demo's metric
     * source).
     */
    public static Measurement measure(MeasurementDue due, Timeline timeline, Duration elapsed, Instant now) {
        if (!timeline.metrics().containsKey(due.metric())) {
            return Measurement.error(due.runId(), due.metric(), "the timeline has no values for metric " + due.metric(), now);
        }
        Optional<Timeline.Point> point = timeline.pointAt(due.metric(), elapsed);
        if (point.isEmpty()) {
            return Measurement.error(due.runId(), due.metric(), "the timeline has no value for " + due.metric() + " yet", now);
        }
        Timeline.Point p = point.get();
        if (p.error().isPresent()) {
            return Measurement.error(due.runId(), due.metric(), p.error().get(), now);
        }
        Object value = p.value();
        if ("prometheus".equals(due.spec().provider().type()) && value instanceof Number) {
            value = List.of(value);
        }
        return new Measurement(due.runId(), due.metric(), value, p.samples(), now, Optional.empty(), p.succeeded());
    }

    /** Pods per version in virtual time: asked-for pods become available after the delay; removed ones go at once. */
    private static final class Pods {
        private final Duration delay;
        private final Map<String, int[]> counts = new HashMap<>(); // version → {available now, target}
        private final Map<String, Instant> readyAt = new HashMap<>();

        Pods(Duration delay) {
            this.delay = delay;
        }

        void set(String version, int count) {
            counts.put(version, new int[] {count, count});
            readyAt.remove(version);
        }

        void apply(Map<String, Integer> desired, Instant now) {
            settle(now);
            for (String version : List.copyOf(counts.keySet())) {
                if (!desired.containsKey(version)) {
                    counts.remove(version);
                    readyAt.remove(version);
                }
            }
            desired.forEach((version, want) -> {
                int[] c = counts.computeIfAbsent(version, v -> new int[] {0, 0});
                if (want <= c[0]) {
                    c[0] = want;
                    c[1] = want;
                    readyAt.remove(version);
                } else if (want != c[1]) {
                    c[1] = want;
                    readyAt.put(version, now.plus(delay));
                }
            });
        }

        private void settle(Instant now) {
            for (Map.Entry<String, Instant> e : List.copyOf(readyAt.entrySet())) {
                if (!e.getValue().isAfter(now)) {
                    int[] c = counts.get(e.getKey());
                    if (c != null) {
                        c[0] = c[1];
                    }
                    readyAt.remove(e.getKey());
                }
            }
        }

        List<WorkloadReadiness> readiness(Instant now) {
            settle(now);
            List<WorkloadReadiness> out = new ArrayList<>();
            counts.forEach((version, c) -> out.add(new WorkloadReadiness(version, c[1], c[0], c[0], now)));
            out.sort(java.util.Comparator.comparing(WorkloadReadiness::version));
            return out;
        }

        Instant nextReady(Instant now) {
            Instant next = null;
            for (Instant t : readyAt.values()) {
                if (t.isAfter(now) && (next == null || t.isBefore(next))) {
                    next = t;
                }
            }
            return next;
        }
    }
}
