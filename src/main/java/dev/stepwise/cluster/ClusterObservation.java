package dev.stepwise.cluster;

import dev.stepwise.engine.GateDecision;
import dev.stepwise.engine.Observations;
import dev.stepwise.engine.TrafficReading;
import dev.stepwise.engine.WorkloadReadiness;
import dev.stepwise.engine.analysis.Measurement;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the cluster reports for one rollout: readiness per version, the progress facts behind it (a version whose pods
 * are not all available since when), and findings such as hand edits.
 *
 * @param notReadySince per version not fully available: the oldest moment Stepwise saw it so (progress deadline facts)
 * @param traffic       what the traffic routers were last read back at: not reported without a router, a weight, or
 *                      unreadable (an object missing, routers or routes that disagree)
 */
public record ClusterObservation(Map<String, WorkloadReadiness> workloads, Map<String, Instant> notReadySince,
                                 List<ClusterFinding> findings, TrafficReading traffic) {
    public ClusterObservation {
        workloads = Collections.unmodifiableMap(new LinkedHashMap<>(workloads));
        notReadySince = Collections.unmodifiableMap(new LinkedHashMap<>(notReadySince));
        findings = List.copyOf(findings);
        traffic = traffic == null ? TrafficReading.NOT_REPORTED : traffic;
    }

    public ClusterObservation(Map<String, WorkloadReadiness> workloads, Map<String, Instant> notReadySince,
                              List<ClusterFinding> findings) {
        this(workloads, notReadySince, findings, TrafficReading.NOT_REPORTED);
    }

    public int available(String version) {
        return Optional.ofNullable(workloads.get(version)).map(WorkloadReadiness::available).orElse(0);
    }

    /**
     * The engine's observations: this readiness and traffic read-back plus what the reconciler measured and was told.
     */
    public Observations toObservations(List<Measurement> measurements, List<GateDecision> gates, String specRevision) {
        return new Observations(workloads, measurements, gates, specRevision, traffic);
    }
}
