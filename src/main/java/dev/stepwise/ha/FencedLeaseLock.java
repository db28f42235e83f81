package dev.stepwise.ha;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * fabric8's {@link LeaseLock} with three changes that the fence of {@link LeaderElection} needs.
 *
 * <ol>
 *   <li><b>It knows when this replica last renewed.</b> fabric8's elector keeps that to itself. Every
 *   {@code tryAcquireOrRenew} of the elector reads the lease ({@link #get}) and then creates or updates it; the lock
 *   notes the local {@link Clock} time when the read starts, and when the following write with this replica's
 *   identity succeeds it reports that instant as the renewal. The start of the attempt, not the end: the lease the
 *   other replicas see was written after that instant, so a term counted from it ends no later than one counted from
 *   what they saw. It is this process's own clock, never the server's or the time written in the lease.</li>
 *   <li><b>A follower counts the lease's age on its own monotonic clock.</b> fabric8 lets a follower take over when
 *   the lease's {@code renewTime} (written with the leader's wall clock) plus its duration is before the follower's
 *   wall clock: a follower whose clock runs ahead would take over early and overlap the leader. Here {@link #get}
 *   hands the elector a {@code renewTime} of "now minus how long this process has seen the lease unchanged" (by
 *   {@code resourceVersion}, measured with {@link System#nanoTime()}), so fabric8's comparison becomes "unchanged for
 *   a whole lease duration as seen from here", whatever the two machines' wall clocks say. This is how client-go
 *   decides too. The price: a replica that starts while an abandoned lease exists waits one lease duration.</li>
 *   <li><b>Writes are a PUT carrying the resourceVersion read</b> ({@code update}), so a write based on a stale read
 *   fails with 409 Conflict instead of overwriting a newer holder; fabric8 8.0's lock sends a JSON merge patch. The
 *   role needs {@code get}, {@code create} and {@code update} on leases, nothing else.</li>
 *   <li><b>A lease deleted while another replica held it is not up for grabs at once.</b> fabric8 creates a missing
 *   lease and leads immediately, which would overlap a holder that is still acting. Here a follower treats the
 *   absence as one more unchanged state of the last lease it saw and creates it only after a lease duration; the
 *   holder itself re-creates it at its next renewal.</li>
 * </ol>
 *
 * <p>Failures of any kind surface as {@link KubernetesClientException}, the only exception the elector's loops
 * catch: anything else would end the loop's task silently.
 */
final class FencedLeaseLock extends LeaseLock {

    /** What the lock reports to the election. Called on the elector's thread, under the lock's monitor. */
    interface Events {
        /** A write naming this replica as holder succeeded; the attempt started at {@code attemptStart}. */
        void renewed(Instant attemptStart);

        /** The lease was read or written with another holder (or none): this replica no longer holds it. */
        void notHolder(String holder);
    }

    private final String namespace;
    private final String name;
    private final Duration defaultLeaseDuration;
    private final Clock clock;
    private final LongSupplier nanoTime;
    private final Events events;

    /** The lease as last read or written: its resourceVersion guards the next update. */
    private Lease current;
    /** Local clock time at the start of the current acquire-or-renew attempt (the last {@link #get}). */
    private Instant attemptStart;
    private String seenVersion;
    private long seenSinceNanos;
    /** The holder and transition count as last read or written, for a lease that has since disappeared. */
    private String lastHolder;
    private int lastTransitions;

    /** The "version" of a lease that does not exist. */
    private static final String ABSENT = "";

    FencedLeaseLock(String namespace, String name, String identity, Duration defaultLeaseDuration, Clock clock,
            LongSupplier nanoTime, Events events) {
        super(namespace, name, identity);
        this.namespace = namespace;
        this.name = name;
        this.defaultLeaseDuration = defaultLeaseDuration;
        this.clock = clock;
        this.nanoTime = nanoTime;
        this.events = events;
    }

    @Override
    public synchronized LeaderElectionRecord get(KubernetesClient client) {
        attemptStart = clock.instant();
        Lease lease = call("read", () -> client.leases().inNamespace(namespace).withName(name).get());
        current = lease;
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        if (lease == null) {
            if (lastHolder == null || lastHolder.isEmpty() || lastHolder.equals(identity())) {
                return null; // never seen, released, or ours: the elector creates it at once
            }
            // Deleted (by hand) while another replica held it: that replica may still be acting. fabric8 would
            // create the lease and lead at once; instead the absence counts as one more unchanged state of the
            // lease, held by the last holder seen, and is taken over (created, see update) after leaseDuration.
            seen(ABSENT);
            events.notHolder(lastHolder);
            return new LeaderElectionRecord(lastHolder, defaultLeaseDuration, now, now.minus(unchangedFor()), lastTransitions);
        }
        seen(version(lease));
        LeaseSpec spec = lease.getSpec() == null ? new LeaseSpec() : lease.getSpec();
        String holder = spec.getHolderIdentity();
        lastHolder = holder;
        lastTransitions = spec.getLeaseTransitions() == null ? 0 : spec.getLeaseTransitions();
        if (!identity().equals(holder)) {
            events.notHolder(holder);
        }
        return new LeaderElectionRecord(holder,
                spec.getLeaseDurationSeconds() == null ? defaultLeaseDuration : Duration.ofSeconds(spec.getLeaseDurationSeconds()),
                spec.getAcquireTime() == null ? now : spec.getAcquireTime(),
                now.minus(unchangedFor()),
                lastTransitions);
    }

    @Override
    public synchronized void create(KubernetesClient client, LeaderElectionRecord record) {
        Instant started = attemptStart == null ? clock.instant() : attemptStart;
        Lease lease = toResource(record, getObjectMeta(null));
        written(call("create", () -> client.leases().inNamespace(namespace).resource(lease).create()), record, started);
    }

    @Override
    public synchronized void update(KubernetesClient client, LeaderElectionRecord record) {
        Instant started = attemptStart == null ? clock.instant() : attemptStart;
        if (current == null) {
            // taking over a lease that was deleted (see get): nothing to update, create it
            Lease created = toResource(record, getObjectMeta(null));
            written(call("create", () -> client.leases().inNamespace(namespace).resource(created).create()), record, started);
            return;
        }
        Lease lease = toResource(record, getObjectMeta(current.getMetadata().getResourceVersion()));
        written(call("update", () -> client.leases().inNamespace(namespace).resource(lease).update()), record, started);
    }

    private void written(Lease lease, LeaderElectionRecord record, Instant started) {
        current = lease;
        seen(version(lease));
        lastHolder = record.getHolderIdentity();
        lastTransitions = record.getLeaderTransitions();
        if (identity().equals(record.getHolderIdentity())) {
            events.renewed(started);
        } else {
            events.notHolder(record.getHolderIdentity()); // fabric8's release: holder cleared
        }
    }

    private static String version(Lease lease) {
        String version = lease.getMetadata() == null ? null : lease.getMetadata().getResourceVersion();
        // no resourceVersion (not a real API server): compare the content instead
        return version != null ? version : String.valueOf(lease.getSpec());
    }

    /** Restarts the "unchanged since" count when the lease has changed since the last look. */
    private void seen(String version) {
        if (!version.equals(seenVersion)) {
            seenVersion = version;
            seenSinceNanos = nanoTime.getAsLong();
        }
    }

    /** How long this process has seen the lease in its current state, by its monotonic clock. */
    private Duration unchangedFor() {
        return Duration.ofNanos(nanoTime.getAsLong() - seenSinceNanos);
    }

    private <T> T call(String what, Supplier<T> request) {
        try {
            return request.get();
        } catch (KubernetesClientException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new KubernetesClientException("cannot " + what + " lease " + namespace + "/" + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return describe();
    }
}
