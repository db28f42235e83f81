package dev.stepwise.git;

import java.util.Optional;

/**
 * What one poll of a {@link GitSource} found. A poll never throws: failures come back as {@link Failed} with a
 * classified, redacted error and when to try again, next to the last snapshot that was read successfully.
 */
public sealed interface PollResult permits PollResult.Changed, PollResult.Unchanged, PollResult.Failed {

    /** The newest snapshot known after this poll, if any poll ever succeeded. */
    Optional<Snapshot> snapshot();

    default boolean changed() {
        return this instanceof Changed;
    }

    /**
     * The branch moved (or this is the first read).
     *
     * @param previous     the revision read before, empty on the first read
     * @param specsChanged false when the commit changed nothing under the spec folder (e.g. a status commit on the same
     *                     branch, or a README edit): same specs, new revision name
     * @param fetched      whether objects had to be fetched (false when the mirror already had the commit)
     */
    record Changed(Snapshot current, Optional<Revision> previous, boolean specsChanged, boolean fetched) implements PollResult {
        @Override
        public Optional<Snapshot> snapshot() {
            return Optional.of(current);
        }
    }

    /** The remote branch is where it was: nothing was fetched or parsed. */
    record Unchanged(Snapshot current) implements PollResult {
        @Override
        public Optional<Snapshot> snapshot() {
            return Optional.of(current);
        }
    }

    /** Asking the remote or reading the commit failed. */
    record Failed(GitError error, Optional<Snapshot> lastGood) implements PollResult {
        @Override
        public Optional<Snapshot> snapshot() {
            return lastGood;
        }
    }
}
