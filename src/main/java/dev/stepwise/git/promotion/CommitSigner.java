package dev.stepwise.git.promotion;

import java.io.IOException;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;

/** Signs a commit before it is written (sets its {@code gpgsig}), for decisions where approvers must sign. */
@FunctionalInterface
public interface CommitSigner {

    void sign(Repository repository, CommitBuilder commit, PersonIdent committer) throws IOException;
}
