package dev.stepwise.engine;

import java.util.Optional;

/**
 * What a person (or a confirm webhook) decided: {@code promote} resolves the current pause, gate or inconclusive
 * analysis (and resumes a halted rollout); {@code promote-full} skips every remaining step and analysis;
 * {@code abort} sends everyone back to stable; {@code retry} restarts an aborted rollout from step 0; {@code skip}
 * jumps to a step (the next one when none is given).
 */
public enum GateAction {
    PROMOTE("promote"), PROMOTE_FULL("promote-full"), ABORT("abort"), RETRY("retry"), SKIP("skip");

    private final String value;

    GateAction(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    public static Optional<GateAction> of(String value) {
        for (GateAction a : values()) {
            if (a.value.equals(value)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
