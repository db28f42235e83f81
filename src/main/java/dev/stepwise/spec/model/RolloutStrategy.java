package dev.stepwise.spec.model;

/** {@code spec.strategy}: exactly one of canary or blue-green. */
public sealed interface RolloutStrategy permits CanaryStrategy, BlueGreenStrategy {

    /** {@code canary} or {@code blueGreen}, as the field is named in Argo. */
    String name();
}
