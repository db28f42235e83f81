package dev.stepwise.engine;

import dev.stepwise.engine.analysis.Measurement;
import dev.stepwise.simulate.Simulator;
import dev.stepwise.spec.model.AnalysisTemplateSpec;
import dev.stepwise.spec.model.RolloutSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives one rollout through the engine by hand in tests: set what the cluster reports, add measurements and gate
 * decisions, move the clock, decide. Every decision is also replayed from its status written and read back
 * ({@link StatusCodec}), and must come out the same.
 */
public final class Drive {
    public static final Instant T0 = Instant.parse("2025-03-01T09:00:00Z");

    final RolloutEngine engine = new RolloutEngine();
    final RolloutEngine fresh = new RolloutEngine();
    RolloutSpec spec;
    final Map<String, AnalysisTemplateSpec> templates;
    RolloutStatus status;
    Instant now = T0;
    Decision last;
    final String previous;
    final Map<String, Integer> available = new LinkedHashMap<>();
    final List<Measurement> measurements = new ArrayList<>();
    final List<GateDecision> gates = new ArrayList<>();
    final List<Decision> history = new ArrayList<>();
    private int gateIds;
    /** The canary weight the router reports; empty (the default) reports nothing. */
    private TrafficReading routerWeight = TrafficReading.NOT_REPORTED;

    private Drive(RolloutSpec spec, Map<String, AnalysisTemplateSpec> templates) {
        this.spec = spec;
        this.templates = templates;
        this.previous = Simulator.previousVersion(spec);
        this.status = RolloutStatus.stable(previous, spec.replicas(), RolloutEngine.doneIndex(spec), T0.minusSeconds(3600));
        available.put(previous, spec.replicas());
    }

    static Drive start(RolloutSpec spec, Map<String, AnalysisTemplateSpec> templates) {
        return new Drive(spec, templates);
    }

    public String canary() {
        return spec.podTemplateHash();
    }

    public Decision decide() {
        Observations obs = new Observations(readiness(), measurements, gates, "rev-1", routerWeight);
        Decision d = engine.decide(spec, templates, status, obs, now);
        // replay: the same inputs give the same decision, and so does the status after a trip through the codec
        Decision again = engine.decide(spec, templates, status, obs, now);
        if (!again.equals(d)) {
            throw new AssertionError("the same inputs gave two decisions:\n" + d + "\n" + again);
        }
        RolloutStatus read = StatusCodec.decode(StatusCodec.encode(status));
        Decision viaCodec = fresh.decide(spec, templates, read, obs, now);
        if (!viaCodec.equals(d)) {
            throw new AssertionError("the status read back decided differently:\n" + d + "\n" + viaCodec);
        }
        last = d;
        history.add(d);
        status = d.status();
        measurements.clear();
        return d;
    }

    private Map<String, WorkloadReadiness> readiness() {
        Map<String, WorkloadReadiness> out = new LinkedHashMap<>();
        available.forEach((v, n) -> out.put(v, new WorkloadReadiness(v, n, n, n, now)));
        return out;
    }

    /** The router reads back {@code weight} from now on (as the cluster reports after each apply). */
    public Drive routerServes(int weight) {
        routerWeight = new TrafficReading.Served(weight);
        return this;
    }

    /** The router has a weight to serve but cannot be read (its object is missing). */
    public Drive routerUnreadable() {
        routerWeight = new TrafficReading.Unreadable("istio reads nothing");
        return this;
    }

    /** Moves the clock. */
    public Drive after(Duration d) {
        now = now.plus(d);
        return this;
    }

    public Drive at(Instant t) {
        now = t;
        return this;
    }

    /** Moves the clock to when the last decision asked to be called again. */
    public Drive atRequeue() {
        now = last.requeueAt().orElseThrow(() -> new AssertionError("the last decision asked for no requeue"));
        return this;
    }

    /** The cluster reports every pod of the last decision available. */
    public Drive podsReady() {
        available.clear();
        available.putAll(last.desired().replicas());
        return this;
    }

    public Drive pods(String version, int count) {
        available.put(version, count);
        return this;
    }

    /** Takes every due measurement of {@code metric} now, with {@code value}. */
    public Drive measure(String metric, Object value) {
        return measure(metric, value, -1);
    }

    public Drive measure(String metric, Object value, long samples) {
        for (MeasurementDue due : last.measurementsDue()) {
            if (due.metric().equals(metric) && !due.due().isAfter(now)) {
                measurements.add(samples < 0 ? Measurement.of(due.runId(), metric, value, now)
                        : Measurement.of(due.runId(), metric, value, samples, now));
            }
        }
        return this;
    }

    public Drive measureError(String metric, String error) {
        for (MeasurementDue due : last.measurementsDue()) {
            if (due.metric().equals(metric) && !due.due().isAfter(now)) {
                measurements.add(Measurement.error(due.runId(), metric, error, now));
            }
        }
        return this;
    }

    public Drive add(Measurement m) {
        measurements.add(m);
        return this;
    }

    public Drive gate(GateAction action, String by) {
        gates.add(GateDecision.of("g" + (++gateIds), action, by, now));
        return this;
    }

    public Drive skipTo(int step, String by) {
        gates.add(GateDecision.skipTo("g" + (++gateIds), step, by, now));
        return this;
    }

    /** Decides again and again (pods ready, every due measurement good) until the rollout stops moving on its own. */
    public Decision runUntilSettled(String metric, Object goodValue, int maxDecisions) {
        for (int i = 0; i < maxDecisions; i++) {
            decide();
            if (!status.inFlight() || status.phase() == Phase.PAUSED || status.aborted()) {
                return last;
            }
            podsReady();
            Instant next = last.requeueAt().orElse(now.plusSeconds(20));
            now = next.isAfter(now) ? next : now;
            if (metric != null) {
                measure(metric, goodValue, 1000);
            }
        }
        return last;
    }

    public List<EngineEvent> events(String reason) {
        List<EngineEvent> out = new ArrayList<>();
        for (Decision d : history) {
            for (EngineEvent e : d.events()) {
                if (e.reason().equals(reason)) {
                    out.add(e);
                }
            }
        }
        return out;
    }
}
