package dev.stepwise.spec.model;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;

/**
 * Durations as Argo Rollouts and Flagger write them: Go's {@code time.ParseDuration} syntax ({@code 30s}, {@code 5m},
 * {@code 1h30m}, {@code 500ms}, {@code 1.5h}) and, as Argo accepts for pauses, a plain integer meaning seconds
 * ({@code 10} or {@code "10"}). Negative durations are refused: nothing in a rollout waits a negative time.
 */
public final class ArgoDuration {

    private ArgoDuration() {
    }

    /** Parses a YAML value: a whole number of seconds, or a string in Go duration syntax. */
    public static Duration parse(Object value) {
        if (value instanceof Long || value instanceof Integer) {
            long seconds = ((Number) value).longValue();
            if (seconds < 0) {
                throw new DurationFormatException(value + " is negative; a duration must be 0 or more");
            }
            return Duration.ofSeconds(seconds);
        }
        if (value instanceof String s) {
            return parse(s);
        }
        throw new DurationFormatException(describe(value) + " is not a duration: use a number with a unit, e.g. "
                + "30s, 5m, 1h30m, 500ms (or a whole number of seconds)");
    }

    public static Duration parse(String text) {
        String s = text.trim();
        if (s.isEmpty()) {
            throw new DurationFormatException("an empty string is not a duration: use e.g. 30s, 5m, 1h30m");
        }
        if (s.chars().allMatch(Character::isDigit)) {
            try {
                return Duration.ofSeconds(Long.parseLong(s));
            } catch (NumberFormatException e) {
                throw new DurationFormatException("'" + text + "' is too large a number of seconds");
            }
        }
        if (s.startsWith("-")) {
            throw new DurationFormatException("'" + text + "' is negative; a duration must be 0 or more");
        }
        if (s.startsWith("+")) {
            s = s.substring(1);
        }
        BigDecimal nanos = BigDecimal.ZERO;
        int i = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            String number = s.substring(start, i);
            int unitStart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            String unit = s.substring(unitStart, i);
            if (number.isEmpty() || number.equals(".") || number.chars().filter(c -> c == '.').count() > 1) {
                throw bad(text);
            }
            if (unit.isEmpty()) {
                throw new DurationFormatException("'" + text + "' has a number without a unit: write e.g. 30s, 5m, 1h30m"
                        + " (a bare number means seconds only on its own)");
            }
            long perUnit = nanosPer(unit, text);
            nanos = nanos.add(new BigDecimal(number).multiply(BigDecimal.valueOf(perUnit)));
        }
        try {
            return Duration.ofNanos(nanos.setScale(0, java.math.RoundingMode.DOWN).longValueExact());
        } catch (ArithmeticException e) {
            throw new DurationFormatException("'" + text + "' is too long a duration");
        }
    }

    /** The duration, or empty if {@code value} is not one (for callers that report their own finding). */
    public static Optional<Duration> tryParse(Object value) {
        try {
            return Optional.of(parse(value));
        } catch (DurationFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * A duration the way people write them in specs: {@code 10m}, {@code 1h30m}, {@code 45s}, {@code 500ms},
     * {@code 1.5s}. Days are written in hours ({@code 48h}), as Go and Argo do.
     */
    public static String format(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        if (d.isNegative()) {
            return "-" + format(d.negated());
        }
        long hours = d.toHours();
        int minutes = d.toMinutesPart();
        int seconds = d.toSecondsPart();
        int millis = d.toMillisPart();
        if (hours == 0 && minutes == 0 && seconds == 0) {
            return millis > 0 ? millis + "ms" : d.toNanos() + "ns";
        }
        StringBuilder out = new StringBuilder();
        if (hours > 0) {
            out.append(hours).append('h');
        }
        if (minutes > 0) {
            out.append(minutes).append('m');
        }
        if (seconds > 0 || millis > 0) {
            out.append(seconds);
            if (millis > 0) {
                out.append('.').append(String.format("%03d", millis).replaceAll("0+$", ""));
            }
            out.append('s');
        }
        return out.toString();
    }

    private static long nanosPer(String unit, String text) {
        switch (unit) {
            case "ns":
                return 1L;
            case "us":
            case "µs":
            case "μs":
                return 1_000L;
            case "ms":
                return 1_000_000L;
            case "s":
                return 1_000_000_000L;
            case "m":
                return 60L * 1_000_000_000L;
            case "h":
                return 3600L * 1_000_000_000L;
            default:
                throw new DurationFormatException("'" + text + "' has unknown unit '" + unit
                        + "': use ms, s, m or h (e.g. 500ms, 30s, 5m, 1h30m)");
        }
    }

    private static DurationFormatException bad(String text) {
        return new DurationFormatException("'" + text + "' is not a duration: use a number with a unit, e.g. "
                + "30s, 5m, 1h30m, 500ms (or a whole number of seconds)");
    }

    private static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String s) {
            return "'" + s + "'";
        }
        return value instanceof java.util.Map<?, ?> ? "a mapping" : value instanceof java.util.List<?> ? "a list" : String.valueOf(value);
    }

    /** Thrown by {@link #parse} with a message fit to show the person who wrote the value. */
    public static final class DurationFormatException extends IllegalArgumentException {
        public DurationFormatException(String message) {
            super(message);
        }
    }
}
