package dev.stepwise.engine.analysis;

/** Why an analysis run exists: which part of the rollout started it, and so what its outcome decides. */
public enum RunKind {
    /** An {@code analysis} step: the next step waits for it to succeed. */
    STEP("step"),
    /** {@code canary.analysis}: runs beside the steps; its failure aborts. */
    BACKGROUND("background"),
    /** Blue-green {@code prePromotionAnalysis}: the switch waits for it. */
    PRE_PROMOTION("prePromotion"),
    /** Blue-green {@code postPromotionAnalysis}: the new version becomes stable only once it succeeds. */
    POST_PROMOTION("postPromotion"),
    /** An analysis of an {@code experiment} step. */
    EXPERIMENT("experiment");

    private final String label;

    RunKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static RunKind ofLabel(String label) {
        for (RunKind k : values()) {
            if (k.label.equals(label)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown run kind '" + label + "'");
    }
}
