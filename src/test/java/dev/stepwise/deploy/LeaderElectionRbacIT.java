package dev.stepwise.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stepwise.cluster.RequestLog;
import dev.stepwise.cluster.embedded.EmbeddedCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The leader-election Role of deploy/base, proved like RbacIT proves the cluster Role: two candidates run fabric8's
 * LeaderElector with a LeaseLock (what {@code leaderElection} in stepwise.yaml is for) against the embedded API
 * server — one acquires the Lease, renews it, releases it on shutdown, and the other takes over — and every request
 * either sends must be allowed by deploy/base/leader-election-rbac.yaml, resource names included.
 */
class LeaderElectionRbacIT {

    private static final Path ROLE_FILE = Path.of("deploy/base/leader-election-rbac.yaml");
    private static final String NAMESPACE = "stepwise";
    private static final String LEASE = "stepwise-leader";

    /** A request as RBAC sees it; {@code name} is empty for a request on the collection (create). */
    record Access(String group, String resource, String verb, String name) {
    }

    @Test
    void acquiringRenewingReleasingAndTakingOverTheLeaseIsAllowedByTheRole() throws Exception {
        RequestLog logA = new RequestLog();
        RequestLog logB = new RequestLog();
        try (EmbeddedCluster cluster = EmbeddedCluster.start(Duration.ZERO);
                KubernetesClient a = cluster.newClient(c -> c.addOrReplaceInterceptor("log", logA));
                KubernetesClient b = cluster.newClient(c -> c.addOrReplaceInterceptor("log", logB))) {
            AtomicReference<String> leader = new AtomicReference<>("");
            LeaderElector electorA = elector(a, "stepwise-a", leader);
            CompletableFuture<?> runA = electorA.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> "stepwise-a".equals(leader.get()));

            LeaderElector electorB = elector(b, "stepwise-b", leader);
            CompletableFuture<?> runB = electorB.start();
            // a few renewals by A while B keeps trying
            int before = logA.size();
            await().atMost(Duration.ofSeconds(10)).until(() -> logA.size() >= before + 3 && logB.size() >= 3);

            runA.cancel(true); // shutdown: releaseOnCancel gives the Lease up at once
            await().atMost(Duration.ofSeconds(15)).until(() -> "stepwise-b".equals(leader.get()));
            runB.cancel(true);
        }

        List<RequestLog.Request> requests = new ArrayList<>(logA.all());
        requests.addAll(logB.all());
        Set<Access> used = new TreeSet<>((x, y) -> x.toString().compareTo(y.toString()));
        requests.forEach(r -> used.add(access(r)));
        Set<String> usedVerbs = new TreeSet<>();
        used.forEach(u -> usedVerbs.add(u.verb()));
        assertThat(usedVerbs).as("what fabric8 8.0's LeaseLock sends: it renews and takes over with a merge patch")
                .containsExactlyInAnyOrder("get", "create", "patch");

        List<Map<String, Object>> rules = rules();
        for (Access u : used) {
            assertThat(u.group() + "/" + u.resource()).isEqualTo("coordination.k8s.io/leases");
            assertThat(u.name()).isIn("", LEASE);
            assertThat(rules).as(u + " must be allowed by " + ROLE_FILE).anySatisfy(rule -> {
                assertThat(strings(rule.get("apiGroups"))).contains(u.group());
                assertThat(strings(rule.get("resources"))).contains(u.resource());
                assertThat(strings(rule.get("verbs"))).contains(u.verb());
                List<String> names = strings(rule.get("resourceNames"));
                if (!names.isEmpty()) {
                    assertThat(names).contains(u.name());
                }
            });
        }
        // the Role grants nothing the elector did not use, except update (a lock that replaces instead of patching)
        Set<String> grantedVerbs = new TreeSet<>();
        rules.forEach(rule -> grantedVerbs.addAll(strings(rule.get("verbs"))));
        grantedVerbs.removeAll(usedVerbs);
        assertThat(grantedVerbs).isSubsetOf("update", "patch");
    }

    private static LeaderElector elector(KubernetesClient client, String identity, AtomicReference<String> leader) {
        return client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                .withName("stepwise")
                .withLock(new LeaseLock(NAMESPACE, LEASE, identity))
                .withLeaseDuration(Duration.ofSeconds(3))
                .withRenewDeadline(Duration.ofSeconds(2))
                .withRetryPeriod(Duration.ofMillis(200))
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(() -> { }, () -> { }, leader::set))
                .build()).build();
    }

    private static Access access(RequestLog.Request r) {
        // /apis/coordination.k8s.io/v1/namespaces/stepwise/leases[/name]
        String[] p = r.path().substring(1).split("/");
        assertThat(p[0]).as(r.toString()).isEqualTo("apis");
        assertThat(p[3]).as(r.toString()).isEqualTo("namespaces");
        String name = p.length > 6 ? p[6] : "";
        String verb = switch (r.method()) {
            case "GET" -> name.isEmpty() ? "list" : "get";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> "delete";
            default -> r.method();
        };
        return new Access(p[1], p[5], verb, name);
    }

    private static List<String> strings(Object list) {
        return list == null ? List.of() : ((List<?>) list).stream().map(String::valueOf).toList();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rules() throws Exception {
        for (Object doc : new Load(LoadSettings.builder().build()).loadAllFromString(Files.readString(ROLE_FILE))) {
            Map<String, Object> m = (Map<String, Object>) doc;
            if ("Role".equals(m.get("kind"))) {
                return (List<Map<String, Object>>) m.get("rules");
            }
        }
        throw new AssertionError("no Role in " + ROLE_FILE);
    }
}
