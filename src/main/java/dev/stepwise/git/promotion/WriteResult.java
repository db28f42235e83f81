package dev.stepwise.git.promotion;

import dev.stepwise.git.GitError;
import dev.stepwise.spec.Finding;
import java.util.List;

/** What a promotion writer ({@link PromotionWriter}, {@link EnvironmentPromoter}, {@link RevertProposer}) did. */
public sealed interface WriteResult permits WriteResult.Committed, WriteResult.NothingToDo, WriteResult.Refused,
        WriteResult.Failed {

    /**
     * The commit is on the remote.
     *
     * @param commitId the new commit
     * @param branch   the branch it is on: the tracked branch, or a proposal branch for a person to merge
     * @param attempts pushes it took (more than one when others pushed first)
     */
    record Committed(String commitId, String branch, int attempts) implements WriteResult {
    }

    /** Git already says what the writer would write (or the proposal already exists); no commit was made. */
    record NothingToDo(String reason) implements WriteResult {
    }

    /** The specs do not allow the change (e.g. the target file has no such container); located findings say why. */
    record Refused(List<Finding> findings) implements WriteResult {
        public Refused {
            findings = List.copyOf(findings);
        }
    }

    /** Git trouble, classified and redacted; nothing of anyone else's was touched. Retry after {@code error.retryAfter()}. */
    record Failed(GitError error) implements WriteResult {
    }
}
