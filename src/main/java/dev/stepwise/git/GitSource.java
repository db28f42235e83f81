package dev.stepwise.git;

import dev.stepwise.spec.Finding;
import dev.stepwise.spec.Location;
import dev.stepwise.spec.SourceFile;
import dev.stepwise.spec.SpecDocument;
import dev.stepwise.spec.SpecLoader;
import dev.stepwise.spec.SpecSet;
import dev.stepwise.spec.YamlLimits;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevTree;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The specs of one tracked repository, branch and folder. A poll asks the remote where the branch points, fetches into
 * the {@link Mirror} only when it moved (and only what is new), and reads the YAML files straight from the commit's
 * tree, parsing only files whose blob it has not parsed before. Polls of one source run one at a time; a webhook
 * arriving during a poll waits for it and then polls again, as the push it announces may have landed after the first
 * poll looked.
 */
public final class GitSource implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GitSource.class);

    /** Largest blob {@link #filesAt} reads; a spec file is refused far below this by {@link YamlLimits}. */
    private static final int MAX_BLOB_BYTES = 64 * 1024 * 1024;

    /**
     * What to track.
     *
     * @param url    the repository, without credentials
     * @param branch the branch releases are merged into, e.g. {@code main}
     * @param path   the folder holding the specs, "" for the whole repository
     * @param notSpecs folders (from the repository root) whose YAML files are not specs even when they lie in
     *                 {@code path}: by default {@code promotions}, where people's gate decisions are committed
     */
    public record Config(RemoteUrl url, String branch, String path, List<String> notSpecs) {
        /** Gate decision files ({@code promotions/<namespace>/<rollout>.yaml}) are YAML but not manifests. */
        public static final List<String> DEFAULT_NOT_SPECS = List.of("promotions");

        public Config {
            Objects.requireNonNull(url, "url");
            branch = Refs.checkBranch(branch);
            path = Refs.normalizePath(path);
            notSpecs = notSpecs.stream().map(Refs::normalizePath).filter(f -> !f.isEmpty()).toList();
        }

        public Config(RemoteUrl url, String branch, String path) {
            this(url, branch, path, DEFAULT_NOT_SPECS);
        }

        boolean isSpec(String file) {
            return notSpecs.stream().noneMatch(f -> file.startsWith(f + "/"));
        }

        public String describe() {
            return url + " " + branch + (path.isEmpty() ? "" : " " + path + "/");
        }
    }

    /** Counters for operators and tests. */
    public record Stats(long polls, long failures, long fetches, long filesParsed, long cacheHits) {
    }

    private final Config config;
    private final Mirror mirror;
    private final boolean ownsMirror;
    private final SpecLoader loader;
    private final YamlLimits limits;
    private final SpecFileCache cache;
    private final ReentrantLock pollLock = new ReentrantLock(true);
    private final SplittableRandom random = new SplittableRandom();
    private final AtomicLong polls = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong fetches = new AtomicLong();
    private volatile Snapshot current;
    private int failuresInRow;

    /** A source reading through a mirror someone else owns (e.g. shared with a {@link StatusWriter}). */
    public GitSource(Config config, Mirror mirror, YamlLimits limits, SpecFileCache cache) {
        this(config, mirror, false, limits, cache);
    }

    private GitSource(Config config, Mirror mirror, boolean ownsMirror, YamlLimits limits, SpecFileCache cache) {
        this.config = Objects.requireNonNull(config, "config");
        this.mirror = Objects.requireNonNull(mirror, "mirror");
        this.ownsMirror = ownsMirror;
        this.limits = Objects.requireNonNull(limits, "limits");
        this.loader = new SpecLoader(limits);
        this.cache = Objects.requireNonNull(cache, "cache");
        if (!mirror.url().equals(config.url())) {
            throw new IllegalArgumentException("mirror of " + mirror.url() + " cannot serve " + config.url());
        }
    }

    /**
     * Opens a source with its own mirror under {@code cacheDir}; closing the source closes the mirror.
     *
     * @throws IOException when the cache directory cannot be used
     */
    public static GitSource open(Config config, Path cacheDir, GitCredentials credentials, Duration timeout) throws IOException {
        GitTransport transport = new GitTransport(config.url(), credentials, timeout, cacheDir.resolve("ssh"));
        Mirror mirror = Mirror.open(cacheDir, transport);
        return new GitSource(config, mirror, true, YamlLimits.DEFAULT, new SpecFileCache());
    }

    public Config config() {
        return config;
    }

    public Mirror mirror() {
        return mirror;
    }

    /** The last snapshot read, if any poll has succeeded. */
    public Optional<Snapshot> current() {
        return Optional.ofNullable(current);
    }

    public Stats stats() {
        SpecFileCache.Stats c = cache.stats();
        return new Stats(polls.get(), failures.get(), fetches.get(), c.parses(), c.hits());
    }

    /** Polls now, waiting for a poll already running. Never throws: failures come back as {@link PollResult.Failed}. */
    public PollResult poll() {
        pollLock.lock();
        try {
            polls.incrementAndGet();
            PollResult result = doPoll();
            if (result instanceof PollResult.Failed f) {
                failures.incrementAndGet();
                LOG.warn("poll of {} failed: {}", config.describe(), f.error());
            } else {
                failuresInRow = 0;
                if (result instanceof PollResult.Changed c) {
                    LOG.info("{} is now at {}{}", config.describe(), c.current().revisionName(),
                            c.specsChanged() ? "" : " (specs unchanged)");
                }
            }
            return result;
        } finally {
            pollLock.unlock();
        }
    }

    private PollResult doPoll() {
        Snapshot before = current;
        ObjectId head;
        boolean fetched;
        try {
            // listing and (when the branch moved to a commit the mirror lacks) fetching over one connection
            Optional<Mirror.Listed> listed = mirror.listAndFetch(config.branch());
            if (listed.isEmpty()) {
                return failed(new org.eclipse.jgit.errors.NoRemoteRepositoryException(config.url().toUriish(),
                        "branch " + config.branch() + " does not exist"), "asking " + config.url() + " for " + config.branch());
            }
            head = listed.get().head();
            fetched = listed.get().fetched();
        } catch (Exception | LinkageError e) {
            return failed(e, "asking " + config.url() + " for " + config.branch() + " and fetching what is new");
        }
        if (fetched) {
            fetches.incrementAndGet();
        }
        if (before != null && before.revision().commitId().equals(head.name())) {
            return new PollResult.Unchanged(before);
        }
        try {
            Snapshot next = read(mirror.repository(), head);
            current = next;
            boolean specsChanged = before == null || !before.treeId().equals(next.treeId());
            return new PollResult.Changed(next, Optional.ofNullable(before).map(Snapshot::revision), specsChanged, fetched);
        } catch (Exception e) {
            return failed(e, "reading " + config.branch() + "@sha1:" + head.name() + " of " + config.url());
        }
    }

    private PollResult failed(Throwable e, String doing) {
        failuresInRow++;
        GitError error = GitErrors.classify(e, doing, mirror.redactor(), failuresInRow, random);
        return new PollResult.Failed(error, Optional.ofNullable(current));
    }

    /** Reads the specs of one commit of the mirror (which must hold it), through the blob cache. */
    Snapshot read(Repository repo, ObjectId commitId) throws IOException {
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit commit = walk.parseCommit(commitId);
            Revision revision = new Revision(config.branch(), commit.name());
            Instant time = commit.getCommitterIdent().getWhenAsInstant();
            List<SpecDocument> documents = new ArrayList<>();
            List<Finding> findings = new ArrayList<>();
            ObjectReader reader = walk.getObjectReader();
            List<YamlBlob> blobs = new ArrayList<>();
            Optional<ObjectId> tree = yamlBlobs(reader, commit.getTree(), config.path(), blobs);
            blobs.removeIf(b -> !config.isSpec(b.path()));
            if (tree.isEmpty()) {
                findings.add(Finding.error(Location.ofFile(config.path()), "", "git.path-missing",
                        "folder '" + config.path() + "' does not exist at " + revision.name() + "; no specs were read"));
                return new Snapshot(revision, time, config.path(), ObjectId.zeroId().name(), new SpecSet(documents, findings, 0));
            }
            for (YamlBlob blob : blobs) {
                SpecFileCache.ParsedFile parsed = cache.get(blob.path(), blob.id(), () -> parse(reader, blob));
                documents.addAll(parsed.documents());
                findings.addAll(parsed.findings());
            }
            return new Snapshot(revision, time, config.path(), tree.get().name(), new SpecSet(documents, findings, blobs.size()));
        }
    }

    private SpecFileCache.ParsedFile parse(ObjectReader reader, YamlBlob blob) {
        List<SpecDocument> documents = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        try {
            long size = reader.getObjectSize(blob.id(), Constants.OBJ_BLOB);
            if (size > limits.maxFileBytes()) {
                // not even loaded: the limit exists so that a huge file cannot cost memory
                findings.add(Finding.error(Location.ofFile(blob.path()), "", "yaml.too-large",
                        String.format(Locale.ROOT, "file is %.1f MiB; a spec file may be at most %.1f MiB", size / 1048576.0,
                                limits.maxFileBytes() / 1048576.0)));
                return new SpecFileCache.ParsedFile(documents, findings, 1);
            }
            byte[] bytes = reader.open(blob.id(), Constants.OBJ_BLOB).getCachedBytes(limits.maxFileBytes());
            loader.loadFile(new SourceFile(blob.path(), bytes), documents, findings);
            return new SpecFileCache.ParsedFile(documents, findings, bytes.length);
        } catch (IOException e) {
            // an unreadable object is a broken mirror, not a broken spec: fail the read so the poll is retried
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A YAML file of the tree: full path from the repository root and blob id. */
    record YamlBlob(String path, ObjectId id) {
    }

    /**
     * Collects the YAML blobs under {@code path} in path order and returns the folder's tree id, or empty when the
     * folder does not exist. Symbolic links and submodules are skipped: their targets are not in this tree.
     */
    static Optional<ObjectId> yamlBlobs(ObjectReader reader, RevTree root, String path, List<YamlBlob> out) throws IOException {
        ObjectId folder;
        if (path.isEmpty()) {
            folder = root;
        } else {
            try (TreeWalk one = TreeWalk.forPath(reader, path, root)) {
                if (one == null || one.getFileMode(0) != FileMode.TREE) {
                    return Optional.empty();
                }
                folder = one.getObjectId(0);
            }
        }
        try (TreeWalk walk = new TreeWalk(reader)) {
            walk.addTree(folder);
            walk.setRecursive(true);
            String prefix = path.isEmpty() ? "" : path + "/";
            while (walk.next()) {
                FileMode mode = walk.getFileMode(0);
                String name = prefix + walk.getPathString();
                if ((mode == FileMode.REGULAR_FILE || mode == FileMode.EXECUTABLE_FILE) && isYaml(name)) {
                    out.add(new YamlBlob(name, walk.getObjectId(0)));
                }
            }
        }
        out.sort(Comparator.comparing(YamlBlob::path));
        return Optional.of(folder.copy());
    }

    private static boolean isYaml(String path) {
        String p = path.toLowerCase(Locale.ROOT);
        return p.endsWith(".yaml") || p.endsWith(".yml");
    }

    /**
     * The YAML files under {@code path} at {@code ref} of a local repository (bare or with a working tree; the working
     * tree is not looked at), as the CLI's {@code stepwise plan --base REF} compares against. A folder that does not
     * exist at that revision gives an empty list.
     *
     * @param ref anything {@code git rev-parse} understands: a branch, a tag, {@code HEAD~2}, an id
     * @throws IOException when {@code repoDir} is not a repository or {@code ref} names no commit
     */
    public static List<SourceFile> filesAt(Path repoDir, String ref, String path) throws IOException {
        String folder = Refs.normalizePath(path);
        FileRepositoryBuilder builder = new FileRepositoryBuilder().readEnvironment().findGitDir(repoDir.toFile());
        if (builder.getGitDir() == null) {
            File bare = repoDir.toFile();
            if (new File(bare, "objects").isDirectory() && new File(bare, "HEAD").isFile()) {
                builder.setGitDir(bare);
            } else {
                throw new IOException(repoDir + " is not a Git repository");
            }
        }
        try (Repository repo = builder.setMustExist(true).build(); RevWalk walk = new RevWalk(repo)) {
            ObjectId id;
            try {
                id = repo.resolve(ref + "^{commit}");
            } catch (org.eclipse.jgit.errors.RevisionSyntaxException | org.eclipse.jgit.errors.AmbiguousObjectException e) {
                throw new IOException("'" + ref + "' is not a usable revision in " + repoDir + ": " + e.getMessage());
            }
            if (id == null) {
                throw new IOException("no commit '" + ref + "' in " + repoDir);
            }
            RevCommit commit = walk.parseCommit(id);
            List<YamlBlob> blobs = new ArrayList<>();
            ObjectReader reader = walk.getObjectReader();
            if (yamlBlobs(reader, commit.getTree(), folder, blobs).isEmpty()) {
                return List.of();
            }
            List<SourceFile> files = new ArrayList<>();
            for (YamlBlob b : blobs) {
                ObjectLoader loader = reader.open(b.id(), Constants.OBJ_BLOB);
                if (loader.getSize() > MAX_BLOB_BYTES) {
                    throw new IOException(b.path() + " at " + ref + " is " + loader.getSize() + " bytes, too large to read");
                }
                files.add(new SourceFile(b.path(), loader.getCachedBytes(MAX_BLOB_BYTES)));
            }
            return files;
        } catch (MissingObjectException e) {
            throw new IOException("repository " + repoDir + " is missing object " + e.getObjectId().name()
                    + " (a shallow or partial clone?)", e);
        }
    }

    @Override
    public void close() {
        if (ownsMirror) {
            mirror.close();
        }
    }
}
