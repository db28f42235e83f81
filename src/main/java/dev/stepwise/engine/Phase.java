package dev.stepwise.engine;

/**
 * Argo Rollouts' rollout phases. Progressing: working towards the next step (pods coming up, analysis running).
 * Paused: waiting on a pause step, for a person (an indefinite pause, an inconclusive analysis, a halt after an
 * irreversible step) or for a blue-green promotion. Healthy: nothing rolling out, the stable version serves everyone.
 * Degraded: aborted, or out of time (progress deadline).
 */
public enum Phase {
    PROGRESSING("Progressing"),
    PAUSED("Paused"),
    HEALTHY("Healthy"),
    DEGRADED("Degraded");

    private final String label;

    Phase(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static Phase ofLabel(String label) {
        for (Phase p : values()) {
            if (p.label.equals(label)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown phase '" + label + "'");
    }
}
