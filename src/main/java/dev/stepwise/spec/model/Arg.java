package dev.stepwise.spec.model;

import java.util.Optional;

/**
 * An analysis argument: in a template, a declaration ({@code value} is its default; with neither value nor valueFrom
 * the rollout must supply it); in a rollout, a value passed to the run. {@code pointer} is where it is written.
 */
public record Arg(String name, Optional<String> value, Optional<ValueFrom> valueFrom, String pointer) {

    /** A template argument nobody gave a value: the rollout must pass one. */
    public boolean isRequired() {
        return value.isEmpty() && valueFrom.isEmpty();
    }

    @Override
    public String toString() {
        return name + "=" + value.orElseGet(() -> valueFrom.map(ValueFrom::toString).orElse("?"));
    }
}
