package dev.stepwise.demo;

import dev.stepwise.reconcile.RepositoryReconciler;
import dev.stepwise.reconcile.RolloutView;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's live progress: one line per rollout (step, weight, last verdict). On a terminal the lines are redrawn in
 * place with a progress bar; otherwise a line is printed whenever a rollout's line changes.
 */
final class Progress {

    private final PrintWriter out;
    private final boolean live;
    private final Map<String, String> last = new LinkedHashMap<>();
    private int drawn;

    Progress(PrintWriter out, boolean live) {
        this.out = out;
        this.live = live;
    }

    /** A story event, printed above the live lines. */
    void say(Instant now, String what) {
        clear();
        out.println(clock(now) + "  » " + what);
        out.flush();
    }

    void show(Instant now, List<RolloutView> views, RepositoryReconciler.CycleReport report) {
        List<String> lines = new ArrayList<>();
        for (RolloutView v : views) {
            String line = line(v);
            if (live) {
                lines.add(line);
            } else if (!line.equals(last.get(v.key().toString()))) {
                out.println(clock(now) + "  " + line);
            }
            last.put(v.key().toString(), line);
        }
        if (live) {
            clear();
            for (String l : lines) {
                out.println(clock(now) + "  " + l);
            }
            drawn = lines.size();
        }
        for (String p : report.problems()) {
            out.println(clock(now) + "  ! " + p);
            drawn = 0;
        }
        out.flush();
    }

    void done() {
        drawn = 0;
        out.flush();
    }

    private void clear() {
        if (live && drawn > 0) {
            out.print("\u001b[" + drawn + "F\u001b[J");
            drawn = 0;
        }
    }

    private String line(RolloutView v) {
        Map<String, Object> s = v.summary();
        String name = String.format("%-14s", v.key().name());
        String phase = String.format("%-11s", s.getOrDefault("phase", ""));
        if (v.status() == null || v.status().summaryCluster().isEmpty()) {
            return name + " " + phase;
        }
        var st = v.status().summaryCluster().get().getValue();
        int weight = st.canaryWeight();
        boolean settled = !st.inFlight() && !st.aborted();
        String bar = live ? " " + bar(settled ? 100 : weight) : "";
        String verdict = v.status().summaryCluster().map(e -> lastVerdict(e.getValue())).orElse("");
        Object steps = s.getOrDefault("steps", "?");
        String step = settled ? "done" : Math.min(st.stepIndex() + 1, steps instanceof Integer n ? n : 99) + "/" + steps;
        return name + " " + phase + bar + String.format(" step %-5s weight %3d%%", step, settled ? 100 : weight)
                + (verdict.isEmpty() ? "" : "  " + verdict);
    }

    private static String lastVerdict(dev.stepwise.engine.RolloutStatus s) {
        String out = "";
        Instant latest = Instant.MIN;
        for (var run : s.runs()) {
            for (var m : run.metrics()) {
                if (!m.measurements().isEmpty()) {
                    var last = m.measurements().get(m.measurements().size() - 1);
                    if (last.at().isAfter(latest)) {
                        latest = last.at();
                        out = m.name() + " " + last.value() + " " + last.verdict().label();
                    }
                }
            }
        }
        return out;
    }

    private static String bar(int percent) {
        int filled = Math.max(0, Math.min(20, percent / 5));
        return "[" + "#".repeat(filled) + ".".repeat(20 - filled) + "]";
    }

    private static String clock(Instant now) {
        Duration d = Duration.between(Demo.START, now);
        return String.format("+%02d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
    }
}
