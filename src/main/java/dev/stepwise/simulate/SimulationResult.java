package dev.stepwise.simulate;

import dev.stepwise.engine.Phase;
import dev.stepwise.engine.RolloutStatus;
import java.time.Duration;
import java.util.List;

/**
 * How a simulated rollout ended.
 *
 * @param completedSteps canary steps passed (blue-green: stages passed, of 4)
 * @param totalSteps     canary steps (blue-green: 4)
 * @param elapsed        virtual time from the start to the last decision
 * @param decisions      how many times the engine was asked
 * @param stopReason     why the simulation stopped (done, waiting for a person, out of time)
 * @param status         the engine's last status
 */
public record SimulationResult(String rollout, String strategy, String fromVersion, String toVersion, Phase phase,
                               boolean aborted, int completedSteps, int totalSteps, Duration elapsed, int decisions,
                               String stopReason, List<SimEvent> events, RolloutStatus status) {

    public SimulationResult {
        events = List.copyOf(events);
    }
}
