package dev.stepwise.spec;

/** How much a finding matters. Only {@link #ERROR} makes {@code stepwise validate} fail. */
public enum Severity {
    ERROR, WARNING, INFO;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
