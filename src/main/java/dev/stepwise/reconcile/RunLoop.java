package dev.stepwise.reconcile;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one repository's cycles on a thread of its own (a slow Git server delays only its own repository): a cycle
 * when Git is due for a poll, when a webhook says the branch moved, or when a rollout asked to be looked at again,
 * whichever comes first. Between cycles the thread waits on a condition for exactly that long; nothing polls in a
 * sleeping loop.
 */
public final class RunLoop implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RunLoop.class);
    /** Follow-up cycles run at once when a decision asks for "now" (an abort's scale-down after its traffic shift). */
    private static final int MAX_IMMEDIATE = 20;

    private final RepositoryReconciler reconciler;
    private final Clock clock;
    private final Duration pollInterval;
    private final Consumer<RepositoryReconciler.CycleReport> onCycle;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private boolean triggered;
    private boolean stopping;
    private Thread thread;

    public RunLoop(RepositoryReconciler reconciler, Clock clock, Duration pollInterval,
                   Consumer<RepositoryReconciler.CycleReport> onCycle) {
        this.reconciler = reconciler;
        this.clock = clock;
        this.pollInterval = pollInterval;
        this.onCycle = onCycle;
    }

    public RepositoryReconciler reconciler() {
        return reconciler;
    }

    /** A webhook said the branch moved: poll at once. */
    public void trigger() {
        lock.lock();
        try {
            triggered = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * One full cycle with a poll, then the follow-ups that are due at once, for {@code --once}: the status commit and
     * the cluster changes of this moment are done when it returns.
     */
    public RepositoryReconciler.CycleReport once() {
        Instant started = clock.instant();
        RepositoryReconciler.CycleReport report = reconciler.cycle(started, true);
        onCycle.accept(report);
        for (int i = 0; i < MAX_IMMEDIATE; i++) {
            // only what the cycle asked for at its own moment (an abort's scale-down after its traffic shift); a
            // rollout that failed and looks again later is not followed, however long the cycle took
            if (report.nextWake().isEmpty() || report.nextWake().get().isAfter(started)) {
                break;
            }
            started = clock.instant();
            report = reconciler.cycle(started, false);
            onCycle.accept(report);
        }
        return report;
    }

    public synchronized RunLoop start() {
        if (thread == null) {
            thread = new Thread(this::run, "stepwise-loop-" + reconciler.settings().name());
            thread.start();
        }
        return this;
    }

    private void run() {
        Instant nextPoll = Instant.MIN;
        while (true) {
            boolean poll;
            lock.lock();
            try {
                if (stopping) {
                    return;
                }
                Instant now = clock.instant();
                poll = triggered || !now.isBefore(nextPoll);
                triggered = false;
            } finally {
                lock.unlock();
            }
            Instant started = clock.instant();
            Optional<Instant> next;
            try {
                RepositoryReconciler.CycleReport report = reconciler.cycle(started, poll);
                onCycle.accept(report);
                next = report.nextWake();
            } catch (RuntimeException e) {
                // a bug must not end the loop: the next cycle starts from Git and cluster state again
                LOG.error("[{}] cycle failed", reconciler.settings().name(), e);
                // rollouts in flight keep their rhythm: try again as soon as a rollout would have been looked at
                next = Optional.of(started.plus(reconciler.settings().observeInterval()));
            }
            if (poll) {
                nextPoll = started.plus(pollInterval);
            }
            Instant pollAt = nextPoll;
            Instant until = next.filter(n -> n.isBefore(pollAt)).orElse(pollAt);
            lock.lock();
            try {
                long nanos = Duration.between(clock.instant(), until).toNanos();
                while (!triggered && !stopping && nanos > 0) {
                    nanos = wake.awaitNanos(nanos);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Stops after the cycle in flight (its status is written and its cluster changes made, or abandoned by their own
     * timeouts), waiting at most {@code timeout}.
     */
    public void stop(Duration timeout) {
        lock.lock();
        try {
            stopping = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            try {
                t.join(timeout.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                LOG.warn("[{}] the cycle in flight did not finish within {}; abandoning it", reconciler.settings().name(), timeout);
                t.interrupt();
            }
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(30));
    }

    /** For tests: whether the loop thread is running. */
    boolean running() {
        Thread t = thread;
        return t != null && t.isAlive();
    }
}
