package dev.stepwise.engine;

import java.time.Instant;
import java.util.List;

/**
 * Something the engine decided or saw, with why: ready for a status commit and for people. {@code reason} is a
 * stable CamelCase word ({@link Reasons}); {@code evidence} lists what the decision rests on (which measurement,
 * which limit, who decided).
 *
 * @param step   the step index the rollout was at after the event (blue-green: its stage)
 * @param weight the canary weight after the event
 */
public record EngineEvent(Instant at, String reason, int step, int weight, Phase phase, String message,
                          List<String> evidence) {

    public EngineEvent {
        message = message == null ? "" : message;
        evidence = List.copyOf(evidence);
    }

    /** {@code 2024-05-01T10:00:00Z StepCompleted step 2 weight 5 Progressing: …}. */
    @Override
    public String toString() {
        return at + " " + reason + " step " + step + " weight " + weight + " " + phase.label() + ": " + message
                + (evidence.isEmpty() ? "" : " " + evidence);
    }
}
