package dev.stepwise.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
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
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.RemoteRefUpdate;
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

    public StatusWriter(Mirror mirror, Location location, Identity identity, Retry retry, Clock clock) {
        this.mirror = Objects.requireNonNull(mirror, "mirror");
        this.location = Objects.requireNonNull(location, "location");
        this.identity = Objects.requireNonNull(identity, "identity");
        this.retry = Objects.requireNonNull(retry, "retry");
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
        int attempt = 0;
        while (true) {
            attempt++;
            Optional<ObjectId> head;
            try {
                head = remoteHead();
            } catch (IOException | RuntimeException e) {
                return failed(e, "reading " + location.branch() + " of " + mirror.url() + " before writing status", attempt);
            }
            ObjectId commitId;
            Set<RolloutKey> changed;
            try (ObjectInserter inserter = mirror.repository().newObjectInserter()) {
                Repository repo = mirror.repository();
                StatusFiles current = read(repo, head);
                StatusChanges changes = request.update().apply(current);
                Built built = buildTree(repo, inserter, head, changes, current, redactor);
                if (built.changed().isEmpty()) {
                    return new StatusWriteResult.NothingToCommit(head.map(ObjectId::name));
                }
                commitId = commit(inserter, built.tree(), head, redactor.redact(request.message()));
                inserter.flush();
                changed = built.changed();
            } catch (IOException e) {
                return failed(e, "building the status commit in " + mirror.directory(), attempt);
            }

            String remoteRef = Refs.branch(location.branch());
            Mirror.PushOutcome outcome;
            try {
                // compare-and-swap: the server updates the branch only if it is still at the head we built on
                RemoteRefUpdate update = new RemoteRefUpdate(mirror.repository(), null, commitId, remoteRef, false, null,
                        head.orElse(ObjectId.zeroId()));
                outcome = mirror.push(update);
            } catch (IOException | RuntimeException e) {
                return failed(e, "pushing status to " + location.branch() + " of " + mirror.url(), attempt);
            }
            RemoteRefUpdate.Status status = outcome.update().getStatus();
            if (status == RemoteRefUpdate.Status.OK || status == RemoteRefUpdate.Status.UP_TO_DATE) {
                remember(commitId);
                LOG.info("status {} pushed to {} {} ({} rollout{}, attempt {})", commitId.abbreviate(12).name(),
                        mirror.url(), location.branch(), changed.size(), changed.size() == 1 ? "" : "s", attempt);
                return new StatusWriteResult.Committed(commitId.name(), attempt, changed);
            }
            String why = redactor.redact(status + (outcome.update().getMessage() == null ? "" : " " + outcome.update().getMessage()));
            if (!isRace(outcome.update()) || attempt >= retry.maxAttempts()) {
                GitError.Kind kind = GitError.Kind.REJECTED;
                String message = "pushing status to " + location.branch() + " of " + mirror.url() + " was refused"
                        + (isRace(outcome.update()) ? " " + attempt + " times in a row, as others kept pushing first" : "")
                        + ": " + why + (outcome.serverMessages().isBlank() ? "" : " (" + outcome.serverMessages().strip() + ")");
                Duration after = Backoff.POLL_UNREACHABLE.delay(1, random);
                return new StatusWriteResult.Failed(new GitError(kind, message, after, attempt), attempt);
            }
            Duration wait = retry.backoff().delay(attempt, random);
            LOG.debug("status push to {} lost a race ({}); computing again on the new head in {} ms", location.branch(), why, wait.toMillis());
            try {
                TimeUnit.MILLISECONDS.sleep(wait.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new StatusWriteResult.Failed(new GitError(GitError.Kind.LOCAL, "interrupted while writing status",
                        Duration.ZERO, attempt), attempt);
            }
        }
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
        ObjectId head = mirror.remoteHeads(List.of(location.branch())).get(location.branch());
        if (head == null) {
            return Optional.empty();
        }
        if (!mirror.has(head)) {
            mirror.fetch(List.of(location.branch()));
        }
        return Optional.of(head);
    }

    /** Pushes that lost a race to someone else's push; anything else (a hook, a protected branch) will not pass by retrying. */
    private static boolean isRace(RemoteRefUpdate update) {
        RemoteRefUpdate.Status s = update.getStatus();
        if (s == RemoteRefUpdate.Status.REJECTED_NONFASTFORWARD || s == RemoteRefUpdate.Status.REJECTED_REMOTE_CHANGED) {
            return true;
        }
        if (s == RemoteRefUpdate.Status.REJECTED_OTHER_REASON) {
            String m = update.getMessage() == null ? "" : update.getMessage().toLowerCase(Locale.ROOT);
            return m.contains("lock") || m.contains("failed to update ref") || m.contains("stale info")
                    || m.contains("fetch first") || m.contains("non-fast-forward") || m.contains("expected");
        }
        return false;
    }

    private StatusWriteResult failed(Throwable e, String doing, int attempt) {
        return new StatusWriteResult.Failed(GitErrors.classify(e, doing, mirror.redactor(), attempt, random), attempt);
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

    /** Moves the mirror's branch to what was pushed, so the next read needs no fetch. */
    private void remember(ObjectId commitId) {
        try {
            RefUpdate ru = mirror.repository().updateRef(Refs.branch(location.branch()));
            ru.setNewObjectId(commitId);
            ru.setRefLogMessage("stepwise: status pushed", false);
            ru.forceUpdate();
        } catch (IOException e) {
            // only a cache: the next write or poll fetches it
            LOG.debug("could not move the mirror's {}: {}", location.branch(), e.getClass().getSimpleName());
        }
    }
}
