package dev.stepwise.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stepwise.cluster.embedded.EmbeddedCluster;
import dev.stepwise.testing.GitDaemonServer;
import dev.stepwise.testing.Person;
import dev.stepwise.testing.Processes;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to the real {@code stepwise run} process: it finishes the cycle in flight, releases its Lease (so another
 * replica takes over at once instead of after the lease duration) and exits.
 */
class GracefulShutdownIT {

    @TempDir
    Path tmp;

    @Test
    void sigtermFinishesTheCycleReleasesTheLeaseAndExits() throws Exception {
        try (GitDaemonServer git = GitDaemonServer.start(tmp.resolve("server"));
             EmbeddedCluster cluster = EmbeddedCluster.start(Duration.ofMillis(200)).simulateInBackground(Duration.ofMillis(100))) {
            git.repos().create("shop");
            Person alice = new Person("Alice", git, tmp.resolve("alice")).cloneFrom(git.url("shop"));
            alice.write("rollouts/cart.yaml", HighAvailabilityIT.rollout("v1")).commit("cart v1");
            alice.push();
            Path config = tmp.resolve("stepwise.yaml");
            Files.writeString(config, """
                    apiVersion: stepwise.dev/v1alpha1
                    kind: StepwiseConfig
                    http: {address: 127.0.0.1:0}
                    cacheDir: %s
                    repositories:
                      - {name: shop, url: %s, pollInterval: 1s}
                    clusters:
                      - {name: local, server: %s}
                    leaderElection:
                      enabled: true
                      namespace: stepwise
                      identity: replica-1
                      leaseDuration: 15s
                      renewDeadline: 10s
                      retryPeriod: 1s
                    """.formatted(tmp.resolve("cache"), git.url("shop"), cluster.url()));
            Path log = tmp.resolve("run.log");
            Process process = Processes.start(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-jar", Path.of("target/stepwise.jar").toAbsolutePath().toString(), "run", "--config",
                    config.toString()), tmp, Map.of(), log);
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> holder(cluster).equals("replica-1"));
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    try {
                        return git.repos().show("shop", "stepwise/status:status/shop/cart.yaml").contains("phase: Healthy");
                    } catch (RuntimeException e) {
                        return false;
                    }
                });
                process.destroy(); // SIGTERM
                assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exits within 30 s").isTrue();
                // the JVM reports the signal (128 + 15) after its shutdown hooks ran
                assertThat(process.exitValue()).isEqualTo(143);
                assertThat(Files.readString(log)).contains("stopping: finishing the cycle in flight");
                assertThat(holder(cluster)).as("the lease is released, not left to expire").isEmpty();
            } finally {
                process.destroyForcibly();
            }
        }
    }

    static String holder(EmbeddedCluster cluster) {
        Lease lease = cluster.client().leases().inNamespace("stepwise").withName("stepwise-leader").get();
        if (lease == null || lease.getSpec() == null || lease.getSpec().getHolderIdentity() == null) {
            return "";
        }
        return lease.getSpec().getHolderIdentity();
    }
}
