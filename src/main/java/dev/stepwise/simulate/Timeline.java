package dev.stepwise.simulate;

import dev.stepwise.engine.GateAction;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What the world does during a simulated rollout: what each metric's provider returns from when on, when people
 * decide, and how long pods take to become available. Times are offsets from the simulation's start.
 *
 * @param metrics        metric name → points in time order; a point holds from its {@code at} until the next one
 * @param readinessDelay how long new pods take to become available
 * @param until          how long the simulation may last at most
 */
public record Timeline(Map<String, List<Point>> metrics, List<TimedGate> gates, Duration readinessDelay, Duration until) {

    public static final Duration DEFAULT_READINESS_DELAY = Duration.ofSeconds(20);
    public static final Duration DEFAULT_UNTIL = Duration.ofHours(24);

    public Timeline {
        Map<String, List<Point>> copy = new LinkedHashMap<>();
        metrics.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        metrics = Collections.unmodifiableMap(copy);
        gates = List.copyOf(gates);
    }

    /**
     * From {@code at} on, the provider returns {@code value} (resting on {@code samples} samples), or fails with
     * {@code error}, or (for providers that conclude, like a Job) reports {@code succeeded}.
     */
    public record Point(Duration at, Object value, OptionalLong samples, Optional<String> error, Optional<Boolean> succeeded) {
    }

    /** A person's decision at {@code at}. */
    public record TimedGate(Duration at, GateAction action, String by, OptionalInt step) {
    }

    /** The point in force at {@code elapsed} for {@code metric}, if any. */
    public Optional<Point> pointAt(String metric, Duration elapsed) {
        List<Point> points = metrics.get(metric);
        if (points == null) {
            return Optional.empty();
        }
        Point found = null;
        for (Point p : points) {
            if (p.at().compareTo(elapsed) <= 0) {
                found = p;
            }
        }
        return Optional.ofNullable(found);
    }
}
