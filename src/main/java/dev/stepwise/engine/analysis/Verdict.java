package dev.stepwise.engine.analysis;

/**
 * What one measurement said. {@code INSUFFICIENT} is Stepwise's: the measurement rests on fewer samples than the
 * metric's {@code minSamples}, so it is recorded but neither passes nor fails (a canary that got no traffic proves
 * nothing).
 */
public enum Verdict {
    SUCCESSFUL("Successful"),
    FAILED("Failed"),
    INCONCLUSIVE("Inconclusive"),
    ERROR("Error"),
    INSUFFICIENT("InsufficientData");

    private final String label;

    Verdict(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static Verdict ofLabel(String label) {
        for (Verdict v : values()) {
            if (v.label.equals(label)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown verdict '" + label + "'");
    }
}
