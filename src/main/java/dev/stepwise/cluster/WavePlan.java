package dev.stepwise.cluster;

import dev.stepwise.engine.GateAction;
import dev.stepwise.engine.GateDecision;
import dev.stepwise.engine.Phase;
import dev.stepwise.engine.RolloutStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Pure: where a multi-cluster rollout stands, from its waves and one engine status per cluster. A wave is done when
 * every cluster in it is Healthy on the spec's version; the first wave not done is the current one; a cluster of it
 * that is Degraded (aborted, out of time) fails the wave: the other clusters of that wave are aborted too and the
 * later waves never start.
 *
 * @param currentWave index of the wave being rolled out; {@code waves.size()} when all are done
 * @param active      clusters to decide for now (the current wave)
 * @param toAbort     clusters of a failed wave that are not aborted yet
 * @param phase       Progressing, Healthy (all waves done) or Degraded (a wave failed)
 */
public record WavePlan(int currentWave, List<String> active, List<String> toAbort, Phase phase,
                       List<WaveStatus.ClusterProgress> clusters) {

    public static WavePlan of(List<List<String>> waves, String version, Map<String, RolloutStatus> statuses) {
        List<WaveStatus.ClusterProgress> progress = new ArrayList<>();
        int current = waves.size();
        boolean failed = false;
        List<String> active = List.of();
        List<String> toAbort = new ArrayList<>();
        for (int w = 0; w < waves.size(); w++) {
            boolean done = true;
            for (String cluster : waves.get(w)) {
                RolloutStatus s = statuses.get(cluster);
                boolean healthy = s != null && s.phase() == Phase.HEALTHY && version.equals(s.stableHash()) && !s.aborted();
                boolean degraded = s != null && (s.phase() == Phase.DEGRADED || s.aborted()) && version.equals(s.canaryHash());
                done &= healthy;
                failed |= degraded && current == waves.size();
            }
            if (!done && current == waves.size()) {
                current = w;
                active = waves.get(w);
            }
        }
        if (failed) {
            for (String cluster : active) {
                RolloutStatus s = statuses.get(cluster);
                if (s == null || !s.aborted()) {
                    toAbort.add(cluster);
                }
            }
        }
        for (int w = 0; w < waves.size(); w++) {
            for (String cluster : waves.get(w)) {
                RolloutStatus s = statuses.get(cluster);
                String state = w < current ? "Healthy"
                        : w == current ? (s == null ? "Progressing" : s.phase().label())
                        : failed ? "Skipped" : "Pending";
                progress.add(new WaveStatus.ClusterProgress(cluster, w, state, s == null || w > current ? 0 : s.stepIndex(),
                        s == null || w > current ? "" : s.message()));
            }
        }
        Phase phase = failed ? Phase.DEGRADED : current == waves.size() ? Phase.HEALTHY : Phase.PROGRESSING;
        return new WavePlan(current, failed ? List.copyOf(active) : active, List.copyOf(toAbort), phase, progress);
    }

    public WaveStatus status() {
        return new WaveStatus(currentWave, phase.label(), clusters);
    }

    /** Clusters per name → state, for quick checks. */
    public Map<String, String> states() {
        Map<String, String> out = new LinkedHashMap<>();
        clusters.forEach(c -> out.put(c.cluster(), c.state()));
        return out;
    }

    /**
     * The abort a failed wave sends to {@code cluster} when it is one of {@link #toAbort}: one id per wave and version,
     * so it applies once however often the wave is looked at.
     */
    public Optional<GateDecision> abortGate(String cluster, String version, Instant now) {
        if (!toAbort.contains(cluster)) {
            return Optional.empty();
        }
        return Optional.of(GateDecision.of("wave-abort-" + currentWave + "-" + version, GateAction.ABORT,
                "wave " + currentWave + " failed", now));
    }
}
