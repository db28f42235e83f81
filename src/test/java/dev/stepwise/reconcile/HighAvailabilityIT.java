package dev.stepwise.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stepwise.cluster.embedded.EmbeddedCluster;
import dev.stepwise.testing.GitDaemonServer;
import dev.stepwise.testing.Person;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two replicas of {@code stepwise run} with leader election against the test API server and a real Git server: one
 * acts, the other writes nothing; when the leader shuts down (SIGTERM's path: finish the cycle, release the lease)
 * the other takes over and finishes the rollout, and Git's status history shows one writer, then the other, never
 * both interleaved.
 */
class HighAvailabilityIT {

    static String rollout(String image) {
        return ReconcileFixture.canaryRollout("cart", "2", "cart", image, "", """
                - setWeight: 50
                - pause: {duration: 3s}
                - setWeight: 100
                - pause: {duration: 1s}
                """);
    }

    @TempDir
    Path tmp;
    List<StepwiseService> services = new ArrayList<>();
    GitDaemonServer git;

    @AfterEach
    void stop() {
        services.forEach(StepwiseService::close);
        if (git != null) {
            git.close();
        }
    }

    StepwiseService replica(String identity, String repoUrl, String clusterUrl) throws Exception {
        String yaml = """
                apiVersion: stepwise.dev/v1alpha1
                kind: StepwiseConfig
                http: {address: 127.0.0.1:0}
                cacheDir: %s
                repositories:
                  - name: shop
                    url: %s
                    pollInterval: 1s
                clusters:
                  - name: local
                    server: %s
                leaderElection:
                  enabled: true
                  namespace: stepwise
                  identity: %s
                  leaseDuration: 2s
                  renewDeadline: 1500ms
                  retryPeriod: 250ms
                reconcile:
                  observeInterval: 250ms
                """.formatted(tmp.resolve("cache-" + identity), repoUrl, clusterUrl, identity);
        RunConfig config = RunConfig.read(identity + ".yaml", yaml.getBytes(StandardCharsets.UTF_8), Map.of());
        StepwiseService s = StepwiseService.start(config, Map.of(), r -> { });
        services.add(s);
        return s;
    }

    @Test
    void oneReplicaActsAndTheOtherTakesOverWhenItStops() throws Exception {
        git = GitDaemonServer.start(tmp.resolve("server"));
        git.repos().create("shop");
        Person alice = new Person("Alice", git, tmp.resolve("alice")).cloneFrom(git.url("shop"));
        alice.write("rollouts/cart.yaml", rollout("v1")).commit("cart v1");
        alice.push();
        try (EmbeddedCluster cluster = EmbeddedCluster.start(Duration.ofMillis(200)).simulateInBackground(Duration.ofMillis(100))) {
            StepwiseService a = replica("replica-a", git.url("shop"), cluster.url());
            StepwiseService b = replica("replica-b", git.url("shop"), cluster.url());
            await().atMost(Duration.ofSeconds(30)).until(() -> status().contains("phase: Healthy"));
            String v1 = field(status(), "stableRevision");
            StepwiseService leader = a.election().orElseThrow().isLeader() ? a : b;
            StepwiseService follower = leader == a ? b : a;
            assertThat(follower.election().orElseThrow().isLeader()).isFalse();
            assertThat(metric(follower, "stepwise_leader")).isEqualTo("0");
            assertThat(metric(leader, "stepwise_leader")).isEqualTo("1");

            alice.write("rollouts/cart.yaml", rollout("v2")).commit("cart v2");
            alice.push();
            await().atMost(Duration.ofSeconds(30)).until(() -> status().contains("phase: Paused"));
            leader.close();
            services.remove(leader);
            await().atMost(Duration.ofSeconds(10)).until(() -> follower.election().orElseThrow().isLeader());
            await().atMost(Duration.ofSeconds(60)).until(() -> status().contains("phase: Healthy")
                    && !field(status(), "stableRevision").equals(v1));
        }
        List<String> writers = new ArrayList<>(git.client(tmp.resolve("check")).run(git.repos().path("shop"), "log",
                "--format=%(trailers:key=Stepwise-Replica,valueonly,separator=)", "stepwise/status").lines()
                .filter(l -> !l.isBlank()).toList());
        java.util.Collections.reverse(writers);
        assertThat(writers).as("both replicas wrote").contains("replica-a", "replica-b");
        int switches = 0;
        for (int i = 1; i < writers.size(); i++) {
            if (!writers.get(i).equals(writers.get(i - 1))) {
                switches++;
            }
        }
        assertThat(switches).as("one writer, then the other: " + writers).isEqualTo(1);
    }

    String status() {
        try {
            return git.repos().show("shop", "stepwise/status:status/shop/cart.yaml");
        } catch (RuntimeException e) {
            return "";
        }
    }

    /** A top-level field of a status file (one reader for the status files of these tests). */
    static String field(String status, String name) {
        return RestartSafetyIT.field(status, name);
    }

    static String metric(StepwiseService s, String name) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(s.http().url() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.body().lines().filter(l -> l.startsWith(name + " ")).findFirst().map(l -> l.substring(name.length() + 1))
                .orElse("");
    }
}
