package dev.stepwise.spec.model;

import dev.stepwise.spec.Finding;
import java.util.List;
import java.util.Optional;

/**
 * What mapping one document gave: the typed value when it could be built, and findings either way. A value can come
 * with warnings (an odd field was skipped); a document that cannot be understood at all gives no value and at least
 * one error. Mapping never throws on odd input.
 */
public record ModelResult<T>(Optional<T> value, List<Finding> findings) {

    public ModelResult {
        findings = List.copyOf(findings);
    }

    public static <T> ModelResult<T> of(T value, List<Finding> findings) {
        return new ModelResult<>(Optional.of(value), findings);
    }

    public static <T> ModelResult<T> failed(List<Finding> findings) {
        return new ModelResult<>(Optional.empty(), findings);
    }

    public boolean isPresent() {
        return value.isPresent();
    }

    /** The value; for tests and callers that have already checked {@link #isPresent()}. */
    public T get() {
        return value.orElseThrow(() -> new IllegalStateException("no value: " + findings));
    }
}
