package dev.stepwise.analysis;

/**
 * The phase of a measurement, a metric or a whole analysis, with Argo Rollouts' names ({@code Successful},
 * {@code Failed}, {@code Error}, {@code Inconclusive}, {@code Running}) so output reads like an AnalysisRun's status.
 */
public enum Phase {
    SUCCESSFUL("Successful"),
    FAILED("Failed"),
    ERROR("Error"),
    INCONCLUSIVE("Inconclusive"),
    RUNNING("Running");

    private final String label;

    Phase(String label) {
        this.label = label;
    }

    /** Argo's spelling, as printed and written to JSON. */
    public String label() {
        return label;
    }

    /**
     * Argo's precedence when phases are combined (an analysis run from its metrics): a failure outweighs an error,
     * an error outweighs an inconclusive result, and anything outweighs success.
     */
    public int severity() {
        return switch (this) {
            case FAILED -> 4;
            case ERROR -> 3;
            case INCONCLUSIVE -> 2;
            case RUNNING -> 1;
            case SUCCESSFUL -> 0;
        };
    }

    public static Phase worst(Phase a, Phase b) {
        return a.severity() >= b.severity() ? a : b;
    }
}
