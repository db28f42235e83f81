package dev.stepwise.analysis.judge;

/**
 * Which change of a metric is bad, as in Kayenta: {@code INCREASE} for errors and latency (only a rise fails),
 * {@code DECREASE} for throughput or success rates, {@code EITHER} when any significant change should fail.
 */
public enum Direction {
    INCREASE, DECREASE, EITHER;

    public static Direction parse(String s) {
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "increase" -> INCREASE;
            case "decrease" -> DECREASE;
            case "either" -> EITHER;
            default -> throw new IllegalArgumentException("direction must be increase, decrease or either, not '" + s + "'");
        };
    }
}
