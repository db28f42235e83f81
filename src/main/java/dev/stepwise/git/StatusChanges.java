package dev.stepwise.git;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What one reconcile cycle wants the status files to become: new contents for some rollouts, removal of others.
 * Rollouts not mentioned keep their file as it is.
 */
public final class StatusChanges {

    private final Map<RolloutKey, Optional<String>> changes = new TreeMap<>();

    public static StatusChanges none() {
        return new StatusChanges();
    }

    public StatusChanges put(RolloutKey key, String yaml) {
        changes.put(key, Optional.of(yaml));
        return this;
    }

    public StatusChanges delete(RolloutKey key) {
        changes.put(key, Optional.empty());
        return this;
    }

    /** New content by rollout; an empty value removes the file. */
    public Map<RolloutKey, Optional<String>> asMap() {
        return Collections.unmodifiableMap(changes);
    }

    public boolean isEmpty() {
        return changes.isEmpty();
    }
}
