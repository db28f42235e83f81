package dev.stepwise.analysis.judge;

/**
 * Whether to drop outliers before comparing. {@code KEEP} is the default: the rank test is already robust to a few
 * extreme points, and an outlier in the canary may be the very regression you want to see. {@code IQR} drops points
 * outside Tukey's fences (1.5 × the interquartile range beyond the quartiles), each series on its own, for metrics
 * known to have one-off spikes (a GC pause, a cold cache) in both versions.
 */
public enum OutlierStrategy {
    KEEP, IQR;

    public static OutlierStrategy parse(String s) {
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "keep", "none" -> KEEP;
            case "iqr" -> IQR;
            default -> throw new IllegalArgumentException("outliers must be keep or iqr, not '" + s + "'");
        };
    }
}
