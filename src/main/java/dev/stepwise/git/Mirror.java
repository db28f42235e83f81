package dev.stepwise.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.FetchConnection;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.Transport;

/**
 * A bare local copy of one remote repository in Stepwise's cache directory: specs are read from its objects, status
 * commits are built in it, and it is the only place Stepwise fetches into or pushes from. There is no working tree.
 * Branches are mirrored as {@code refs/heads/<branch>} (the mirror is a cache: it follows the remote, even when
 * people rewrite history there). Network operations on one mirror run one at a time.
 */
public final class Mirror implements AutoCloseable {

    /** How often the mirror talked to the remote, to prove in tests that an unchanged poll fetched nothing. */
    public record Stats(long listings, long fetches, long pushes) {
    }

    private final GitTransport transport;
    private final Repository repository;
    private final Path directory;
    private final AtomicLong listings = new AtomicLong();
    private final AtomicLong fetches = new AtomicLong();
    private final AtomicLong pushes = new AtomicLong();

    private Mirror(GitTransport transport, Repository repository, Path directory) {
        this.transport = transport;
        this.repository = repository;
        this.directory = directory;
    }

    /** Opens the mirror of {@code transport.url()} under {@code cacheDir}, creating an empty bare repository the first time. */
    public static Mirror open(Path cacheDir, GitTransport transport) throws IOException {
        Objects.requireNonNull(transport, "transport");
        Path dir = cacheDir.resolve(directoryName(transport.url()));
        Files.createDirectories(cacheDir);
        Repository repo = new FileRepositoryBuilder().setGitDir(dir.toFile()).setBare().build();
        if (!repo.getObjectDatabase().exists()) {
            repo.create(true);
        }
        return new Mirror(transport, repo, dir);
    }

    /** Readable and unique: host and path for people looking at the cache folder, a hash of the URL so two never share. */
    static String directoryName(RemoteUrl url) {
        String readable = url.key().replaceAll("[^a-z0-9._-]+", "-").replaceAll("^-+|-+$", "");
        if (readable.length() > 80) {
            readable = readable.substring(readable.length() - 80);
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(url.value().getBytes(StandardCharsets.UTF_8));
            return readable + "-" + HexFormat.of().formatHex(hash, 0, 6) + ".git";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public RemoteUrl url() {
        return transport.url();
    }

    public Repository repository() {
        return repository;
    }

    public Path directory() {
        return directory;
    }

    public Redactor redactor() {
        return transport.redactor();
    }

    public Stats stats() {
        return new Stats(listings.get(), fetches.get(), pushes.get());
    }

    /** Where a branch of the mirror points (what was fetched last), if anywhere. */
    public Optional<ObjectId> local(String branch) throws IOException {
        Ref ref = repository.exactRef(Refs.branch(branch));
        return Optional.ofNullable(ref).map(Ref::getObjectId);
    }

    /** Whether the mirror already holds an object (so a fetch of it would bring nothing). */
    public boolean has(ObjectId id) throws IOException {
        return repository.getObjectDatabase().has(id);
    }

    /**
     * Asks the remote where the given branches point, like {@code git ls-remote}: one small request, no objects.
     * Branches the remote does not have are absent from the answer.
     */
    public synchronized Map<String, ObjectId> remoteHeads(Collection<String> branches) throws IOException {
        List<RefSpec> specs = branches.stream().map(b -> new RefSpec(Refs.branch(b))).toList();
        Map<String, ObjectId> out = new LinkedHashMap<>();
        listings.incrementAndGet();
        try (Transport t = transport.open(repository); FetchConnection c = t.openFetch(specs)) {
            for (String b : branches) {
                Ref ref = c.getRef(Refs.branch(b));
                if (ref != null && ref.getObjectId() != null) {
                    out.put(b, ref.getObjectId());
                }
            }
        }
        return out;
    }

    /**
     * Fetches branches into the mirror's {@code refs/heads/}, incrementally (JGit tells the server what the mirror
     * already has). Every branch named must exist on the remote.
     */
    public synchronized void fetch(Collection<String> branches) throws IOException {
        List<RefSpec> specs = new ArrayList<>();
        for (String b : branches) {
            specs.add(new RefSpec("+" + Refs.branch(b) + ":" + Refs.branch(b)));
        }
        fetches.incrementAndGet();
        try (Transport t = transport.open(repository)) {
            t.setTagOpt(TagOpt.NO_TAGS);
            t.setRemoveDeletedRefs(false);
            t.fetch(NullProgressMonitor.INSTANCE, specs);
        }
    }

    /**
     * Where a branch points on the remote and, when that is a commit the mirror does not hold yet, the fetch of it over
     * the same connection: one ref advertisement serves both, so a poll that finds the branch moved costs one round
     * trip less than a listing followed by a separate fetch (over smart HTTP, a GET of info/refs is saved).
     */
    public synchronized Optional<Listed> listAndFetch(String branch) throws IOException {
        String ref = Refs.branch(branch);
        listings.incrementAndGet();
        try (Transport t = transport.open(repository); FetchConnection c = t.openFetch(List.of(new RefSpec(ref)))) {
            Ref remote = c.getRef(ref);
            if (remote == null || remote.getObjectId() == null) {
                return Optional.empty();
            }
            ObjectId head = remote.getObjectId();
            boolean fetched = false;
            if (!has(head)) {
                fetches.incrementAndGet();
                // the connection negotiates with what the mirror's refs reach, so only new objects come
                c.fetch(NullProgressMonitor.INSTANCE, List.of(remote), java.util.Set.of());
                fetched = true;
                if (!has(head)) {
                    throw new IOException("fetching " + branch + " brought no commit " + head.name());
                }
            }
            if (!head.equals(local(branch).orElse(null))) {
                // the mirror follows the remote, as the forced refspec of fetch() does
                org.eclipse.jgit.lib.RefUpdate update = repository.updateRef(ref);
                update.setNewObjectId(head);
                update.setRefLogMessage("stepwise: fetched", false);
                update.forceUpdate();
            }
            return Optional.of(new Listed(head, fetched));
        }
    }

    /** A branch's remote head, and whether {@link #listAndFetch} had to fetch it. */
    public record Listed(ObjectId head, boolean fetched) {
    }

    /** Pushes one ref update (never forced: callers build them with force=false); its status says what happened. */
    public synchronized PushOutcome push(RemoteRefUpdate update) throws IOException {
        pushes.incrementAndGet();
        try (Transport t = transport.open(repository)) {
            PushResult result = t.push(NullProgressMonitor.INSTANCE, List.of(update));
            RemoteRefUpdate done = result.getRemoteUpdate(update.getRemoteName());
            return new PushOutcome(done == null ? update : done, redactor().redact(result.getMessages()));
        }
    }

    /** The update as the server answered it, and what the server printed (redacted). */
    public record PushOutcome(RemoteRefUpdate update, String serverMessages) {
    }

    @Override
    public void close() {
        repository.close();
        transport.close();
    }
}
