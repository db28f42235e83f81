package dev.stepwise.reconcile;

import dev.stepwise.cluster.WaveStatus;
import dev.stepwise.engine.RolloutStatus;
import dev.stepwise.engine.StatusCodec;
import dev.stepwise.git.RolloutKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;

/**
 * One rollout's status file, {@code status/<namespace>/<name>.yaml} on the status branch: a summary people read at the
 * top (phase, step, weight, revisions, the source commit acted on, analysis verdicts with values and sample counts,
 * gate decisions with who made them, findings), and below it the engine's exact state per cluster, which is what a
 * restarted process continues from.
 *
 * <p>The text is a function of the value alone (no clock inside), so writing an unchanged status yields the same bytes
 * and no commit.
 *
 * @param source       the spec revision acted on ({@code main@sha1:…}): the last revision that passed validation
 * @param stableSource the commit the stable version's spec came from (what a revert goes back to); empty before known
 * @param pending      a newer revision that is not acted on because it failed validation or policy; empty when none
 * @param findings     why {@code pending} is refused, and refused gate decisions
 * @param gates        gate decisions applied, newest last, with who made them
 * @param clusters     the engine's state per cluster name
 * @param waves        per-cluster progress of a multi-cluster rollout; empty for one cluster
 * @param updated      when the status last changed
 */
