package dev.stepwise.spec.model;

import java.util.Optional;

/**
 * {@code setCanaryScale}: sizes the canary independently of its traffic weight, by {@code replicas} or by
 * {@code weight} (percent of spec.replicas); {@code matchTrafficWeight} returns to sizing by the traffic weight.
 */
public record SetCanaryScale(Optional<Integer> weight, Optional<Integer> replicas, boolean matchTrafficWeight,
                             boolean irreversible, String pointer) implements Step {
    @Override
    public String kind() {
        return "setCanaryScale";
    }

    @Override
    public String describe() {
        if (replicas.isPresent()) {
            return "setCanaryScale replicas " + replicas.get();
        }
        if (weight.isPresent()) {
            return "setCanaryScale weight " + weight.get() + "%";
        }
        return matchTrafficWeight ? "setCanaryScale matchTrafficWeight" : "setCanaryScale (nothing set)";
    }
}
