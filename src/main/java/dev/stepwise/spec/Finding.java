package dev.stepwise.spec;

import java.util.Comparator;
import java.util.Objects;

/**
 * One thing a check has to say about the specs: where (file, line, column and the JSON pointer inside the document,
 * when there is one), how bad, which check said it ({@code code}, stable and machine readable, e.g. {@code yaml.duplicate-key},
 * {@code schema.unknown-field}, {@code policy.deny}) and a message written for the person who has to fix it.
 */
public record Finding(Severity severity, Location location, String pointer, String code, String message) {

    public static final Comparator<Finding> BY_PLACE = Comparator
            .comparing((Finding f) -> f.location().file())
            .thenComparingInt(f -> f.location().line())
            .thenComparingInt(f -> f.location().column())
            .thenComparing(Finding::code)
            .thenComparing(Finding::message);

    public Finding {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
        pointer = pointer == null ? "" : pointer;
    }

    public static Finding error(Location at, String pointer, String code, String message) {
        return new Finding(Severity.ERROR, at, pointer, code, message);
    }

    public static Finding warning(Location at, String pointer, String code, String message) {
        return new Finding(Severity.WARNING, at, pointer, code, message);
    }

    public static Finding info(Location at, String pointer, String code, String message) {
        return new Finding(Severity.INFO, at, pointer, code, message);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    /** {@code path:line:col: severity: message}, the line format compilers and editors understand. */
    public String toLine() {
        String where = location.toString();
        String at = pointer.isEmpty() ? "" : " (at " + pointer + ")";
        return where + ": " + severity.label() + ": " + message + at + " [" + code + "]";
    }
}
