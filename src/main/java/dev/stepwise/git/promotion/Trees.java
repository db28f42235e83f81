package dev.stepwise.git.promotion;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEditor;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevTree;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

/** Reading one file of a commit and making a commit that changes one file, in a bare repository. */
final class Trees {

    /** Spec and promotion files are small; this only keeps a broken repository from costing memory. */
    static final int MAX_FILE = 16 * 1024 * 1024;

    private Trees() {
    }

    /** The bytes of a regular file at {@code path} of a commit, if it has one. */
    static Optional<byte[]> read(Repository repo, ObjectId commit, String path) throws IOException {
        try (RevWalk walk = new RevWalk(repo)) {
            return read(walk.getObjectReader(), walk.parseCommit(commit).getTree(), path);
        }
    }

    static Optional<byte[]> read(ObjectReader reader, RevTree tree, String path) throws IOException {
        try (TreeWalk tw = TreeWalk.forPath(reader, path, tree)) {
            if (tw == null) {
                return Optional.empty();
            }
            FileMode mode = tw.getFileMode(0);
            if (mode != FileMode.REGULAR_FILE && mode != FileMode.EXECUTABLE_FILE) {
                return Optional.empty();
            }
            return Optional.of(reader.open(tw.getObjectId(0), Constants.OBJ_BLOB).getCachedBytes(MAX_FILE));
        }
    }

    /**
     * A commit on top of {@code parent} whose tree is the parent's with {@code path} set to {@code content}; empty
     * when the file already has that content.
     */
    static Optional<ObjectId> commitFile(Repository repo, ObjectInserter inserter, ObjectId parent, String path, byte[] content,
                                         PersonIdent author, PersonIdent committer, String message) throws IOException {
        return commitFile(repo, inserter, parent, path, content, author, committer, message, null);
    }

    /** As above, signed by {@code signer} when there is one. */
    static Optional<ObjectId> commitFile(Repository repo, ObjectInserter inserter, ObjectId parent, String path, byte[] content,
                                         PersonIdent author, PersonIdent committer, String message, CommitSigner signer)
            throws IOException {
        ObjectId baseTree;
        DirCache index = DirCache.newInCore();
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit base = walk.parseCommit(parent);
            baseTree = base.getTree();
            DirCacheBuilder builder = index.builder();
            builder.addTree(new byte[0], DirCacheEntry.STAGE_0, walk.getObjectReader(), baseTree);
            builder.finish();
        }
        ObjectId blob = inserter.insert(Constants.OBJ_BLOB, content);
        DirCacheEditor editor = index.editor();
        editor.add(new DirCacheEditor.PathEdit(path) {
            @Override
            public void apply(DirCacheEntry entry) {
                // keep an executable bit someone set; anything else becomes a regular file
                if (entry.getFileMode() != FileMode.EXECUTABLE_FILE) {
                    entry.setFileMode(FileMode.REGULAR_FILE);
                }
                entry.setObjectId(blob);
            }
        });
        editor.finish();
        ObjectId tree = index.writeTree(inserter);
        if (tree.equals(baseTree)) {
            return Optional.empty();
        }
        CommitBuilder cb = new CommitBuilder();
        cb.setTreeId(tree);
        cb.setParentId(parent);
        cb.setAuthor(author);
        cb.setCommitter(committer);
        cb.setEncoding(StandardCharsets.UTF_8);
        cb.setMessage(message);
        if (signer != null) {
            signer.sign(repo, cb, committer);
        }
        return Optional.of(inserter.insert(cb));
    }

    static PersonIdent ident(String name, String email, Instant when) {
        return new PersonIdent(name, email, when, ZoneOffset.UTC);
    }
}
