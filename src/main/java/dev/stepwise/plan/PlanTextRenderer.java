package dev.stepwise.plan;

import dev.stepwise.spec.model.ArgoDuration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Plans as text, like a compiler listing: a header per rollout, its settings, one numbered line per step with the
 * canary weight after it, the metrics of each analysis under it, background analyses, then the totals and what waits
 * for people. Durations are written as people write them ({@code 10m}, {@code 1h30m}).
 */
public final class PlanTextRenderer {

    private static final String METRIC_INDENT = "                ";

    private PlanTextRenderer() {
    }

    public static String render(List<RolloutPlan> plans) {
        List<String> blocks = new ArrayList<>();
        for (RolloutPlan p : plans) {
            blocks.add(render(p));
        }
        return String.join("\n", blocks);
    }

    public static String render(RolloutPlan p) {
        List<String> out = new ArrayList<>();
        boolean flagger = p.origin() == dev.stepwise.spec.model.Origin.FLAGGER_CANARY;
        out.add((flagger ? "Canary " : "Rollout ") + p.qualifiedName() + ": "
                + (flagger ? "Flagger " + p.mode() : p.strategy()) + ", from " + p.file());
        boolean first = true;
        for (Map.Entry<String, String> image : p.images().entrySet()) {
            out.add(setting(first ? "images" : "", image.getKey() + " " + image.getValue()));
            first = false;
        }
        out.add(setting("pod template", "hash " + p.podTemplateHash()));
        p.settings().forEach((k, v) -> out.add(setting(k, v)));
        out.add("");
        boolean canary = p.strategy().equals("canary");
        out.add(canary ? "  step  weight  action" : "  step  action");
        for (PlanStep s : p.steps()) {
            StringBuilder line = new StringBuilder(canary
                    ? String.format("  %4d  %6s  ", s.number(), weight(s.canaryWeight(), p.maxWeight()))
                    : String.format("  %4d  ", s.number()));
            line.append(s.description());
            if (s.irreversible()) {
                line.append("  [irreversible]");
            }
            if (!s.analyses().isEmpty() && s.leastDuration().isPresent() && !s.leastDuration().get().isZero()) {
                line.append("  (at least ").append(ArgoDuration.format(s.leastDuration().get())).append(')');
            }
            if (s.manualGate()) {
                line.append("  <- waits for a person");
            }
            out.add(line.toString());
            for (PlannedAnalysis a : s.analyses()) {
                metrics(a, out);
            }
        }
        for (BackgroundPlan bg : p.background()) {
            out.add("");
            out.add("  background analysis from step " + bg.fromStep() + ": " + bg.analysis().templateNames());
            metrics(bg.analysis(), out);
        }
        out.add("");
        out.add("  least total time  " + total(p));
        if (!p.manualGates().isEmpty()) {
            out.add("  + waits for a person at step" + (p.manualGates().size() == 1 ? " " : "s ") + numbers(p.manualGates()));
        }
        for (String note : p.notes()) {
            out.add("  note: " + note);
        }
        return String.join("\n", out) + "\n";
    }

    /** The diff of {@code stepwise plan --base}: {@code +} added, {@code -} removed, {@code ~} changed rollouts. */
    public static String render(PlanDiff diff) {
        if (diff.isEmpty()) {
            return "no rollout changes\n";
        }
        List<String> out = new ArrayList<>();
        for (PlanDiff.RolloutChange r : diff.rollouts()) {
            switch (r.kind()) {
                case ADDED:
                    out.add("+ " + r.qualifiedName() + " (new rollout)");
                    break;
                case REMOVED:
                    out.add("- " + r.qualifiedName() + " (removed)");
                    break;
                default:
                    out.add("~ " + r.qualifiedName());
                    r.changes().forEach(c -> out.add("    " + c.describe()));
            }
        }
        return String.join("\n", out) + "\n";
    }

    static String metricLine(PlannedMetric m) {
        StringBuilder s = new StringBuilder(m.name()).append(" [").append(m.provider()).append("] ");
        if (m.untilStopped()) {
            s.append("every ").append(m.interval().map(ArgoDuration::format).orElse("?")).append(" until stopped");
        } else if (m.measurements().orElse(0) == 1 && m.interval().isEmpty()) {
            s.append("once");
        } else {
            s.append("every ").append(m.interval().map(ArgoDuration::format).orElse("?")).append(" × ").append(m.count());
        }
        m.initialDelay().ifPresent(d -> s.append(" after ").append(ArgoDuration.format(d)));
        m.successCondition().ifPresent(c -> s.append("; success when ").append(c));
        m.failureCondition().ifPresent(c -> s.append("; failure when ").append(c));
        s.append("; failureLimit ").append(m.failureLimit());
        m.minSamples().ifPresent(n -> s.append("; minSamples ").append(n));
        if (m.dryRun()) {
            s.append("; dry run");
        }
        return s.toString();
    }

    private static void metrics(PlannedAnalysis a, List<String> out) {
        for (PlannedMetric m : a.metrics()) {
            out.add(METRIC_INDENT + metricLine(m));
        }
        for (String missing : a.missingTemplates()) {
            out.add(METRIC_INDENT + missing + ": template not found");
        }
    }

    private static String setting(String key, String value) {
        return String.format("  %-18s%s", key, value);
    }

    private static String weight(int weight, int max) {
        if (weight < 0) {
            return "";
        }
        return max == 100 ? weight + "%" : weight + "/" + max;
    }

    private static String total(RolloutPlan p) {
        String total = ArgoDuration.format(p.leastTotalTime());
        List<String> parts = new ArrayList<>();
        String waitWord = p.strategy().equals("canary") ? "pauses " : "waits ";
        if (!p.pauseTime().isZero()) {
            parts.add(waitWord + ArgoDuration.format(p.pauseTime()));
        }
        if (!p.analysisTime().isZero()) {
            parts.add("analyses " + ArgoDuration.format(p.analysisTime()));
        }
        return parts.size() < 2 ? total : total + " (" + String.join(" + ", parts) + ")";
    }

    private static String numbers(List<Integer> n) {
        if (n.size() == 1) {
            return String.valueOf(n.get(0));
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n.size(); i++) {
            s.append(i == 0 ? "" : i == n.size() - 1 ? " and " : ", ").append(n.get(i));
        }
        return s.toString();
    }
}
