package dev.stepwise.cluster;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-cluster progress of a multi-cluster rollout, a plain value written next to the engine's status in Git
 * ({@link #toYamlMap} gives plain maps and lists, ready for a YAML writer).
 */
public record WaveStatus(int currentWave, String phase, List<ClusterProgress> clusters) {

    public WaveStatus {
        clusters = List.copyOf(clusters);
    }

    /** One cluster: its wave, its state (Pending, Progressing, Paused, Healthy, Degraded, Skipped), step, message. */
    public record ClusterProgress(String cluster, int wave, String state, int step, String message) {
    }

    public Map<String, Object> toYamlMap() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("currentWave", currentWave);
        out.put("phase", phase);
        out.put("clusters", clusters.stream().map(c -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", c.cluster());
            m.put("wave", c.wave());
            m.put("state", c.state());
            m.put("step", c.step());
            if (!c.message().isEmpty()) {
                m.put("message", c.message());
            }
            return m;
        }).toList());
        return out;
    }
}
