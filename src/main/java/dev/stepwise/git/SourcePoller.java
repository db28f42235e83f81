package dev.stepwise.git;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls one {@link GitSource} on a schedule: every {@code interval} while polls succeed, after the error's own
 * backoff while they fail (a requeue, never a crash), and at once when {@link #trigger()} is called (a webhook).
 * Triggers that arrive while a poll is already queued are folded into it.
 */
public final class SourcePoller implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SourcePoller.class);

    private final GitSource source;
    private final Duration interval;
    private final Consumer<PollResult> listener;
    private final ScheduledExecutorService scheduler;
    private final AtomicBoolean queued = new AtomicBoolean();
    private ScheduledFuture<?> next;
    private volatile boolean closed;

    /** @param listener told every result (on the poller's thread); an exception it throws is logged and ignored */
    public SourcePoller(GitSource source, Duration interval, Consumer<PollResult> listener) {
        this.source = Objects.requireNonNull(source, "source");
        this.interval = Objects.requireNonNull(interval, "interval");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "stepwise-poll-" + source.config().branch());
            t.setDaemon(true);
            return t;
        });
    }

    /** Polls now, then on schedule. */
    public SourcePoller start() {
        trigger();
        return this;
    }

    /** Polls as soon as possible; returns at once. */
    public void trigger() {
        if (!closed && queued.compareAndSet(false, true)) {
            scheduler.execute(this::run);
        }
    }

    private void run() {
        queued.set(false);
        synchronized (this) {
            if (next != null) {
                next.cancel(false);
            }
        }
        PollResult result = source.poll();
        try {
            listener.accept(result);
        } catch (RuntimeException e) {
            LOG.error("poll listener of {} failed: {}", source.config().describe(), source.mirror().redactor().describe(e));
        }
        Duration wait = result instanceof PollResult.Failed f ? f.error().retryAfter() : interval;
        synchronized (this) {
            if (!closed) {
                next = scheduler.schedule(this::trigger, wait.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        scheduler.shutdownNow();
    }
}
