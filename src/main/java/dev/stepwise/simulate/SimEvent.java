package dev.stepwise.simulate;

import java.time.Duration;

/**
 * One line of a simulated rollout's timeline: {@code at} from the start, the engine's reason (or {@code Phase} for
 * a phase change), the step and weight after it, the phase, and what happened.
 */
public record SimEvent(Duration at, String type, int step, int weight, String phase, String detail) {
}
