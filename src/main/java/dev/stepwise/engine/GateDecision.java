package dev.stepwise.engine;

import java.time.Instant;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A decision a person made about a rollout (a promotion commit, a CLI command, a confirm webhook's answer). Each
 * {@code id} applies once, however often it is handed to the engine; decisions are applied in the order of their
 * {@code at}, and one dated before the current rollout started is stale (it was about an earlier one) and ignored.
 *
 * @param step the target of a {@code skip}; empty for the other actions (and for "skip the current step")
 */
public record GateDecision(String id, GateAction action, OptionalInt step, String by, Instant at) {

    public GateDecision {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(at, "at");
        step = step == null ? OptionalInt.empty() : step;
        by = by == null ? "" : by;
    }

    public static GateDecision of(String id, GateAction action, String by, Instant at) {
        return new GateDecision(id, action, OptionalInt.empty(), by, at);
    }

    public static GateDecision skipTo(String id, int step, String by, Instant at) {
        return new GateDecision(id, GateAction.SKIP, OptionalInt.of(step), by, at);
    }
}
