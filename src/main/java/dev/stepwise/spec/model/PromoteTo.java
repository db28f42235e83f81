package dev.stepwise.spec.model;

import java.util.Optional;

/**
 * Stepwise extension {@code spec.promoteTo}: where a successful rollout writes its promotion in Git ({@code path}) and
 * whether it commits there directly or opens a pull request.
 */
public record PromoteTo(String path, Mode mode) {

    public enum Mode {
        DIRECT("direct"), PULL_REQUEST("pull-request");

        private final String value;

        Mode(String value) {
            this.value = value;
        }

        public String value() {
            return value;
        }

        public static Optional<Mode> of(String value) {
            for (Mode m : values()) {
                if (m.value.equals(value)) {
                    return Optional.of(m);
                }
            }
            return Optional.empty();
        }
    }
}
