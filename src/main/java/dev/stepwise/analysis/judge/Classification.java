package dev.stepwise.analysis.judge;

/** A metric's classification: no significant bad change, a significant rise, a significant fall, or too little data. */
public enum Classification {
    PASS, HIGH, LOW, NO_DATA;

    public String label() {
        return switch (this) {
            case PASS -> "Pass";
            case HIGH -> "High";
            case LOW -> "Low";
            case NO_DATA -> "NoData";
        };
    }
}
