package dev.stepwise.spec.model;

import java.util.Optional;

/**
 * Stepwise extension {@code spec.onAbort.revert}: what Stepwise does in Git when a rollout aborts. {@code none} leaves
 * Git alone (the cluster goes back to stable, the repository still asks for the new version), {@code revert-branch}
 * pushes a branch with the revert for a person to merge, {@code revert-commit} commits the revert.
 */
public enum RevertMode {
    NONE("none"), REVERT_BRANCH("revert-branch"), REVERT_COMMIT("revert-commit");

    private final String value;

    RevertMode(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    public static Optional<RevertMode> of(String value) {
        for (RevertMode m : values()) {
            if (m.value.equals(value)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}
