package dev.stepwise.engine.analysis;

import java.util.List;
import java.util.Map;

/**
 * The metrics of one analysis run, merged from its templates and resolved with its arguments. {@code problem} is
 * non-empty when the run cannot start at all (a template that does not exist): it is in Error at once.
 *
 * @param flaggerThreshold for runs built from a Flagger Canary: Flagger's {@code threshold}, the number of failed
 *                         checks (across all its metrics) that rolls the canary back; 0 for Argo analyses
 */
public record ResolvedRun(String templates, List<ResolvedMetric> metrics, Map<String, String> args, String problem,
                          int flaggerThreshold) {

    public ResolvedRun {
        metrics = List.copyOf(metrics);
        problem = problem == null ? "" : problem;
    }

    public ResolvedMetric metric(String name) {
        for (ResolvedMetric m : metrics) {
            if (m.name().equals(name)) {
                return m;
            }
        }
        return null;
    }
}
