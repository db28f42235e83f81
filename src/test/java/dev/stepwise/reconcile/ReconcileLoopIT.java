package dev.stepwise.reconcile;

import dev.stepwise.server.StepwiseMetrics;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.cluster.embedded.EmbeddedCluster;
import dev.stepwise.demo.VirtualClock;
import dev.stepwise.engine.analysis.Measurement;
import dev.stepwise.git.GitCredentials;
import dev.stepwise.git.GitSource;
import dev.stepwise.git.RemoteUrl;
import dev.stepwise.git.StatusWriter;
import dev.stepwise.git.promotion.EnvironmentPromoter;
import dev.stepwise.git.promotion.RevertProposer;
import dev.stepwise.testing.GitDaemonServer;
import dev.stepwise.testing.Person;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop against a real Git server (git daemon), people's commits made with the git client, and the embedded
 * API server with its workload simulator, on a virtual clock: a release through a manual gate and an analysis to
 * completion, a revision that fails validation held back while the rollout carries on, and a failed analysis that
 * sends traffic back to stable and proposes a revert.
 */
class ReconcileLoopIT {

    static final String TEMPLATE = """
            apiVersion: argoproj.io/v1alpha1
            kind: AnalysisTemplate
            metadata:
              name: success-rate
              namespace: shop
            spec:
              metrics:
                - name: success-rate
                  interval: 1m
                  count: 2
                  successCondition: result[0] >= 0.95
                  failureLimit: 0
                  provider:
                    prometheus:
                      address: http://prometheus.monitoring:9090
                      query: sum(rate(http_requests_total{service="cart",code!~"5.."}[1m])) / sum(rate(http_requests_total{service="cart"}[1m]))
            """;

    static String rollout(String image, String replicas) {
        return ReconcileFixture.canaryRollout("cart", replicas, "cart", image, "onAbort:\n  revert: revert-branch", """
                - setWeight: 20
                - pause: {}
                - analysis:
                    templates:
                      - templateName: success-rate
                - setWeight: 60
                - pause: {duration: 30s}
                """);
    }

    @TempDir
    Path tmp;
    GitDaemonServer git;
    Person alice;
    EmbeddedCluster cluster;
    VirtualClock clock = new VirtualClock(Instant.parse("2026-01-01T00:00:00Z"));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    AtomicReference<Double> successRate = new AtomicReference<>(0.99);
    GitSource source;
    RepositoryReconciler reconciler;
    Clusters clusters;

    @BeforeEach
    void start() throws Exception {
        git = GitDaemonServer.start(tmp.resolve("server"));
        git.repos().create("shop");
        alice = new Person("Alice", git, tmp.resolve("alice")).cloneFrom(git.url("shop"));
        alice.write("rollouts/cart.yaml", rollout("v1", "5")).write("analysis/success-rate.yaml", TEMPLATE);
        alice.commit("cart v1");
        alice.push();
        cluster = EmbeddedCluster.start(Duration.ofSeconds(10), clock, b -> { });
        clusters = new Clusters().register("local", cluster.client());
        source = GitSource.open(new GitSource.Config(RemoteUrl.parse(git.url("shop")), "main", ""), tmp.resolve("cache"),
                GitCredentials.none(), Duration.ofSeconds(10));
        StatusWriter status = new StatusWriter(source.mirror(), StatusWriter.Location.statusBranch(),
                StatusWriter.Identity.DEFAULT, StatusWriter.Retry.DEFAULT, clock);
        MeasurementSource measurements = (rollout, c, due, now) -> Measurement.of(due.runId(), due.metric(),
                List.of(successRate.get()), 250, now);
        reconciler = new RepositoryReconciler(new RepositoryReconciler.Settings("shop", "local", Duration.ofSeconds(2),
                Duration.ofSeconds(30), Duration.ofSeconds(20)), source, status, clusters, measurements, pool,
                new StepwiseMetrics(), () -> true, new RepositoryReconciler.Proposers(
                Optional.of(new RevertProposer(source.mirror(), "main")),
                Optional.of(new EnvironmentPromoter(source.mirror(), "main"))));
    }

