package dev.stepwise.plan;

import dev.stepwise.spec.model.ArgoDuration;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Plans as JSON for tools (CI annotations, dashboards). Field names are stable: new fields may be added, existing
 * ones keep their name and meaning. Durations are ISO-8601 ({@code PT9M30S}), with a {@code …Text} twin in the form
 * people write ({@code 9m30s}) where a person is likely to read it. Absent values are {@code null}, never left out,
 * so consumers can rely on every field being there.
 */
public final class PlanJsonRenderer {

    private static final JsonMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private PlanJsonRenderer() {
    }

    public static String render(List<RolloutPlan> plans) {
        ObjectNode root = MAPPER.createObjectNode();
        ArrayNode rollouts = root.putArray("rollouts");
        plans.forEach(p -> rollouts.add(plan(p)));
        return MAPPER.writeValueAsString(root);
    }

    public static String render(RolloutPlan plan) {
        return MAPPER.writeValueAsString(plan(plan));
    }

    public static String render(PlanDiff diff) {
        ObjectNode root = MAPPER.createObjectNode();
        ArrayNode rollouts = root.putArray("rollouts");
        for (PlanDiff.RolloutChange r : diff.rollouts()) {
            ObjectNode o = rollouts.addObject();
            o.put("namespace", r.namespace());
            o.put("name", r.name());
            o.put("change", r.kind().name().toLowerCase(java.util.Locale.ROOT));
            ArrayNode changes = o.putArray("changes");
            for (PlanDiff.Change c : r.changes()) {
                ObjectNode ch = changes.addObject();
                ch.put("area", c.area());
                ch.put("subject", c.subject());
                ch.put("before", c.before().orElse(null));
                ch.put("after", c.after().orElse(null));
                ch.put("text", c.describe());
            }
        }
        return MAPPER.writeValueAsString(root);
    }

    static ObjectNode plan(RolloutPlan p) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("namespace", p.namespace());
        o.put("name", p.name());
        o.put("origin", p.origin() == dev.stepwise.spec.model.Origin.ARGO_ROLLOUT ? "argo-rollout" : "flagger-canary");
        o.put("file", p.file());
        o.put("strategy", p.strategy());
        o.put("mode", p.mode().isEmpty() ? null : p.mode());
        ObjectNode images = o.putObject("images");
        p.images().forEach(images::put);
        o.put("podTemplateHash", p.podTemplateHash());
        ObjectNode settings = o.putObject("settings");
        p.settings().forEach((label, value) -> settings.put(key(label), value));
        o.put("maxWeight", p.maxWeight());
        ArrayNode steps = o.putArray("steps");
        for (PlanStep s : p.steps()) {
            ObjectNode st = steps.addObject();
            st.put("number", s.number());
            st.put("kind", s.kind());
            st.put("description", s.description());
            if (s.canaryWeight() >= 0) {
                st.put("canaryWeight", s.canaryWeight());
            } else {
                st.putNull("canaryWeight");
            }
            duration(st, "leastDuration", s.leastDuration());
            st.put("manualGate", s.manualGate());
            st.put("irreversible", s.irreversible());
            ArrayNode analyses = st.putArray("analyses");
            s.analyses().forEach(a -> analyses.add(analysis(a)));
        }
        ArrayNode background = o.putArray("backgroundAnalyses");
        for (BackgroundPlan bg : p.background()) {
            ObjectNode b = analysis(bg.analysis());
            b.put("fromStep", bg.fromStep());
            background.add(b);
        }
        o.put("leastTotalTime", p.leastTotalTime().toString());
        o.put("leastTotalTimeText", ArgoDuration.format(p.leastTotalTime()));
        o.put("pauseTime", p.pauseTime().toString());
        o.put("analysisTime", p.analysisTime().toString());
        ArrayNode gates = o.putArray("manualGates");
        p.manualGates().forEach(gates::add);
        ArrayNode notes = o.putArray("notes");
        p.notes().forEach(notes::add);
        return o;
    }

    private static ObjectNode analysis(PlannedAnalysis a) {
        ObjectNode o = MAPPER.createObjectNode();
        ArrayNode templates = o.putArray("templates");
        a.templates().forEach(templates::add);
        ArrayNode missing = o.putArray("missingTemplates");
        a.missingTemplates().forEach(missing::add);
        duration(o, "leastDuration", a.leastDuration());
        o.put("endless", a.endless());
        ArrayNode metrics = o.putArray("metrics");
        for (PlannedMetric m : a.metrics()) {
            ObjectNode mo = metrics.addObject();
            mo.put("template", m.template());
            mo.put("name", m.name());
            mo.put("provider", m.provider());
            duration(mo, "interval", m.interval());
            if (m.measurements().isPresent()) {
                mo.put("count", m.measurements().get());
            } else {
                mo.putNull("count");
            }
            mo.put("countText", m.count());
            mo.put("untilStopped", m.untilStopped());
            duration(mo, "initialDelay", m.initialDelay());
            mo.put("successCondition", m.successCondition().orElse(null));
            mo.put("failureCondition", m.failureCondition().orElse(null));
            mo.put("failureLimit", m.failureLimit());
            mo.put("dryRun", m.dryRun());
            if (m.minSamples().isPresent()) {
                mo.put("minSamples", m.minSamples().get());
            } else {
                mo.putNull("minSamples");
            }
            duration(mo, "leastDuration", m.leastDuration());
        }
        return o;
    }

    /** {@code progress deadline} → {@code progressDeadline}: the text labels, as stable JSON field names. */
    static String key(String label) {
        StringBuilder out = new StringBuilder();
        boolean upper = false;
        for (char c : label.toCharArray()) {
            if (c == ' ') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }

    private static void duration(ObjectNode o, String field, Optional<Duration> d) {
        if (d.isPresent()) {
            o.put(field, d.get().toString());
        } else {
            o.putNull(field);
        }
    }
}
