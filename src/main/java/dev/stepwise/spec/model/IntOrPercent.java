package dev.stepwise.spec.model;

import java.util.Optional;

/**
 * Kubernetes' int-or-string for pod counts: {@code 5} or {@code "25%"}. Percentages are resolved against a total
 * with the rounding Kubernetes uses for the field (maxSurge rounds up, maxUnavailable rounds down).
 */
public record IntOrPercent(int value, boolean percent) {

    public static final IntOrPercent TWENTY_FIVE_PERCENT = new IntOrPercent(25, true);

    public static IntOrPercent of(int value) {
        return new IntOrPercent(value, false);
    }

    public static IntOrPercent percent(int value) {
        return new IntOrPercent(value, true);
    }

    /** Reads {@code 3}, {@code "3"} or {@code "30%"}; anything else is empty. */
    public static Optional<IntOrPercent> parse(Object raw) {
        if (raw instanceof Long || raw instanceof Integer) {
            long l = ((Number) raw).longValue();
            return l >= 0 && l <= Integer.MAX_VALUE ? Optional.of(of((int) l)) : Optional.empty();
        }
        if (raw instanceof String s) {
            String t = s.trim();
            boolean pct = t.endsWith("%");
            String digits = pct ? t.substring(0, t.length() - 1) : t;
            if (digits.matches("\\d{1,9}")) {
                return Optional.of(new IntOrPercent(Integer.parseInt(digits), pct));
            }
        }
        return Optional.empty();
    }

    /** The absolute number for {@code total} pods. */
    public int resolve(int total, boolean roundUp) {
        if (!percent) {
            return value;
        }
        long scaled = (long) value * total;
        return (int) (roundUp ? (scaled + 99) / 100 : scaled / 100);
    }

    @Override
    public String toString() {
        return percent ? value + "%" : String.valueOf(value);
    }
}
