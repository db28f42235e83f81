package dev.stepwise.reconcile;

import dev.stepwise.engine.EngineEvent;
import dev.stepwise.git.RolloutKey;
import dev.stepwise.spec.Finding;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One rollout as this process sees it, for the HTTP API and the demo's progress lines.
 *
 * @param status     the status file as last committed; null before the first commit
 * @param steps      the number of steps of the revision acted on (blue-green: its stages)
 * @param heldBecause why the rollout is not acted on at all; empty when it is
 * @param lastError  the last cycle's failure (cluster or provider trouble); empty when it succeeded
 */
public record RolloutView(String repository, RolloutKey key, StatusDocument status, String file, int steps,
                          List<EngineEvent> events, List<Finding> findings, String heldBecause, String lastError,
                          Instant lastReconciled) {

    /** The short form {@code /api/v1/rollouts} lists. */
    public Map<String, Object> summary() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("namespace", key.namespace());
        m.put("name", key.name());
        m.put("repository", repository);
        m.put("file", file);
        if (status != null) {
            m.put("phase", status.phase());
            status.summaryCluster().ifPresent(e -> {
                m.put("cluster", e.getKey());
                m.put("step", e.getValue().stepIndex());
                m.put("steps", steps);
                m.put("weight", e.getValue().canaryWeight());
                m.put("stableRevision", e.getValue().stableHash());
                m.put("canaryRevision", e.getValue().canaryHash());
                m.put("message", e.getValue().message());
            });
            m.put("source", status.source());
            if (!status.pending().isEmpty()) {
                m.put("pending", status.pending());
            }
        } else {
            m.put("phase", heldBecause.isEmpty() ? "Pending" : "Held");
        }
        if (!heldBecause.isEmpty()) {
            m.put("heldBecause", heldBecause);
        }
        if (!lastError.isEmpty()) {
            m.put("lastError", lastError);
        }
        m.put("findings", findings.size());
        if (lastReconciled != null) {
            m.put("lastReconciled", lastReconciled.toString());
        }
        return m;
    }

    /** The whole view {@code /api/v1/rollouts/{namespace}/{name}} answers: the summary, the status, the recent events. */
    public Map<String, Object> detail() {
        Map<String, Object> m = summary();
        if (status != null) {
            m.put("status", new org.snakeyaml.engine.v2.api.Load(org.snakeyaml.engine.v2.api.LoadSettings.builder().build())
                    .loadFromString(status.text()));
        }
        List<Map<String, Object>> f = new ArrayList<>();
        for (Finding x : findings) {
            Map<String, Object> fm = new LinkedHashMap<>();
            fm.put("severity", x.severity().name().toLowerCase(java.util.Locale.ROOT));
            fm.put("code", x.code());
            fm.put("location", x.location().toString());
            fm.put("message", x.message());
            f.add(fm);
        }
        m.put("findings", f);
        List<Map<String, Object>> ev = new ArrayList<>();
        for (EngineEvent e : events) {
            Map<String, Object> em = new LinkedHashMap<>();
            em.put("at", e.at().toString());
            em.put("reason", e.reason());
            em.put("step", e.step());
            em.put("weight", e.weight());
            em.put("phase", e.phase().label());
            em.put("message", e.message());
            if (!e.evidence().isEmpty()) {
                em.put("evidence", e.evidence());
            }
            ev.add(em);
        }
        m.put("events", ev);
        return m;
    }
}
