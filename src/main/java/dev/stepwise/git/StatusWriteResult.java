package dev.stepwise.git;

import java.util.Optional;
import java.util.Set;

/** What a {@link StatusWriter#write} did. */
public sealed interface StatusWriteResult permits StatusWriteResult.Committed, StatusWriteResult.NothingToCommit,
        StatusWriteResult.Failed {

    /**
     * The commit is on the remote branch.
     *
     * @param attempts pushes it took (more than one when someone else pushed in between)
     * @param changed  rollouts whose file was written or removed
     */
    record Committed(String commitId, int attempts, Set<RolloutKey> changed) implements StatusWriteResult {
    }

    /** The files already say what the update says: no commit was made. */
    record NothingToCommit(Optional<String> head) implements StatusWriteResult {
    }

    /** Not pushed; nothing of anyone else's was touched. The caller requeues after {@code error.retryAfter()}. */
    record Failed(GitError error, int attempts) implements StatusWriteResult {
    }
}
