package dev.stepwise.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stepwise.cluster.RequestLog;
import dev.stepwise.cluster.embedded.EmbeddedCluster;
import dev.stepwise.ha.LeaderElection.Config;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Two replicas, each with its own client, against one embedded API server (fabric8's mock server in CRUD mode).
 * A "dead" leader is one whose requests stop reaching the server: refused (a network partition) or hanging (a stuck
 * elector thread). Leadership is watched two ways, by the listener's callbacks and by polling {@code isLeader()}
 * every couple of milliseconds, and the instants are compared.
 */
class LeaderElectionIT {
    static final String NS = "stepwise";
    static final String LEASE = "stepwise-leader";
    static final Duration LEASE_DURATION = Duration.ofSeconds(2);
    static final Duration RENEW_DEADLINE = Duration.ofMillis(1500);
    static final Duration RETRY = Duration.ofMillis(250);
    /** A follower tries every retryPeriod × (1..2.2) (fabric8's jitter). */
    static final Duration LONGEST_RETRY = Duration.ofMillis(550);

    EmbeddedCluster cluster;
    final RequestLog requests = new RequestLog();
    final List<Replica> replicas = new ArrayList<>();
    Watch watch;

    @BeforeEach
    void start() {
        cluster = EmbeddedCluster.start(Duration.ZERO);
    }

    @AfterEach
    void stop() {
        if (watch != null) {
            watch.close();
        }
        replicas.forEach(Replica::close);
        cluster.close();
    }

    static Config config(String identity) {
        return new Config(NS, LEASE, identity, LEASE_DURATION, RENEW_DEADLINE, RETRY);
    }

    @Test
    void exactlyOneLeadsAndAfterAPartitionTheOtherTakesOverOnlyOnceTheOldLeaderHasStopped() {
        Replica a = replica(config("stepwise-a"));
        Replica b = replica(config("stepwise-b"));
        watch = new Watch(a, b);

        await().atMost(Duration.ofSeconds(10)).until(() -> a.isLeader() ^ b.isLeader());
        Replica leader = a.isLeader() ? a : b;
        Replica follower = leader == a ? b : a;
        await().atMost(Duration.ofSeconds(5)).until(() -> follower.election.currentLeader().equals(Optional.of(leader.name)));
        // several lease durations of renewing: the leader stays, the follower follows
        await().during(LEASE_DURATION.multipliedBy(2)).atMost(LEASE_DURATION.multipliedBy(3))
                .until(() -> leader.isLeader() && !follower.isLeader());
        assertThat(leader.events()).containsExactly("newLeader " + leader.name, "startedLeading");
        assertThat(follower.events()).containsExactly("newLeader " + leader.name);

        long cut = System.nanoTime();
        leader.partition.refuse();
        await().atMost(LEASE_DURATION.plus(LONGEST_RETRY.multipliedBy(2)).plusSeconds(1)).until(follower::isLeader);
        long takeover = watch.firstChange(follower, true, cut);
        long fenced = watch.firstChange(leader, false, cut);

        // the old leader's fence closed within renewDeadline of its last renewal, before the new leader started ...
        assertThat(ms(fenced - cut)).isLessThanOrEqualTo(RENEW_DEADLINE.toMillis() + 500);
        assertThat(ms(takeover - fenced)).as("gap between the old leader stopping and the new one starting, ms")
                .isGreaterThanOrEqualTo((LEASE_DURATION.toMillis() - RENEW_DEADLINE.toMillis()) / 2);
        // ... and the new leader waited out the lease: its last renewal was at most one retryPeriod before the cut
        assertThat(ms(takeover - cut)).isBetween(LEASE_DURATION.minus(RETRY).toMillis() - 100,
                LEASE_DURATION.plus(LONGEST_RETRY.multipliedBy(2)).toMillis() + 1000);
        // the callbacks say the same, in the same order (the old leader's arrives from its fence watchdog)
        long stoppedCallback = leader.eventAt("stoppedLeading");
        long startedCallback = follower.eventAt("startedLeading");
        assertThat(stoppedCallback).isLessThan(startedCallback);
        assertThat(ms(startedCallback - stoppedCallback)).isGreaterThanOrEqualTo(100);
        assertThat(follower.events()).containsExactly("newLeader " + leader.name, "newLeader " + follower.name, "startedLeading");
        assertThat(watch.overlaps()).as("instants at which both replicas said isLeader()").isZero();

        Lease lease = cluster.client().leases().inNamespace(NS).withName(LEASE).get();
        assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(follower.name);
        assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(2);
        assertThat(lease.getSpec().getLeaseTransitions()).isEqualTo(1);

        // the partition heals: the old leader follows the new one and does not lead again
        leader.partition.heal();
        await().atMost(Duration.ofSeconds(5)).until(() -> leader.election.currentLeader().equals(Optional.of(follower.name)));
        await().during(LEASE_DURATION).atMost(LEASE_DURATION.plusSeconds(1)).until(() -> follower.isLeader() && !leader.isLeader());
        assertThat(leader.events()).containsExactly("newLeader " + leader.name, "startedLeading", "stoppedLeading", "newLeader " + follower.name);
        assertThat(watch.overlaps()).isZero();
    }

    @Test
    void theFenceClosesOnTimeEvenWhenTheElectorThreadIsStuck() {
        Replica a = replica(config("stepwise-a"));
        await().atMost(Duration.ofSeconds(5)).until(a::isLeader);
        Replica b = replica(config("stepwise-b"));
        watch = new Watch(a, b);
        await().atMost(Duration.ofSeconds(5)).until(() -> b.election.currentLeader().equals(Optional.of("stepwise-a")));

        // every request of a's elector now blocks on its own thread: no renewal, no callback from fabric8
        Instant renewedBefore = a.election.leadingUntil().orElseThrow().minus(RENEW_DEADLINE);
        long cut = System.nanoTime();
        a.partition.hang();
        await().atMost(RENEW_DEADLINE.plusSeconds(1)).until(() -> !a.isLeader());
        assertThat(Duration.between(renewedBefore, Instant.now())).isGreaterThanOrEqualTo(RENEW_DEADLINE);
        assertThat(a.partition.blocked()).as("requests stuck in a's client").isPositive();
        // the listener heard it from the watchdog, not from the (stuck) elector
        await().atMost(Duration.ofSeconds(1)).until(() -> a.events().contains("stoppedLeading"));

        await().atMost(LEASE_DURATION.plus(LONGEST_RETRY.multipliedBy(2)).plusSeconds(1)).until(b::isLeader);
        long fenced = watch.firstChange(a, false, cut);
        long takeover = watch.firstChange(b, true, cut);
        assertThat(ms(takeover - fenced)).isGreaterThanOrEqualTo((LEASE_DURATION.toMillis() - RENEW_DEADLINE.toMillis()) / 2);
        assertThat(a.eventAt("stoppedLeading")).isLessThan(b.eventAt("startedLeading"));

        // the stuck requests go through late: a's renewal was based on a stale read and must not win the lease back
        a.partition.heal();
        await().during(LEASE_DURATION).atMost(LEASE_DURATION.plusSeconds(1)).until(() -> b.isLeader() && !a.isLeader());
        assertThat(cluster.client().leases().inNamespace(NS).withName(LEASE).get().getSpec().getHolderIdentity()).isEqualTo("stepwise-b");
        assertThat(watch.overlaps()).isZero();
    }

    @Test
    void gracefulCloseReleasesTheLeaseAndTheOtherTakesOverMuchFasterThanTheLeaseDuration() {
        Duration longLease = Duration.ofSeconds(6);
        Config slow = new Config(NS, LEASE, "stepwise-a", longLease, Duration.ofSeconds(4), RETRY);
        Replica a = replica(slow);
        await().atMost(Duration.ofSeconds(5)).until(a::isLeader);
        Replica b = replica(new Config(NS, LEASE, "stepwise-b", longLease, Duration.ofSeconds(4), RETRY));
        watch = new Watch(a, b);
        await().atMost(Duration.ofSeconds(5)).until(() -> b.election.currentLeader().equals(Optional.of("stepwise-a")));

        long closing = System.nanoTime();
        a.election.close();
        // close returns with the fence shut, the listener told and the lease released (or already taken)
        assertThat(a.isLeader()).isFalse();
        assertThat(a.events()).endsWith("stoppedLeading");
        String holder = cluster.client().leases().inNamespace(NS).withName(LEASE).get().getSpec().getHolderIdentity();
        assertThat(holder).isIn(null, "", "stepwise-b");

        await().atMost(Duration.ofSeconds(2)).until(b::isLeader);
        long takeover = watch.firstChange(b, true, closing);
        assertThat(ms(takeover - closing)).as("handover after close, ms").isLessThan(LONGEST_RETRY.toMillis() + 1000)
                .isLessThan(longLease.toMillis() / 3);
        assertThat(a.eventAt("stoppedLeading")).isLessThan(b.eventAt("startedLeading"));
        assertThat(watch.overlaps()).isZero();
    }

    @Test
    void aFollowerCountsTheLeaseAgeOnItsOwnClockNotByTheRenewTimeWrittenInTheLease() {
        // a holder whose wall clock is an hour behind (or a follower's an hour ahead): by renewTime the lease
        // expired long ago, yet its holder may be renewing right now. Taking over at once would overlap it.
        ZonedDateTime anHourAgo = ZonedDateTime.now(ZoneOffset.UTC).minusHours(1);
        cluster.client().leases().inNamespace(NS).resource(new LeaseBuilder()
                .withNewMetadata().withName(LEASE).withNamespace(NS).endMetadata()
                .withNewSpec().withHolderIdentity("skewed-holder").withLeaseDurationSeconds(2)
                .withAcquireTime(anHourAgo).withRenewTime(anHourAgo).withLeaseTransitions(3).endSpec()
                .build()).create();

        long started = System.nanoTime();
        Replica a = replica(config("stepwise-a"));
        await().atMost(Duration.ofSeconds(2)).until(() -> a.election.currentLeader().equals(Optional.of("skewed-holder")));
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(2)).until(() -> !a.isLeader());
        // the holder never renews: a takes over once it has seen the lease unchanged for the lease's duration
        await().atMost(Duration.ofSeconds(3)).until(a::isLeader);
        assertThat(ms(System.nanoTime() - started)).isGreaterThanOrEqualTo(LEASE_DURATION.toMillis());
        Lease lease = cluster.client().leases().inNamespace(NS).withName(LEASE).get();
        assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("stepwise-a");
        assertThat(lease.getSpec().getLeaseTransitions()).isEqualTo(4);
        assertThat(a.events()).containsExactly("newLeader skewed-holder", "newLeader stepwise-a", "startedLeading");
    }

    @Test
    void replicasWhoseClocksDisagreeByAnHourStillLeadOneAtATimeAndHandOver() {
        // the fence compares this process's clock with itself only; the lease's renewTime (another clock) is not used
        Replica behind = replica(config("stepwise-a"), Clock.offset(Clock.systemUTC(), Duration.ofHours(-1)));
        await().atMost(Duration.ofSeconds(5)).until(behind::isLeader);
        Replica ahead = replica(config("stepwise-b"), Clock.offset(Clock.systemUTC(), Duration.ofHours(1)));
        watch = new Watch(behind, ahead);
        await().during(LEASE_DURATION.multipliedBy(2)).atMost(LEASE_DURATION.multipliedBy(3)).until(() -> behind.isLeader() && !ahead.isLeader());
        assertThat(behind.election.leadingUntil().orElseThrow())
                .isBetween(Instant.now().minus(Duration.ofHours(1)), Instant.now().minus(Duration.ofHours(1)).plus(RENEW_DEADLINE));

        behind.partition.refuse();
        await().atMost(LEASE_DURATION.plus(LONGEST_RETRY.multipliedBy(2)).plusSeconds(1)).until(ahead::isLeader);
        assertThat(behind.isLeader()).isFalse();
        assertThat(watch.overlaps()).isZero();
        assertThat(behind.eventAt("stoppedLeading")).isLessThan(ahead.eventAt("startedLeading"));
    }

    @Test
    void aLeaseDeletedByHandIsRecreatedByItsHolderAndNotSnatchedByTheFollower() {
        Replica a = replica(config("stepwise-a"));
        await().atMost(Duration.ofSeconds(5)).until(a::isLeader);
        Replica b = replica(config("stepwise-b"));
        watch = new Watch(a, b);
        await().atMost(Duration.ofSeconds(5)).until(() -> b.election.currentLeader().equals(Optional.of("stepwise-a")));

        // the holder is alive: it re-creates the lease at its next renewal and keeps leading
        cluster.client().leases().inNamespace(NS).withName(LEASE).delete();
        await().during(LEASE_DURATION.multipliedBy(2)).atMost(LEASE_DURATION.multipliedBy(3)).until(() -> a.isLeader() && !b.isLeader());
        assertThat(cluster.client().leases().inNamespace(NS).withName(LEASE).get().getSpec().getHolderIdentity()).isEqualTo("stepwise-a");

        // the holder is cut off when the lease is deleted: the follower must still wait out a lease duration, since
        // the holder may be writing until its fence closes (fabric8 alone would create the lease and lead at once)
        long cut = System.nanoTime();
        a.partition.refuse();
        cluster.client().leases().inNamespace(NS).withName(LEASE).delete();
        await().atMost(LEASE_DURATION.plus(LONGEST_RETRY.multipliedBy(2)).plusSeconds(1)).until(b::isLeader);
        long takeover = watch.firstChange(b, true, cut);
        assertThat(ms(takeover - cut)).isGreaterThanOrEqualTo(LEASE_DURATION.toMillis() - 100);
        assertThat(ms(takeover - watch.firstChange(a, false, cut))).isGreaterThanOrEqualTo((LEASE_DURATION.toMillis() - RENEW_DEADLINE.toMillis()) / 2);
        assertThat(watch.overlaps()).isZero();
        assertThat(cluster.client().leases().inNamespace(NS).withName(LEASE).get().getSpec().getHolderIdentity()).isEqualTo("stepwise-b");
    }

    @Test
    void aWriteBasedOnAStaleReadIsRejectedAndDoesNotCountAsARenewal() {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<Instant> renewed = new AtomicReference<>();
        Instant t0 = Instant.parse("2026-01-01T10:00:00Z");
        FencedLeaseLock lock = new FencedLeaseLock(NS, LEASE, "stepwise-a", LEASE_DURATION, Clock.fixed(t0, ZoneOffset.UTC),
                System::nanoTime, new FencedLeaseLock.Events() {
                    @Override
                    public void renewed(Instant attemptStart) {
                        renewed.set(attemptStart);
                    }

                    @Override
                    public void notHolder(String holder) {
                        seen.add(String.valueOf(holder));
                    }
                });
        KubernetesClient client = cluster.client();
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        assertThat(lock.get(client)).isNull();
        lock.create(client, new LeaderElectionRecord("stepwise-a", LEASE_DURATION, now, now, 0));
        assertThat(renewed.getAndSet(null)).isEqualTo(t0);

        // someone else writes the lease between our read and our write
        LeaderElectionRecord ours = lock.get(client);
        assertThat(ours.getHolderIdentity()).isEqualTo("stepwise-a");
        cluster.client().leases().inNamespace(NS).withName(LEASE).edit(l -> {
            l.getSpec().setHolderIdentity("intruder");
            return l;
        });
        try {
            lock.update(client, new LeaderElectionRecord("stepwise-a", LEASE_DURATION, now, now, 0));
            throw new AssertionError("a stale update must fail");
        } catch (KubernetesClientException e) {
            assertThat(e.getCode()).isEqualTo(409);
        }
        assertThat(renewed.get()).as("a failed write is no renewal").isNull();
        assertThat(cluster.client().leases().inNamespace(NS).withName(LEASE).get().getSpec().getHolderIdentity()).isEqualTo("intruder");
        assertThat(lock.get(client).getHolderIdentity()).isEqualTo("intruder");
        assertThat(seen).containsExactly("intruder");
    }

    @Test
    void theElectionSendsOnlyGetCreateAndUpdateOfItsOwnLeaseAndTheRoleAllowsExactlyThat() throws IOException {
        Replica a = replica(config("stepwise-a"));
        await().atMost(Duration.ofSeconds(5)).until(a::isLeader);                                   // create
        Replica b = replica(config("stepwise-b"));
        await().atMost(Duration.ofSeconds(5)).until(() -> b.election.currentLeader().equals(Optional.of("stepwise-a"))); // get
        await().atMost(Duration.ofSeconds(5)).until(() -> requests.all().stream().filter(r -> r.method().equals("PUT")).count() >= 2); // renew
        a.election.close();                                                                          // release
        await().atMost(Duration.ofSeconds(3)).until(b::isLeader);                                    // take over
        b.election.close();

        Set<String> sent = new LinkedHashSet<>();
        for (RequestLog.Request r : requests.all()) {
            sent.add(permission(r));
        }
        String base = "coordination.k8s.io leases ";
        assertThat(sent).containsExactlyInAnyOrder(base + "create", base + "get " + LEASE, base + "update " + LEASE);
        assertThat(requests.all()).allSatisfy(r -> assertThat(r.path()).startsWith("/apis/coordination.k8s.io/v1/namespaces/" + NS + "/leases"));
        assertThat(granted("deploy/base/leader-election-rbac.yaml")).isEqualTo(sent);
    }

    /** "group resource verb [name]" of a request, as RBAC sees it. */
    static String permission(RequestLog.Request r) {
        String[] p = r.path().substring(1).split("/");
        // /apis/{group}/{version}/namespaces/{ns}/{resource}[/{name}]
        assertThat(p[0]).isEqualTo("apis");
        assertThat(p[3]).isEqualTo("namespaces");
        String name = p.length > 6 ? p[6] : null;
        String verb = switch (r.method()) {
            case "GET" -> name != null ? "get" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> "delete";
            default -> r.method();
        };
        return p[1] + " " + p[5] + " " + verb + (name == null || verb.equals("create") ? "" : " " + name);
    }

    @SuppressWarnings("unchecked")
    static Set<String> granted(String file) throws IOException {
        // the Role document of the file (kustomize gives it its namespace when installed)
        Map<String, Object> role = null;
        for (Object doc : new Load(LoadSettings.builder().build()).loadAllFromString(Files.readString(Path.of(file)))) {
            if ("Role".equals(((Map<String, Object>) doc).get("kind"))) {
                role = (Map<String, Object>) doc;
            }
        }
        assertThat(role).as("a Role in " + file).isNotNull();
        Set<String> out = new LinkedHashSet<>();
        for (Object o : (List<Object>) role.get("rules")) {
            Map<String, Object> rule = (Map<String, Object>) o;
            List<Object> names = (List<Object>) rule.getOrDefault("resourceNames", List.of());
            for (Object g : (List<Object>) rule.get("apiGroups")) {
                for (Object res : (List<Object>) rule.get("resources")) {
                    for (Object v : (List<Object>) rule.get("verbs")) {
                        assertThat(List.of(g, res, v)).as("no wildcards").doesNotContain("*");
                        if (names.isEmpty()) {
                            out.add(g + " " + res + " " + v);
                        } else {
                            names.forEach(n -> out.add(g + " " + res + " " + v + " " + n));
                        }
                    }
                }
            }
        }
        return out;
    }

    static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    Replica replica(Config config) {
        return replica(config, Clock.systemUTC());
    }

    Replica replica(Config config, Clock clock) {
        Replica r = new Replica(config, clock);
        replicas.add(r);
        return r;
    }

    /** One Stepwise process: its own client (through its own "network") and its election. */
    final class Replica implements AutoCloseable {
        final String name;
        final Partition partition = new Partition();
        final KubernetesClient client;
        final LeaderElection election;
        private final List<String> events = Collections.synchronizedList(new ArrayList<>());
        private final Map<String, Long> eventTimes = Collections.synchronizedMap(new java.util.HashMap<>());

        Replica(Config config, Clock clock) {
            name = config.identity();
            // no client-side retries: a refused request fails at once, as the elector would see a partition
            client = new KubernetesClientBuilder()
                    .withConfig(new ConfigBuilder(cluster.client().getConfiguration()).withRequestRetryBackoffLimit(0)
                            .withRequestTimeout(2000).build())
                    .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("partition", partition)
                            .addOrReplaceInterceptor("requests", requests))
                    .build();
            election = LeaderElection.start(client, config, clock, new LeaderElection.Listener() {
                @Override
                public void startedLeading() {
                    record("startedLeading");
                }

                @Override
                public void stoppedLeading() {
                    record("stoppedLeading");
                }

                @Override
                public void newLeader(String identity) {
                    record("newLeader " + identity);
                }
            });
        }

        private void record(String event) {
            eventTimes.putIfAbsent(event, System.nanoTime());
            events.add(event);
        }

        boolean isLeader() {
            return election.isLeader();
        }

        List<String> events() {
            return List.copyOf(events);
        }

        /** When the listener first heard {@code event} (System.nanoTime). */
        long eventAt(String event) {
            Long at = eventTimes.get(event);
            assertThat(at).as(name + " heard " + event).isNotNull();
            return at;
        }

        @Override
        public void close() {
            partition.heal();
            election.close();
            client.close();
        }
    }

    /** Cuts a client off the API server: requests go to a closed port (refused), or block until healed. */
    static final class Partition implements Interceptor {
        private volatile String mode = "open";
        private volatile CountDownLatch healed = new CountDownLatch(0);
        private final AtomicInteger blocked = new AtomicInteger();
        private final int closedPort = dev.stepwise.testing.FreePort.pick();

        void refuse() {
            mode = "refuse";
        }

        void hang() {
            healed = new CountDownLatch(1);
            mode = "hang";
        }

        void heal() {
            mode = "open";
            healed.countDown();
        }

        int blocked() {
            return blocked.get();
        }

        @Override
        public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
            if (mode.equals("hang")) {
                blocked.incrementAndGet();
                try {
                    healed.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } else if (mode.equals("refuse")) {
                URI u = request.uri();
                builder.uri(URI.create("http://127.0.0.1:" + closedPort + u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery())));
            }
        }
    }

    /** Samples both replicas' isLeader() every 2 ms and keeps each change with its instant. */
    static final class Watch implements AutoCloseable {
        record Change(Replica replica, boolean leader, long nanos) {
        }

        private final List<Change> changes = Collections.synchronizedList(new ArrayList<>());
        private final AtomicInteger overlaps = new AtomicInteger();
        private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        private final Map<Replica, Boolean> last = new java.util.HashMap<>();

        Watch(Replica... replicas) {
            sampler.scheduleAtFixedRate(() -> {
                int leaders = 0;
                for (Replica r : replicas) {
                    boolean now = r.isLeader();
                    leaders += now ? 1 : 0;
                    if (!Boolean.valueOf(now).equals(last.getOrDefault(r, false)) || !last.containsKey(r)) {
                        last.put(r, now);
                        changes.add(new Change(r, now, System.nanoTime()));
                    }
                }
                if (leaders > 1) {
                    overlaps.incrementAndGet();
                }
            }, 0, 2, TimeUnit.MILLISECONDS);
        }

        /**
         * The first instant after {@code since} at which {@code replica}'s isLeader() was seen to be {@code value}. The
         * sampler may lag behind a caller that saw the change itself (a loaded machine delays its 2 ms ticks), so this
         * waits up to two seconds for the sample; the instant returned is the sample's, not the wait's.
         */
        long firstChange(Replica replica, boolean value, long since) {
            try {
                return await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(5))
                        .until(() -> seen(replica, value, since), OptionalLong::isPresent).getAsLong();
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                synchronized (changes) {
                    throw new AssertionError(replica.name + " never became " + value + " " + changes);
                }
            }
        }

        private OptionalLong seen(Replica replica, boolean value, long since) {
            synchronized (changes) {
                return changes.stream().filter(c -> c.replica() == replica && c.leader() == value && c.nanos() >= since)
                        .mapToLong(Change::nanos).findFirst();
            }
        }

        int overlaps() {
            return overlaps.get();
        }

        @Override
        public void close() {
            sampler.shutdownNow();
        }
    }
}
