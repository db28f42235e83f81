package dev.stepwise.spec.model;

import java.time.Duration;
import java.util.Optional;

/**
 * {@code pause}: waits {@code duration}, or, without one, until someone promotes the rollout (a manual gate).
 * {@code gate} says which Flagger confirm webhook an indefinite pause stands for, when it stands for one.
 */
public record Pause(Optional<Duration> duration, Optional<Gate> gate, boolean irreversible, String pointer) implements Step {

    public static Pause of(Duration d, String pointer) {
        return new Pause(Optional.of(d), Optional.empty(), false, pointer);
    }

    public static Pause indefinite(String pointer) {
        return new Pause(Optional.empty(), Optional.empty(), false, pointer);
    }

    public static Pause gate(Gate gate, String pointer) {
        return new Pause(Optional.empty(), Optional.of(gate), false, pointer);
    }

    /** Waits for a person (or a confirm webhook) rather than a clock. */
    public boolean isIndefinite() {
        return duration.isEmpty();
    }

    @Override
    public String kind() {
        return "pause";
    }

    @Override
    public String describe() {
        if (duration.isPresent()) {
            return "pause " + ArgoDuration.format(duration.get());
        }
        return gate.map(g -> "wait for " + g).orElse("pause until promoted");
    }
}
