package dev.stepwise.spec.model;

/** {@code setWeight}: the percentage of traffic (or, without a traffic router, of replicas) the canary gets. */
public record SetWeight(int weight, boolean irreversible, String pointer) implements Step {
    @Override
    public String kind() {
        return "setWeight";
    }

    @Override
    public String describe() {
        return "setWeight " + weight;
    }
}
