package dev.stepwise.analysis.judge;

/**
 * What to do with NaN points (a ratio with no traffic in that step): {@code REMOVE} drops them (the default: a step
 * with no traffic says nothing), {@code REPLACE} counts them as 0 (for counters where "no series" means "none
 * happened", such as errors). Infinite points are always dropped: no shift can be estimated from them.
 */
public enum NanStrategy {
    REMOVE, REPLACE;

    public static NanStrategy parse(String s) {
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "remove" -> REMOVE;
            case "replace" -> REPLACE;
            default -> throw new IllegalArgumentException("nanStrategy must be remove or replace, not '" + s + "'");
        };
    }
}
