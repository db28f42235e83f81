package dev.stepwise.ha;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectorBuilder;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election between Stepwise replicas over a coordination.k8s.io/v1 Lease, with fabric8's {@link LeaderElector}
 * doing the acquiring and renewing, and a time fence ({@link #isLeader()}) that the reconciler checks before every
 * write.
 *
 * <h2>Why a fence, and why it makes the handover safe</h2>
 * The elector tells its callbacks when leadership ends, but a callback can come late: its thread may be stuck in a
 * request to an unreachable API server, or the process paused. A replica that keeps writing until it hears the news
 * overlaps the new leader (argo-rollouts #2117: the old leader logged that it stopped leading and kept
 * reconciling). So {@link #isLeader()} does not wait to be told; it is true only until {@code lastRenew +
 * renewDeadline}, where {@code lastRenew} is the local {@link Clock} time at which the last successful renewal
 * <em>started</em> (see {@link FencedLeaseLock}).
 *
 * <p>The other replica can take the lease only after it has seen the lease unchanged for {@code leaseDuration},
 * counted on its own monotonic clock from when it first saw the last renewal, which was written after
 * {@code lastRenew}. So:
 * <pre>
 *   old leader stops writing  at  lastRenew + renewDeadline
 *   new leader can start      at  (a moment after lastRenew) + leaseDuration
 * </pre>
 * and {@code renewDeadline < leaseDuration} leaves a gap of at least {@code leaseDuration - renewDeadline} in which
 * nobody writes. The argument compares durations measured on each machine, never one machine's timestamp with
 * another's, so wall-clock skew between the replicas, or between a replica and the API server, does not matter;
 * only the rate at which clocks run does (parts per million). A renewal that succeeds after the fence closed (a slow
 * request) re-opens it: the PUT carried the resourceVersion this replica had read, so nobody took the lease in between.
 *
 * <h2>Lifecycle</h2>
 * fabric8's elector gives up after a failed renewal; this class then starts a new one after {@code retryPeriod}, so
 * a replica that lost the lease (a partition that healed) becomes a follower again instead of sitting idle.
 * {@link #close()} closes the fence first, then cancels the elector with {@code releaseOnCancel}: the lease is
 * released (holder cleared) and the other replica takes over at its next retry instead of after a lease duration.
 *
 * <p>Listener callbacks run in order on one thread of their own, so a slow listener cannot delay renewals; they are
 * news for the reconcile loop (start or stop working), while the fence is what guards each write.
 */
public final class LeaderElection implements WriteFence, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);

    /** fabric8's elector waits up to retryPeriod × (1 + 1.2) between attempts (jitter); its builder insists on it. */
    static final double FABRIC8_JITTER = 1.2;

    /**
     * The {@code leaderElection} block of the run configuration.
     *
     * @param namespace     where the Lease lives
     * @param leaseName     the Lease's name
     * @param identity      this replica's name in the Lease; must differ between replicas
     * @param leaseDuration how long a follower waits, after seeing the last renewal, before it takes over
     * @param renewDeadline how long the leader keeps acting after its last successful renewal
     * @param retryPeriod   how often the leader renews and a follower tries to acquire
     */
    public record Config(String namespace, String leaseName, String identity, Duration leaseDuration,
                         Duration renewDeadline, Duration retryPeriod) {
        public static final String DEFAULT_LEASE_NAME = "stepwise-leader";
        public static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(15);
        public static final Duration DEFAULT_RENEW_DEADLINE = Duration.ofSeconds(10);
        public static final Duration DEFAULT_RETRY_PERIOD = Duration.ofSeconds(2);

        private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
        private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

        public Config {
            requireName("namespace", namespace);
            if (namespace.length() > 63 || !DNS_LABEL.matcher(namespace).matches()) {
                throw invalid("namespace \"" + namespace + "\" is not a valid namespace name (lower-case letters, digits and '-', at most 63)");
            }
            requireName("leaseName", leaseName);
            if (leaseName.length() > 253 || !DNS_SUBDOMAIN.matcher(leaseName).matches()) {
                throw invalid("leaseName \"" + leaseName + "\" is not a valid object name (lower-case letters, digits, '-' and '.', at most 253)");
            }
            requireName("identity", identity);
            requirePositive("leaseDuration", leaseDuration);
            requirePositive("renewDeadline", renewDeadline);
            requirePositive("retryPeriod", retryPeriod);
            if (leaseDuration.toMillis() % 1000 != 0) {
                throw invalid("leaseDuration must be a whole number of seconds (the Lease stores leaseDurationSeconds), got "
                        + format(leaseDuration));
            }
            if (renewDeadline.compareTo(leaseDuration) >= 0) {
                throw invalid("renewDeadline (" + format(renewDeadline) + ") must be shorter than leaseDuration ("
                        + format(leaseDuration) + "): the difference is the time in which neither replica writes");
            }
            if (retryPeriod.compareTo(renewDeadline) >= 0) {
                throw invalid("retryPeriod (" + format(retryPeriod) + ") must be shorter than renewDeadline ("
                        + format(renewDeadline) + "): the leader must get to renew before its deadline");
            }
            Duration longestWait = retryPeriod.plusMillis((long) Math.ceil(retryPeriod.toMillis() * FABRIC8_JITTER));
            if (renewDeadline.compareTo(longestWait) <= 0) {
                throw invalid("renewDeadline (" + format(renewDeadline) + ") must be longer than 2.2 × retryPeriod ("
                        + format(longestWait) + "): the elector waits up to that long between attempts");
            }
        }

        /** The defaults of the run configuration: lease {@value #DEFAULT_LEASE_NAME}, 15s / 10s / 2s. */
        public static Config defaults(String namespace, String identity) {
            return new Config(namespace, DEFAULT_LEASE_NAME, identity, DEFAULT_LEASE_DURATION, DEFAULT_RENEW_DEADLINE,
                    DEFAULT_RETRY_PERIOD);
        }

        /**
         * The identity when the configuration leaves it empty: {@code $POD_NAME} in a Pod (unique among the replicas
         * and what {@code kubectl get lease} shows), else the host name with the process id, so two processes on one
         * machine never share an identity (two holders with one name would both believe they lead).
         */
        public static String defaultIdentity(Map<String, String> env) {
            String pod = env.get("POD_NAME");
            if (pod != null && !pod.isBlank()) {
                return pod.strip();
            }
            String host;
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = Objects.requireNonNullElse(env.get("HOSTNAME"), "stepwise");
            }
            return host + "_" + ProcessHandle.current().pid();
        }

        private static void requireName(String field, String value) {
            if (value == null || value.isBlank()) {
                throw invalid(field + " must not be empty");
            }
        }

        private static void requirePositive(String field, Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw invalid(field + " must be a positive duration, got " + (value == null ? "nothing" : format(value)));
            }
        }

        private static IllegalArgumentException invalid(String message) {
            return new IllegalArgumentException("leaderElection." + message);
        }
    }

    /** News of leadership, delivered in order on a thread of its own. */
    public interface Listener {
        /** This replica now holds the lease: start reconciling (and still check the fence before each write). */
        void startedLeading();

        /** This replica no longer may write: its fence closed, another took the lease, or it is shutting down. */
        void stoppedLeading();

        /** The lease names a new holder (this replica or another). */
        default void newLeader(String identity) {
        }
    }

    private final KubernetesClient client;
    private final Config config;
    private final Clock clock;
    private final Listener listener;
    private final FencedLeaseLock lock;
    /** Runs the elector's attempts. */
    private final ExecutorService electorExecutor;
    /** Listener callbacks, the fence watchdog and elector restarts: one thread, so callbacks arrive in order. */
    private final ScheduledExecutorService events;

    private final Object state = new Object();
    // guarded by state
    private boolean closed;
    private boolean leading;
    private Instant lastRenew;
    private String holder;
    private String announcedLeader;
    private CompletableFuture<?> running;

    private LeaderElection(KubernetesClient client, Config config, Clock clock, Listener listener) {
        this.client = Objects.requireNonNull(client, "client");
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.lock = new FencedLeaseLock(config.namespace(), config.leaseName(), config.identity(), config.leaseDuration(),
                clock, System::nanoTime, new FencedLeaseLock.Events() {
                    @Override
                    public void renewed(Instant attemptStart) {
                        LeaderElection.this.renewed(attemptStart);
                    }

                    @Override
                    public void notHolder(String holder) {
                        LeaderElection.this.notHolder(holder);
                    }
                });
        this.electorExecutor = Executors.newSingleThreadExecutor(daemon("stepwise-leader-election"));
        ScheduledThreadPoolExecutor events = new ScheduledThreadPoolExecutor(1, daemon("stepwise-leader-events"));
        // on close: deliver the callbacks already queued, drop the watchdog and a pending restart of the elector
        events.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.events = events;
    }

    /**
     * Starts competing for the lease in the background and returns at once (not yet leading).
     *
     * @param clock measures the fence: pass a {@link MonotonicClock} in production so a step of the system clock
     *              cannot stretch a term; tests may pass any clock
     */
    public static LeaderElection start(KubernetesClient client, Config config, Clock clock, Listener listener) {
        LeaderElection election = new LeaderElection(client, config, clock, listener);
        long watchEvery = Math.max(10, Math.min(250, config.retryPeriod().toMillis() / 2));
        election.events.scheduleAtFixedRate(election::watchFence, watchEvery, watchEvery, TimeUnit.MILLISECONDS);
        election.startElector();
        return election;
    }

    /** {@link #start(KubernetesClient, Config, Clock, Listener)} with a {@link MonotonicClock}. */
    public static LeaderElection start(KubernetesClient client, Config config, Listener listener) {
        return start(client, config, MonotonicClock.startingNow(), listener);
    }

    /**
     * True only while this replica holds the lease AND its last successful renewal started less than
     * {@code renewDeadline} ago by {@code clock}: a fence that holds even if the elector's callback thread is late.
     * Every write (Git push, cluster change) checks it.
     */
    public boolean isLeader() {
        synchronized (state) {
            return !closed && leading && lastRenew != null && clock.instant().isBefore(lastRenew.plus(config.renewDeadline()));
        }
    }

    @Override
    public boolean mayWrite() {
        return isLeader();
    }

    /**
     * When the fence closes unless the lease is renewed first (empty when not leading). A write that takes long (a
     * push) can be given this as its deadline.
     */
    public Optional<Instant> leadingUntil() {
        synchronized (state) {
            return isLeader() ? Optional.of(lastRenew.plus(config.renewDeadline())) : Optional.empty();
        }
    }

    /** The holder of the lease as this replica last read or wrote it; empty when it is released or not read yet. */
    public Optional<String> currentLeader() {
        synchronized (state) {
            return Optional.ofNullable(holder).filter(h -> !h.isEmpty());
        }
    }

    public Config config() {
        return config;
    }

    /**
     * Graceful shutdown: closes the fence, stops renewing and releases the lease (fabric8's releaseOnCancel) so the
     * other replica takes over at its next attempt. Returns once the lease is released (or releasing failed) and the
     * listener has heard {@link Listener#stoppedLeading()}.
     */
    @Override
    public void close() {
        CompletableFuture<?> elector;
        synchronized (state) {
            if (closed) {
                return;
            }
            closed = true;
            elector = running;
            stop("shutting down");
        }
        if (elector != null) {
            // runs fabric8's stopLeading on this thread: re-reads the lease and, if it is still ours, clears the holder
            elector.cancel(true);
        }
        electorExecutor.shutdownNow();
        events.shutdown();
        try {
            if (!events.awaitTermination(config.renewDeadline().toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("Leader election listener did not finish within {}", format(config.renewDeadline()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void startElector() {
        synchronized (state) {
            if (closed) {
                return;
            }
        }
        LeaderElector elector = new LeaderElectorBuilder(client, electorExecutor)
                .withConfig(new LeaderElectionConfigBuilder()
                        .withName(config.leaseName())
                        .withLock(lock)
                        .withLeaseDuration(config.leaseDuration())
                        .withRenewDeadline(config.renewDeadline())
                        .withRetryPeriod(config.retryPeriod())
                        .withReleaseOnCancel(true)
                        .withLeaderCallbacks(new LeaderCallbacks(
                                () -> LOG.debug("Elector acquired lease {}", lock.describe()),
                                () -> stopped("the elector stopped renewing"),
                                this::newLeader))
                        .build())
                .build();
        CompletableFuture<?> future = elector.start();
        boolean cancel;
        synchronized (state) {
            cancel = closed;
            running = future;
        }
        if (cancel) {
            future.cancel(true);
            return;
        }
        future.whenComplete((ignored, error) -> {
            synchronized (state) {
                if (closed) {
                    return;
                }
            }
            if (error != null) {
                LOG.warn("Leader election for {} ended with an error; starting over in {}", lock.describe(),
                        format(config.retryPeriod()), error);
            } else {
                LOG.debug("Leader election for {} ended; following again in {}", lock.describe(), format(config.retryPeriod()));
            }
            try {
                events.schedule(this::startElector, config.retryPeriod().toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // closing
            }
        });
    }

    /** A write naming this replica succeeded (from the lock, on the elector's thread). */
    private void renewed(Instant attemptStart) {
        synchronized (state) {
            holder = config.identity();
            announce(holder);
            if (closed) {
                return;
            }
            if (lastRenew == null || attemptStart.isAfter(lastRenew)) {
                lastRenew = attemptStart;
            }
            if (!leading && clock.instant().isBefore(lastRenew.plus(config.renewDeadline()))) {
                leading = true;
                LOG.info("{} leads: holds lease {}/{}", config.identity(), config.namespace(), config.leaseName());
                dispatch(listener::startedLeading);
            }
        }
    }

    /** The lease was seen with another holder, or released (from the lock). */
    private void notHolder(String newHolder) {
        synchronized (state) {
            holder = newHolder;
            announce(newHolder);
            stop(newHolder == null || newHolder.isEmpty() ? "lease released" : "lease is held by " + newHolder);
        }
    }

    private void stopped(String why) {
        synchronized (state) {
            stop(why);
        }
    }

    /** Closes the fence before the deadline passes unnoticed: the callback comes on time even if the elector is stuck. */
    private void watchFence() {
        synchronized (state) {
            if (leading && lastRenew != null && !clock.instant().isBefore(lastRenew.plus(config.renewDeadline()))) {
                stop("no successful renewal within renewDeadline (" + format(config.renewDeadline()) + ")");
            }
        }
    }

    // guarded by state
    private void stop(String why) {
        lastRenew = null;
        if (leading) {
            leading = false;
            if (closed) {
                LOG.info("{} stopped leading lease {}/{}: {}", config.identity(), config.namespace(), config.leaseName(), why);
            } else {
                LOG.warn("{} stopped leading lease {}/{}: {}", config.identity(), config.namespace(), config.leaseName(), why);
            }
            dispatch(listener::stoppedLeading);
        }
    }

    /** fabric8's news of a new holder; the lock has normally reported it already (this keeps the order right). */
    private void newLeader(String identity) {
        synchronized (state) {
            announce(identity);
        }
    }

    // guarded by state: tells the listener about a holder it has not heard of yet (not about a released lease)
    private void announce(String identity) {
        if (identity == null || identity.isEmpty() || identity.equals(announcedLeader)) {
            return;
        }
        announcedLeader = identity;
        if (!identity.equals(config.identity())) {
            LOG.info("Lease {}/{} is held by {}", config.namespace(), config.leaseName(), identity);
        }
        dispatch(() -> listener.newLeader(identity));
    }

    private void dispatch(Runnable callback) {
        try {
            events.execute(() -> {
                try {
                    callback.run();
                } catch (RuntimeException e) {
                    LOG.error("Leader election listener failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("Leader election closed; a listener callback was dropped");
        }
    }

    static String format(Duration d) {
        if (d.toMillis() % 1000 == 0) {
            return d.toSeconds() + "s";
        }
        if (d.toMillis() >= 1000) {
            return d.toMillis() / 1000.0 + "s";
        }
        return d.toMillis() + "ms";
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