public record StatusDocument(RolloutKey rollout, String source, String stableSource, String pending,
                             List<Map<String, Object>> findings, List<Map<String, Object>> gates,
                             Map<String, RolloutStatus> clusters, Optional<WaveStatus> waves, Instant updated) {

    /** Gate decisions a status file keeps. */
    public static final int MAX_GATES = 20;

    private static final String HEADER = "# Written by Stepwise: the state of one rollout. People read the summary; the\n"
            + "# 'clusters' part is what a restarted Stepwise continues from. Do not edit by hand.\n";

    public StatusDocument {
        Objects.requireNonNull(rollout, "rollout");
        source = source == null ? "" : source;
        stableSource = stableSource == null ? "" : stableSource;
        pending = pending == null ? "" : pending;
        findings = List.copyOf(findings);
        gates = gates.size() > MAX_GATES ? List.copyOf(gates.subList(gates.size() - MAX_GATES, gates.size())) : List.copyOf(gates);
        clusters = Collections.unmodifiableMap(new LinkedHashMap<>(clusters));
        waves = waves == null ? Optional.empty() : waves;
    }

    /** The cluster whose state the summary shows: the first still moving, else the first. */
    public Optional<Map.Entry<String, RolloutStatus>> summaryCluster() {
        for (Map.Entry<String, RolloutStatus> e : clusters.entrySet()) {
            if (e.getValue().inFlight()) {
                return Optional.of(e);
            }
        }
        return clusters.entrySet().stream().findFirst();
    }

    /** Healthy, Progressing, Paused, Degraded (aborted counts as Degraded, as in Argo Rollouts), or Invalid. */
    public String phase() {
        if (waves.isPresent() && !waves.get().phase().equals("Healthy")) {
            return summaryCluster().map(e -> label(e.getValue())).filter(p -> !p.equals("Healthy")).orElse(waves.get().phase());
        }
        return summaryCluster().map(e -> label(e.getValue())).orElse(source.isEmpty() && !findings.isEmpty() ? "Invalid" : "Pending");
    }

    private static String label(RolloutStatus s) {
        return s.aborted() ? "Degraded" : s.phase().label();
    }

    public String text() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rollout", rollout.toString());
        m.put("phase", phase());
        summaryCluster().ifPresent(e -> {
            RolloutStatus s = e.getValue();
            m.put("step", s.stepIndex());
            m.put("weight", s.canaryWeight());
            m.put("stableRevision", s.stableHash());
            m.put("canaryRevision", s.canaryHash());
            if (!s.message().isEmpty()) {
                m.put("message", s.message());
            }
            if (s.aborted()) {
                m.put("abortReason", s.abortReason());
            }
            List<Map<String, Object>> analysis = analysisSummary(s);
            if (!analysis.isEmpty()) {
                m.put("analysis", analysis);
            }
        });
        m.put("source", source);
        if (!stableSource.isEmpty()) {
            m.put("stableSource", stableSource);
        }
        if (!pending.isEmpty()) {
            m.put("pending", pending);
        }
        if (!findings.isEmpty()) {
            m.put("findings", findings);
        }
        if (!gates.isEmpty()) {
            m.put("gates", gates);
        }
        waves.ifPresent(w -> m.put("waves", w.toYamlMap()));
        if (updated != null) {
            m.put("updated", updated.toString());
        }
        Map<String, Object> engine = new LinkedHashMap<>();
        clusters.forEach((name, status) -> engine.put(name, StatusCodec.encode(status)));
        m.put("clusters", engine);
        DumpSettings settings = DumpSettings.builder().setDefaultFlowStyle(FlowStyle.BLOCK).setWidth(120)
                .setSplitLines(false).build();
        return HEADER + new Dump(settings).dumpToString(m);
    }

    /** The latest measurement of every metric of the runs of the current attempt, for people. */
    static List<Map<String, Object>> analysisSummary(RolloutStatus s) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (var run : s.runs()) {
            for (var metric : run.metrics()) {
                if (metric.measured() == 0) {
                    continue;
                }
                Map<String, Object> a = new LinkedHashMap<>();
                a.put("run", run.id());
                a.put("metric", metric.name());
                a.put("phase", metric.phase().label());
                var last = metric.measurements().isEmpty() ? null : metric.measurements().get(metric.measurements().size() - 1);
                if (last != null) {
                    a.put("value", last.value());
                    if (last.samples() >= 0) {
                        a.put("samples", last.samples());
                    }
                    a.put("at", last.at().toString());
                }
                a.put("measurements", metric.measured());
                a.put("failed", metric.failed());
                out.add(a);
            }
        }
        return out;
    }

    /** Reads a status file back. Throws {@link IllegalArgumentException} naming what is wrong. */
    @SuppressWarnings("unchecked")
    public static StatusDocument parse(RolloutKey key, String text) {
        Object root;
        try {
            root = new Load(LoadSettings.builder().setAllowDuplicateKeys(false).setMaxAliasesForCollections(10)
                    .setCodePointLimit(64 * 1024 * 1024).build()).loadFromString(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the status file is not YAML: " + firstLine(e.getMessage()));
        }
        if (!(root instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("the status file is not a mapping");
        }
        Object clustersNode = m.get("clusters");
        Map<String, RolloutStatus> clusters = new LinkedHashMap<>();
        if (clustersNode instanceof Map<?, ?> cm) {
            for (Map.Entry<?, ?> e : cm.entrySet()) {
                if (!(e.getValue() instanceof Map<?, ?> sm)) {
                    throw new IllegalArgumentException("/clusters/" + e.getKey() + " is not a mapping");
                }
                try {
                    clusters.put(String.valueOf(e.getKey()), StatusCodec.decode((Map<String, Object>) sm));
                } catch (RuntimeException ex) {
                    throw new IllegalArgumentException("/clusters/" + e.getKey() + ": " + ex.getMessage());
                }
            }
        } else if (clustersNode != null) {
            throw new IllegalArgumentException("/clusters is not a mapping");
        }
        Instant updated = null;
        if (m.get("updated") != null) {
            try {
                updated = Instant.parse(String.valueOf(m.get("updated")));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("/updated is not a time: " + m.get("updated"));
            }
        }
        return new StatusDocument(key, string(m.get("source")), string(m.get("stableSource")), string(m.get("pending")),
                listOfMaps(m.get("findings")), listOfMaps(m.get("gates")), clusters, Optional.empty(), updated);
    }

    private static String string(Object o) {
        return o == null ? "" : String.valueOf(o);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> listOfMaps(Object o) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (o instanceof List<?> l) {
            for (Object x : l) {
                if (x instanceof Map<?, ?> xm) {
                    out.add((Map<String, Object>) xm);
                }
            }
        }
        return out;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
