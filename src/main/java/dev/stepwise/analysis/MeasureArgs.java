package dev.stepwise.analysis;

import java.util.Map;
import java.util.Set;

/**
 * The argument values of an analysis run ({@code {{args.name}}}), and which of them are secrets (Argo's
 * {@code valueFrom.secretKeyRef}): secret values are substituted like any other but redacted from everything shown.
 */
public record MeasureArgs(Map<String, String> values, Set<String> secretNames) {

    public static final MeasureArgs NONE = new MeasureArgs(Map.of(), Set.of());

    public MeasureArgs {
        values = Map.copyOf(values);
        secretNames = Set.copyOf(secretNames);
    }

    public static MeasureArgs of(Map<String, String> values) {
        return new MeasureArgs(values, Set.of());
    }

    public Redactor redactor() {
        return new Redactor(secretNames.stream().map(values::get).filter(java.util.Objects::nonNull).toList());
    }
}
