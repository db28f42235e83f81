package dev.stepwise.analysis.judge;

/**
 * Kayenta's score thresholds: a score at or above {@code pass} is Successful, at or above {@code marginal}
 * Inconclusive (a person should look), below it Failed.
 */
public record ScoreThresholds(double pass, double marginal) {

    public static final ScoreThresholds DEFAULT = new ScoreThresholds(95, 75);

    public ScoreThresholds {
        if (!(marginal >= 0 && marginal <= pass && pass <= 100)) {
            throw new IllegalArgumentException("thresholds need 0 <= marginal <= pass <= 100");
        }
    }
}
