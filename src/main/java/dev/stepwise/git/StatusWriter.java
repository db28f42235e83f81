package dev.stepwise.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
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
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes rollout status back to Git, one commit per reconcile cycle for all rollouts that changed.
 *
 * <p>Status lives in {@code <folder>/<namespace>/<rollout>.yaml} on a branch of the tracked repository: by default
 * {@code status/…} on its own branch {@code stepwise/status}, optionally a folder on the tracked branch itself.
 *
 * <p>Nobody's work is ever lost: the commit is built in the bare {@link Mirror} on top of the branch head as the
 * remote has it (no working tree), and pushed with compare-and-swap — the remote ref must still be at that head. When
 * someone pushed in between, the push is refused; Stepwise fetches their commit, computes its own files again on top
 * of it ({@link StatusUpdate} is a function for this reason), and retries after an exponential backoff with jitter, a
 * bounded number of times. It never force-pushes, and only ever changes the files of rollouts its update names, so a
 * person's commit stays exactly as they made it.
 */
public final class StatusWriter {

    private static final Logger LOG = LoggerFactory.getLogger(StatusWriter.class);

    /** The branch and folder status files live in. */
    public record Location(String branch, String folder) {
        public static final String DEFAULT_BRANCH = "stepwise/status";
        public static final String DEFAULT_FOLDER = "status";

        public Location {
            branch = Refs.checkBranch(branch);
            folder = Refs.normalizePath(folder);
        }

        /** {@code status/} on the branch {@code stepwise/status}: status commits never mix with people's history. */
        public static Location statusBranch() {
            return new Location(DEFAULT_BRANCH, DEFAULT_FOLDER);
        }

        /** A folder on the tracked branch itself, for teams who want status next to the specs. */
        public static Location folderOn(String trackedBranch, String folder) {
            return new Location(trackedBranch, folder);
        }
    }

    /** Who status commits are authored and committed by. */
    public record Identity(String name, String email) {
        public static final Identity DEFAULT = new Identity("Stepwise", "stepwise@localhost");

        public Identity {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(email, "email");
        }
    }

    /** How hard to try when pushes race with other people's. */
    public record Retry(int maxAttempts, Backoff backoff) {
        public static final Retry DEFAULT = new Retry(8, Backoff.PUSH_RACE);

