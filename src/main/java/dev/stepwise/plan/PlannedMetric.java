package dev.stepwise.plan;

import java.time.Duration;
import java.util.Optional;

/**
 * One metric as a reviewer needs to see it, with argument placeholders resolved where the rollout or the template's
 * defaults give a value. {@code count} is the text as resolved ({@code 5}, or a placeholder nobody fills);
 * {@code measurements} the number when known; {@code untilStopped} when the metric has an interval and no count.
 * {@code leastDuration} is {@code initialDelay + (count - 1) × interval}: the first measurement is taken after the
 * initial delay, then one per interval; empty when the metric never finishes on its own or its count is unknown.
 */
public record PlannedMetric(String template, String name, String provider, Optional<Duration> interval, String count,
                            Optional<Integer> measurements, boolean untilStopped, Optional<Duration> initialDelay,
                            Optional<String> successCondition, Optional<String> failureCondition, String failureLimit,
                            boolean dryRun, Optional<Integer> minSamples, Optional<Duration> leastDuration) {
}
