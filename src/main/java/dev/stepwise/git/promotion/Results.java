package dev.stepwise.git.promotion;

import dev.stepwise.git.BranchWriter;

/** {@link BranchWriter.Outcome} as the writers report it. */
final class Results {

    private Results() {
    }

    /** Classified as {@code NOT_FOUND} by {@code GitErrors}, like a missing repository. */
    static org.eclipse.jgit.errors.NoRemoteRepositoryException missingBranch(dev.stepwise.git.Mirror mirror, String branch) {
        return new org.eclipse.jgit.errors.NoRemoteRepositoryException(mirror.url().toUriish(),
                "branch " + branch + " does not exist");
    }

    static WriteResult of(BranchWriter.Outcome outcome, String branch, String nothingToDo) {
        if (outcome instanceof BranchWriter.Outcome.Pushed p) {
            return new WriteResult.Committed(p.commit().name(), branch, p.attempts());
        }
        if (outcome instanceof BranchWriter.Outcome.Failed f) {
            return new WriteResult.Failed(f.error());
        }
        return new WriteResult.NothingToDo(nothingToDo);
    }
}
