package dev.stepwise.spec.model;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One analysis a rollout starts: the templates merged into one AnalysisRun, the arguments passed to it, and the
 * metrics run in dry-run mode ({@code dryRun[].metricName}, a regular expression in Argo). Used for analysis steps,
 * background analysis and blue-green pre/post-promotion analysis alike.
 */
public record RolloutAnalysis(List<TemplateRef> templates, List<Arg> args, List<String> dryRunMetrics, String pointer) {

    public RolloutAnalysis {
        templates = List.copyOf(templates);
        args = List.copyOf(args);
        dryRunMetrics = List.copyOf(dryRunMetrics);
    }

    public String templateNames() {
        return templates.stream().map(TemplateRef::toString).collect(Collectors.joining(", "));
    }

    /** True when {@code metric} runs in dry-run mode for this analysis (its result never fails the rollout). */
    public boolean isDryRun(String metric) {
        for (String pattern : dryRunMetrics) {
            try {
                if (pattern.equals(metric) || metric.matches(pattern)) {
                    return true;
                }
            } catch (java.util.regex.PatternSyntaxException e) {
                // an unreadable pattern matches only itself
            }
        }
        return false;
    }
}
