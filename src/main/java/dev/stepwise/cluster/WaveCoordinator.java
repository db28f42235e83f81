package dev.stepwise.cluster;

import dev.stepwise.engine.Decision;
import dev.stepwise.engine.GateDecision;
import dev.stepwise.engine.RolloutEngine;
import dev.stepwise.engine.RolloutStatus;
import dev.stepwise.engine.analysis.Measurement;
import dev.stepwise.spec.model.AnalysisTemplateSpec;
import dev.stepwise.spec.model.RolloutSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a rollout's {@code spec.waves} over several clusters: each cluster of the current wave runs the whole
 * strategy with its own analysis and its own engine status; the next wave starts only once the current one is
 * Healthy; a failure in a wave aborts the rest of that wave and stops the later waves. Decisions come from
 * {@link WavePlan} (pure); this class only observes, decides and applies per cluster.
 */
public final class WaveCoordinator {
    private final Map<String, ClusterTarget> targets;
    private final RolloutEngine engine;

    public WaveCoordinator(Map<String, ClusterTarget> targets, RolloutEngine engine) {
        this.targets = Map.copyOf(targets);
        this.engine = engine;
    }

    /** The outcome of one pass: a status per cluster (only changed for clusters decided on) and the wave status. */
    public record Pass(Map<String, RolloutStatus> statuses, Map<String, Decision> decisions, WaveStatus waves) {
    }

    /**
     * @param measurements per cluster, the measurements taken for its analysis runs since the last pass
     */
    public Pass reconcile(RolloutSpec spec, Map<String, AnalysisTemplateSpec> templates, Map<String, RolloutStatus> statuses,
                          Map<String, List<Measurement>> measurements, String specRevision, String sourceCommit, Instant now) {
        WavePlan plan = WavePlan.of(spec.waves(), spec.podTemplateHash(), statuses);
        Map<String, RolloutStatus> next = new LinkedHashMap<>(statuses);
        Map<String, Decision> decisions = new LinkedHashMap<>();
        for (String cluster : plan.active()) {
            ClusterTarget target = targets.get(cluster);
            if (target == null) {
                continue; // a wave naming an unknown cluster: the validator reports it
            }
            List<GateDecision> gates = new ArrayList<>();
            plan.abortGate(cluster, spec.podTemplateHash(), now).ifPresent(gates::add);
            RolloutStatus status = statuses.getOrDefault(cluster, RolloutStatus.initial());
            // a Flagger Canary's version lives in each cluster's target Deployment (identity for other specs)
            RolloutSpec here = target.resolve(spec);
            ClusterObservation obs = target.observe(here, now);
            Decision d = engine.decide(here, templates, status,
                    obs.toObservations(measurements.getOrDefault(cluster, List.of()), gates, specRevision), now);
            target.apply(here, d.desired(), new ApplyContext(specRevision, sourceCommit, d.scaleDowns(), now));
            next.put(cluster, d.status());
            decisions.put(cluster, d);
        }
        return new Pass(next, decisions, WavePlan.of(spec.waves(), spec.podTemplateHash(), next).status());
    }
}
