package dev.stepwise.git;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The status files as they are at one commit of the status branch: what a restarted Stepwise continues from, and what
 * a {@link StatusUpdate} is handed to compute the next contents.
 *
 * @param commitId the commit read, empty when the branch does not exist yet
 * @param files    file contents (UTF-8 text) by rollout
 */
public record StatusFiles(Optional<String> commitId, Map<RolloutKey, String> files) {

    public StatusFiles {
        Objects.requireNonNull(commitId, "commitId");
        files = Collections.unmodifiableMap(new TreeMap<>(files));
    }

    public static StatusFiles empty() {
        return new StatusFiles(Optional.empty(), Map.of());
    }

    public Optional<String> get(RolloutKey key) {
        return Optional.ofNullable(files.get(key));
    }
}