    @AfterEach
    void stop() {
        pool.shutdownNow();
        if (source != null) {
            source.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (git != null) {
            git.close();
        }
    }

    /** Cycles (polling Git each time), letting pods become ready and virtual time pass, until {@code done} holds. */
    String driveUntil(Predicate<String> done, int maxCycles) {
        String status = "";
        for (int i = 0; i < maxCycles; i++) {
            RepositoryReconciler.CycleReport report = reconciler.cycle(clock.instant(), true);
            assertThat(report.problems()).as("cycle problems").isEmpty();
            cluster.simulator().settle();
            status = statusFile();
            if (done.test(status)) {
                return status;
            }
            Instant next = report.nextWake().orElse(clock.instant().plusSeconds(5));
            clock.advanceTo(next.isAfter(clock.instant()) ? next : clock.instant().plusMillis(500));
            cluster.simulator().settle();
        }
        throw new AssertionError("not reached after " + maxCycles + " cycles; status:\n" + status);
    }

    String statusFile() {
        try {
            return git.repos().show("shop", "stepwise/status:status/shop/cart.yaml");
        } catch (RuntimeException e) {
            return "";
        }
    }

    Map<String, Integer> replicaSets() {
        return cluster.client().apps().replicaSets().inNamespace("shop").list().getItems().stream()
                .collect(Collectors.toMap(rs -> rs.getMetadata().getName(), ReplicaSet::getSpec)).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().getReplicas()));
    }

    @Test
    void releaseThroughGateAndAnalysisWhileABrokenRevisionIsHeldBack() {
        String s = driveUntil(t -> t.contains("phase: Healthy"), 20);
        assertThat(s).contains("source: main@sha1:");
        assertThat(replicaSets()).hasSize(1).containsValue(5);

        alice.write("rollouts/cart.yaml", rollout("v2", "5")).commit("cart v2");
        alice.push();
        s = driveUntil(t -> t.contains("phase: Paused"), 40);
        assertThat(s).contains("weight: 20");
        assertThat(replicaSets().values()).as("basic canary: 20% of 5 is 1 canary, 4 stable").containsExactlyInAnyOrder(4, 1);

        // a broken revision: never acted on, the findings go to the status, the rollout stays where it was
        alice.write("rollouts/cart.yaml", rollout("v3", "many")).commit("cart v3, broken");
        alice.push();
        s = driveUntil(t -> t.contains("pending: main@sha1:"), 10);
        assertThat(s).contains("phase: Paused").contains("severity: error").contains("file: rollouts/cart.yaml")
                .contains("line: 7");
        assertThat(replicaSets().values()).as("basic canary: 20% of 5 is 1 canary, 4 stable").containsExactlyInAnyOrder(4, 1);

        // the gate is opened by a promotion commit; the held revision does not stop the rollout in flight
        alice.write("promotions/shop/cart.yaml", "action: promote\n").commit("promote cart");
        alice.push();
        s = driveUntil(t -> t.contains("phase: Healthy"), 80);
        assertThat(s).contains("by: alice@example.com").contains("metric: success-rate").contains("value: '[0.99]'");
        assertThat(s).contains("pending: main@sha1:");
        String v2 = s.lines().filter(l -> l.startsWith("stableRevision:")).findFirst().orElseThrow();
        assertThat(replicaSets().entrySet().stream().filter(e -> e.getValue() > 0).map(Map.Entry::getKey).toList())
                .singleElement().satisfies(name -> assertThat(v2).endsWith(name.substring("cart-".length())));
        List<String> log = git.repos().log("shop", "stepwise/status");
        assertThat(String.join("\n", log)).contains("status: cart step").contains("healthy");

        // the fix: v3 done right, whose analysis fails → traffic back to stable, a revert proposed
        successRate.set(0.5);
        alice.write("rollouts/cart.yaml", rollout("v3", "5")).commit("cart v3");
        alice.push();
        s = driveUntil(t -> t.contains("phase: Paused"), 40);
        alice.write("promotions/shop/cart.yaml", "action: promote\nrevision: v3\n").commit("promote cart v3");
        alice.push();
        s = driveUntil(t -> t.contains("phase: Degraded"), 40);
        assertThat(s).contains("weight: 0").contains("abortReason: 'analysis").contains("[0.5]");
        assertThat(replicaSets().values()).as("stable back at full size before the canary goes").contains(5);
        s = driveUntil(t -> t.contains("code: reconcile.revert"), 5);
        assertThat(s).contains("revert written to stepwise/revert/shop/cart");
        assertThat(git.client(tmp.resolve("check")).run(git.repos().path("shop"), "branch", "--list", "stepwise/revert/*"))
                .contains("stepwise/revert/shop/cart");
    }
}
