package dev.stepwise.git;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts one commit on a remote branch without ever losing anyone's work: the shared mechanism behind status commits,
 * gate decisions, environment promotions and revert proposals.
 *
 * <p>Each attempt reads where the remote branches are (fetching what the mirror lacks), lets the caller's {@link Plan}
 * build a commit on top of that in the bare {@link Mirror} (no working tree), and pushes it with compare-and-swap: the
 * server moves the branch only if it is still where the plan saw it (or, for a new branch, only if it still does not
 * exist). When someone else pushed in between, the push is refused; the plan is asked again with their commit as the
 * new head, and the next attempt waits an exponential backoff with jitter first. Any other refusal (a hook, a
 * protected branch) fails at once. Nothing is ever forced.
 */
public final class BranchWriter {

    private static final Logger LOG = LoggerFactory.getLogger(BranchWriter.class);

    /**
     * Builds the commit of one attempt. Called again on every attempt with what the remote holds at that moment, so
     * it must compute from {@code heads}, not from a previous attempt, and have no side effects.
     */
    @FunctionalInterface
    public interface Plan {
        /** The commit to push onto {@link Heads#target()}, or empty when there is nothing to commit. */
        Optional<ObjectId> build(Heads heads, ObjectInserter inserter) throws IOException;
    }

    /**
     * Where the branches an attempt looks at are on the remote (all fetched into the mirror).
     *
     * @param repository the mirror's repository, holding every commit named here
     * @param target     the branch the commit goes to; absent from {@code heads} when it does not exist yet
     * @param heads      commit by branch name, for the target and the branches asked to be read alongside it
     */
    public record Heads(Repository repository, String target, Map<String, ObjectId> heads) {
        public Heads {
            heads = Map.copyOf(heads);
        }

        public Optional<ObjectId> targetHead() {
            return of(target);
        }

        public Optional<ObjectId> of(String branch) {
            return Optional.ofNullable(heads.get(branch));
        }
    }

    /** What a {@link #write} did. */
    public sealed interface Outcome permits Outcome.Pushed, Outcome.Unchanged, Outcome.Failed {
        /** The commit is on the remote branch; {@code attempts} pushes it took. */
        record Pushed(ObjectId commit, int attempts) implements Outcome {
        }

        /** The plan had nothing to commit; {@code head} is where the target branch is (empty if it does not exist). */
        record Unchanged(Optional<ObjectId> head) implements Outcome {
        }

        /** Not pushed, nothing of anyone else's touched. */
        record Failed(GitError error, int attempts) implements Outcome {
        }
    }

    private final Mirror mirror;
    private final int maxAttempts;
    private final Backoff backoff;
    private final SplittableRandom random = new SplittableRandom();

    /**
     * @param maxAttempts pushes tried when others keep pushing first (at least 1)
     * @param backoff     the wait between two attempts
     */
    public BranchWriter(Mirror mirror, int maxAttempts, Backoff backoff) {
        this.mirror = Objects.requireNonNull(mirror, "mirror");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        this.maxAttempts = maxAttempts;
        this.backoff = Objects.requireNonNull(backoff, "backoff");
    }

    public Mirror mirror() {
        return mirror;
    }