        public Retry {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1");
            }
            Objects.requireNonNull(backoff, "backoff");
        }
    }

    private final Mirror mirror;
    private final Location location;
    private final Identity identity;
    private final Retry retry;
    private final Clock clock;
    private final SplittableRandom random = new SplittableRandom();
    private final BranchWriter branches;

    public StatusWriter(Mirror mirror, Location location, Identity identity, Retry retry, Clock clock) {
        this.mirror = Objects.requireNonNull(mirror, "mirror");
        this.location = Objects.requireNonNull(location, "location");
        this.identity = Objects.requireNonNull(identity, "identity");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.branches = new BranchWriter(mirror, retry.maxAttempts(), retry.backoff());
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public StatusWriter(Mirror mirror, Location location) {
        this(mirror, location, Identity.DEFAULT, Retry.DEFAULT, Clock.systemUTC());
    }

    public Location location() {
        return location;
    }

    /**
     * Commits and pushes one reconcile cycle's status. Never throws for Git or network trouble: that is a
     * {@link StatusWriteResult.Failed} with a classified, redacted error. One write at a time per writer.
     */
    public synchronized StatusWriteResult write(StatusCommit request) {
        Redactor redactor = mirror.redactor();
        // the rollouts the last attempt changed: the plan runs once per attempt, the last one is what was pushed
        AtomicReference<Set<RolloutKey>> changed = new AtomicReference<>(Set.of());
        BranchWriter.Outcome outcome = branches.write(location.branch(), List.of(), "status", (heads, inserter) -> {
            Repository repo = heads.repository();
            Optional<ObjectId> head = heads.targetHead();
            StatusFiles current = read(repo, head);
            StatusChanges changes = request.update().apply(current);
            Built built = buildTree(repo, inserter, head, changes, current, redactor);
            changed.set(built.changed());
            if (built.changed().isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(commit(inserter, built.tree(), head, redactor.redact(request.message())));
        });
        if (outcome instanceof BranchWriter.Outcome.Pushed p) {
            LOG.info("status {} pushed to {} {} ({} rollout{}, attempt {})", p.commit().abbreviate(12).name(),
                    mirror.url(), location.branch(), changed.get().size(), changed.get().size() == 1 ? "" : "s", p.attempts());
            return new StatusWriteResult.Committed(p.commit().name(), p.attempts(), changed.get());
        }
        if (outcome instanceof BranchWriter.Outcome.Unchanged u) {
            return new StatusWriteResult.NothingToCommit(u.head().map(ObjectId::name));
        }
        BranchWriter.Outcome.Failed f = (BranchWriter.Outcome.Failed) outcome;
        return new StatusWriteResult.Failed(f.error(), f.attempts());
    }

    /**
     * What the status branch holds on the remote now (fetched into the mirror first): the state a restarted process
     * continues from.
     */
    public StatusRead readStatus() {
        try {
            Optional<ObjectId> head = remoteHead();
            return new StatusRead.Read(read(mirror.repository(), head));
        } catch (IOException | RuntimeException e) {
            GitError error = GitErrors.classify(e, "reading status from " + location.branch() + " of " + mirror.url(),
                    mirror.redactor(), 1, random);
            return new StatusRead.Failed(error);
        }
    }

    /** The outcome of {@link #readStatus()}. */
    public sealed interface StatusRead permits StatusRead.Read, StatusRead.Failed {
        record Read(StatusFiles files) implements StatusRead {
        }

        record Failed(GitError error) implements StatusRead {
        }
    }

    /** Where the remote branch is, fetched into the mirror when the mirror does not have that commit yet. */
    private Optional<ObjectId> remoteHead() throws IOException {
        return Optional.ofNullable(branches.remoteHeads(List.of(location.branch())).get(location.branch()));
    }

    /** The status files at {@code head}: {@code <folder>/<namespace>/<name>.yaml}; anything else there is left alone. */
    private StatusFiles read(Repository repo, Optional<ObjectId> head) throws IOException {
        if (head.isEmpty()) {
            return StatusFiles.empty();
        }
        Map<RolloutKey, String> files = new HashMap<>();
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit commit = walk.parseCommit(head.get());
            ObjectReader reader = walk.getObjectReader();
            ObjectId folder = folderTree(reader, commit);
            if (folder != null) {
                try (TreeWalk tw = new TreeWalk(reader)) {
                    tw.addTree(folder);
                    tw.setRecursive(true);
                    while (tw.next()) {
                        String[] parts = tw.getPathString().split("/");
                        if (parts.length != 2 || !parts[1].endsWith(".yaml") || tw.getFileMode(0) != FileMode.REGULAR_FILE) {
                            continue;
                        }
                        try {
                            RolloutKey key = new RolloutKey(parts[0], parts[1].substring(0, parts[1].length() - 5));
                            byte[] bytes = reader.open(tw.getObjectId(0), Constants.OBJ_BLOB).getCachedBytes(16 * 1024 * 1024);
                            files.put(key, new String(bytes, StandardCharsets.UTF_8));
                        } catch (IllegalArgumentException notARollout) {
                            // someone's own file in the status folder: not ours to read or touch
                        }
                    }
                }
            }
        }
        return new StatusFiles(Optional.of(head.get().name()), files);
    }

    private ObjectId folderTree(ObjectReader reader, RevCommit commit) throws IOException {
        if (location.folder().isEmpty()) {
            return commit.getTree();
        }
        try (TreeWalk tw = TreeWalk.forPath(reader, location.folder(), commit.getTree())) {
            return tw != null && tw.getFileMode(0) == FileMode.TREE ? tw.getObjectId(0) : null;
        }
    }

    private record Built(ObjectId tree, Set<RolloutKey> changed) {
    }

    /**
     * The head's whole tree with only the named status files replaced or removed. Files whose content would not change
     * are not counted, so an update that restates the status makes no commit.
     */
    private Built buildTree(Repository repo, ObjectInserter inserter, Optional<ObjectId> head, StatusChanges changes,
                            StatusFiles current, Redactor redactor) throws IOException {
        DirCache index = DirCache.newInCore();
        ObjectId baseTree = null;
        if (head.isPresent()) {
            try (RevWalk walk = new RevWalk(repo)) {
                baseTree = walk.parseCommit(head.get()).getTree();
                DirCacheBuilder builder = index.builder();
                builder.addTree(new byte[0], DirCacheEntry.STAGE_0, walk.getObjectReader(), baseTree);
                builder.finish();
            }
        }
        DirCacheEditor editor = index.editor();
        Set<RolloutKey> changed = new TreeSet<>();
        for (Map.Entry<RolloutKey, Optional<String>> e : changes.asMap().entrySet()) {
            RolloutKey key = e.getKey();
            String path = key.path(location.folder());
            Optional<String> before = current.get(key);
            if (e.getValue().isEmpty()) {
                if (before.isPresent()) {
                    editor.add(new DirCacheEditor.DeletePath(path));
                    changed.add(key);
                }
                continue;
            }
            String content = redactor.redact(e.getValue().get());
            if (before.isPresent() && before.get().equals(content)) {
                continue;
            }
            ObjectId blob = inserter.insert(Constants.OBJ_BLOB, content.getBytes(StandardCharsets.UTF_8));
            editor.add(new DirCacheEditor.PathEdit(path) {
                @Override
                public void apply(DirCacheEntry entry) {
                    entry.setFileMode(FileMode.REGULAR_FILE);
                    entry.setObjectId(blob);
                }
            });
            changed.add(key);
        }
        editor.finish();
        ObjectId tree = index.writeTree(inserter);
        if (baseTree != null && tree.equals(baseTree)) {
            changed.clear();
        }
        return new Built(tree, changed);
    }

    private ObjectId commit(ObjectInserter inserter, ObjectId tree, Optional<ObjectId> parent, String message) throws IOException {
        PersonIdent who = new PersonIdent(identity.name(), identity.email(), clock.instant(), ZoneOffset.UTC);
        CommitBuilder cb = new CommitBuilder();
        cb.setTreeId(tree);
        parent.ifPresent(cb::setParentId);
        cb.setAuthor(who);
        cb.setCommitter(who);
        cb.setEncoding(StandardCharsets.UTF_8);
        cb.setMessage(message);
        return inserter.insert(cb);
    }

}
