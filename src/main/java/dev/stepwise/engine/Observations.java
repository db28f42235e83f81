package dev.stepwise.engine;

import dev.stepwise.engine.analysis.Measurement;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the reconciler saw since it last asked: readiness per version (pod-template hash), measurements taken
 * for the runs the engine asked about, gate decisions, and the spec revision (a Git commit, say) the spec was read at.
 * Handing the engine the same observations twice is harmless: measurements and gate decisions count once.
 *
 * @param traffic     what the traffic routers were read back at ({@link TrafficReading}): not reported (no router, a
 *                    simulation, a unit test: the engine trusts the weight it asked for), a weight served, or a router
 *                    that cannot be read (no weight counts as served)
 */
public record Observations(Map<String, WorkloadReadiness> workloads, List<Measurement> measurements,
                           List<GateDecision> gates, String specRevision, TrafficReading traffic) {

    public static final Observations NONE = new Observations(Map.of(), List.of(), List.of(), "");

    public Observations {
        workloads = Collections.unmodifiableMap(new LinkedHashMap<>(workloads));
        measurements = List.copyOf(measurements);
        gates = List.copyOf(gates);
        specRevision = specRevision == null ? "" : specRevision;
        traffic = traffic == null ? TrafficReading.NOT_REPORTED : traffic;
    }

    /** Observations without a traffic read-back. */
    public Observations(Map<String, WorkloadReadiness> workloads, List<Measurement> measurements,
                        List<GateDecision> gates, String specRevision) {
        this(workloads, measurements, gates, specRevision, TrafficReading.NOT_REPORTED);
    }

    /** The same observations with the canary weight the router was read back at. */
    public Observations withTrafficWeight(int weight) {
        return new Observations(workloads, measurements, gates, specRevision, new TrafficReading.Served(weight));
    }

    /** Available pods of {@code version}; 0 when the cluster reported nothing for it. */
    public int available(String version) {
        WorkloadReadiness r = version == null ? null : workloads.get(version);
        return r == null ? 0 : r.available();
    }

    public static Observations of(List<WorkloadReadiness> workloads, List<Measurement> measurements,
                                  List<GateDecision> gates, String specRevision) {
        Map<String, WorkloadReadiness> byVersion = new LinkedHashMap<>();
        for (WorkloadReadiness w : workloads) {
            byVersion.put(w.version(), w);
        }
        return new Observations(byVersion, measurements, gates, specRevision);
    }
}