    /**
     * Builds and pushes one commit onto {@code target}. Never throws for Git or network trouble.
     *
     * @param target   the branch written to (created when it does not exist, unless the plan declines)
     * @param readAlso other branches the plan needs to see (e.g. the tracked branch a new proposal branch starts from)
     * @param what     what is written, for messages: "status", "the gate decision", …
     */
    public synchronized Outcome write(String target, Collection<String> readAlso, String what, Plan plan) {
        Refs.checkBranch(target);
        Set<String> branches = new LinkedHashSet<>();
        branches.add(target);
        branches.addAll(readAlso);
        Redactor redactor = mirror.redactor();
        int attempt = 0;
        while (true) {
            attempt++;
            Map<String, ObjectId> heads;
            try {
                heads = remoteHeads(branches);
            } catch (IOException | RuntimeException e) {
                return failed(e, "reading " + String.join(", ", branches) + " of " + mirror.url() + " before writing " + what, attempt);
            }
            Optional<ObjectId> head = Optional.ofNullable(heads.get(target));
            ObjectId commitId;
            try (ObjectInserter inserter = mirror.repository().newObjectInserter()) {
                Optional<ObjectId> built = plan.build(new Heads(mirror.repository(), target, heads), inserter);
                if (built.isEmpty()) {
                    return new Outcome.Unchanged(head);
                }
                inserter.flush();
                commitId = built.get();
            } catch (IOException e) {
                return failed(e, "building " + what + " in " + mirror.directory(), attempt);
            }

            Mirror.PushOutcome outcome;
            try {
                // compare-and-swap: the server updates the branch only if it is still at the head we built on
                RemoteRefUpdate update = new RemoteRefUpdate(mirror.repository(), null, commitId, Refs.branch(target), false,
                        null, head.orElse(ObjectId.zeroId()));
                outcome = mirror.push(update);
            } catch (IOException | RuntimeException e) {
                return failed(e, "pushing " + what + " to " + target + " of " + mirror.url(), attempt);
            }
            RemoteRefUpdate.Status status = outcome.update().getStatus();
            if (status == RemoteRefUpdate.Status.OK || status == RemoteRefUpdate.Status.UP_TO_DATE) {
                remember(target, commitId);
                LOG.debug("{} {} pushed to {} {} (attempt {})", what, commitId.abbreviate(12).name(), mirror.url(), target, attempt);
                return new Outcome.Pushed(commitId, attempt);
            }
            String why = redactor.redact(status + (outcome.update().getMessage() == null ? "" : " " + outcome.update().getMessage()));
            boolean race = isRace(outcome.update());
            if (!race || attempt >= maxAttempts) {
                String message = "pushing " + what + " to " + target + " of " + mirror.url() + " was refused"
                        + (race ? " " + attempt + " times in a row, as others kept pushing first" : "")
                        + ": " + why + (outcome.serverMessages().isBlank() ? "" : " (" + outcome.serverMessages().strip() + ")");
                Duration after = Backoff.POLL_UNREACHABLE.delay(1, random);
                return new Outcome.Failed(new GitError(GitError.Kind.REJECTED, message, after, attempt), attempt);
            }
            Duration wait = backoff.delay(attempt, random);
            LOG.debug("push of {} to {} lost a race ({}); computing again on the new head in {} ms", what, target, why, wait.toMillis());
            try {
                TimeUnit.MILLISECONDS.sleep(wait.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Outcome.Failed(new GitError(GitError.Kind.LOCAL, "interrupted while writing " + what,
                        Duration.ZERO, attempt), attempt);
            }
        }
    }

    /**
     * Where branches are on the remote, each fetched into the mirror when the mirror does not hold that commit yet.
     * Branches the remote does not have are absent.
     */
    public Map<String, ObjectId> remoteHeads(Collection<String> branches) throws IOException {
        Map<String, ObjectId> heads = new LinkedHashMap<>(mirror.remoteHeads(branches));
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, ObjectId> e : heads.entrySet()) {
            if (!mirror.has(e.getValue())) {
                missing.add(e.getKey());
            }
        }
        if (!missing.isEmpty()) {
            mirror.fetch(missing);
        }
        return heads;
    }

    /** Pushes that lost a race to someone else's push; anything else (a hook, a protected branch) will not pass by retrying. */
    static boolean isRace(RemoteRefUpdate update) {
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

    private Outcome failed(Throwable e, String doing, int attempt) {
        return new Outcome.Failed(GitErrors.classify(e, doing, mirror.redactor(), attempt, random), attempt);
    }

    /** Moves the mirror's branch to what was pushed, so the next read needs no fetch. */
    private void remember(String branch, ObjectId commitId) {
        try {
            RefUpdate ru = mirror.repository().updateRef(Refs.branch(branch));
            ru.setNewObjectId(commitId);
            ru.setRefLogMessage("stepwise: pushed", false);
            ru.forceUpdate();
        } catch (IOException e) {
            // only a cache: the next write or poll fetches it
            LOG.debug("could not move the mirror's {}: {}", branch, e.getClass().getSimpleName());
        }
    }
}
