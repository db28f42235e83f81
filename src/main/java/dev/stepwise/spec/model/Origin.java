package dev.stepwise.spec.model;

/** Which manifest a {@link RolloutSpec} was read from: both run on the same engine, but are explained in their own terms. */
public enum Origin {
    ARGO_ROLLOUT("Argo Rollout"),
    FLAGGER_CANARY("Flagger Canary");

    private final String label;

    Origin(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
