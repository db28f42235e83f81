package dev.stepwise.git;

import dev.stepwise.spec.SpecSet;
import java.time.Instant;
import java.util.Objects;

/**
 * The specs as they are at one commit of the tracked branch.
 *
 * @param revision   the commit read
 * @param commitTime when it was committed (committer time), to tell how old what runs is
 * @param path       the folder inside the repository the specs were read from ("" for the root)
 * @param treeId     the Git tree id of that folder: equal ids mean equal specs, whatever else the commit changed
 * @param specs      the documents and findings
 */
public record Snapshot(Revision revision, Instant commitTime, String path, String treeId, SpecSet specs) {

    public Snapshot {
        Objects.requireNonNull(revision, "revision");
        Objects.requireNonNull(commitTime, "commitTime");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(treeId, "treeId");
        Objects.requireNonNull(specs, "specs");
    }

    /** {@code main@sha1:…}. */
    public String revisionName() {
        return revision.name();
    }
}
