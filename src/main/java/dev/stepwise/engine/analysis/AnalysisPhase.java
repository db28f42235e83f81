package dev.stepwise.engine.analysis;

/** Argo's phases of an AnalysisRun and of each of its metrics. */
public enum AnalysisPhase {
    PENDING("Pending"),
    RUNNING("Running"),
    SUCCESSFUL("Successful"),
    FAILED("Failed"),
    ERROR("Error"),
    INCONCLUSIVE("Inconclusive");

    private final String label;

    AnalysisPhase(String label) {
        this.label = label;
    }

    /** The name Argo writes in a status ({@code Successful}, {@code Failed}, …). */
    public String label() {
        return label;
    }

    public boolean isCompleted() {
        return this != PENDING && this != RUNNING;
    }

    /** Failed and Error both end a rollout: an analysis that cannot measure proves nothing either. */
    public boolean isFailure() {
        return this == FAILED || this == ERROR;
    }

    public static AnalysisPhase ofLabel(String label) {
        for (AnalysisPhase p : values()) {
            if (p.label.equals(label)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown analysis phase '" + label + "'");
    }
}
