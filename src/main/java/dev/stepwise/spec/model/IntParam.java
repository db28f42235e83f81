package dev.stepwise.spec.model;

import java.util.Map;
import java.util.Optional;

/**
 * A whole number in an analysis template that may be an argument placeholder until the run starts, as Argo allows
 * for {@code count}, {@code failureLimit}, {@code inconclusiveLimit} and {@code consecutiveErrorLimit}
 * ({@code count: "{{args.samples}}"}). {@code raw} is the text as written; {@code value} is known when it is a number.
 */
public record IntParam(String raw, Optional<Integer> value) {

    public static IntParam of(int value) {
        return new IntParam(String.valueOf(value), Optional.of(value));
    }

    public static IntParam raw(String raw) {
        String t = raw.trim();
        return new IntParam(t, t.matches("-?\\d{1,9}") ? Optional.of(Integer.parseInt(t)) : Optional.empty());
    }

    public boolean isResolved() {
        return value.isPresent();
    }

    /** This parameter with known argument values substituted. */
    public IntParam resolve(Map<String, String> args) {
        return isResolved() ? this : raw(Args.substitute(raw, args));
    }

    @Override
    public String toString() {
        return raw;
    }
}
