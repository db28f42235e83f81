package dev.stepwise.engine;

import dev.stepwise.spec.model.MetricSpec;
import java.time.Instant;
import java.util.Map;

/**
 * A measurement the reconciler should take at {@code due} (or as soon as it can after): ask the metric's provider,
 * substituting {@code args} into its query, and hand the result back as a
 * {@link dev.stepwise.engine.analysis.Measurement} for {@code runId} and {@code metric}.
 */
public record MeasurementDue(String runId, String metric, Instant due, MetricSpec spec, Map<String, String> args,
                             boolean dryRun) {
}
