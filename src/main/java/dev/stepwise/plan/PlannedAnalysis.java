package dev.stepwise.plan;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * An analysis run as planned: the templates it merges ({@code missingTemplates} those not found in the repository),
 * its metrics, and the least time it takes: the longest of its metrics, which run side by side. {@code endless} when a
 * metric measures until stopped: a step analysis like that never completes on its own (it can only fail), a background
 * analysis simply runs until the rollout ends. {@code unknownLength} when some metric's count is an unresolved placeholder.
 */
public record PlannedAnalysis(List<String> templates, List<String> missingTemplates, List<PlannedMetric> metrics,
                              Optional<Duration> leastDuration, boolean endless, boolean unknownLength) {

    public PlannedAnalysis {
        templates = List.copyOf(templates);
        missingTemplates = List.copyOf(missingTemplates);
        metrics = List.copyOf(metrics);
    }

    public String templateNames() {
        return String.join(", ", templates);
    }
}
