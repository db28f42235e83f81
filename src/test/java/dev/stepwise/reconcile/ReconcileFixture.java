package dev.stepwise.reconcile;

import dev.stepwise.cluster.embedded.EmbeddedCluster;
import dev.stepwise.demo.VirtualClock;
import dev.stepwise.engine.analysis.Measurement;
import dev.stepwise.git.Backoff;
import dev.stepwise.git.GitCredentials;
import dev.stepwise.git.GitSource;
import dev.stepwise.git.RemoteUrl;
import dev.stepwise.git.StatusWriter;
import dev.stepwise.server.StepwiseMetrics;
import dev.stepwise.testing.GitDaemonServer;
import dev.stepwise.testing.Person;
import dev.stepwise.testing.Processes;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real Git server (git daemon: it runs git's own receive-pack, so server hooks work), a person pushing specs with the
 * git client, the embedded API server on a virtual clock, and a reconciler over them, for the reconcile ITs.
 */
final class ReconcileFixture implements AutoCloseable {

    static final String REPO = "shop";

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
                      query: sum(rate(http_requests_total{code!~"5.."}[1m])) / sum(rate(http_requests_total[1m]))
            """;

    /** A canary: 20%, an analysis, 60%, a timed pause. */
    static String rollout(String name, String image) {
        return canaryRollout(name, "5", "main", image, "", """
                - setWeight: 20
                - analysis:
                    templates:
                      - templateName: success-rate
                - setWeight: 60
                - pause: {duration: 30s}
                """);
    }

    /**
     * The canary Rollout {@code shop/NAME} the reconcile tests release: {@code replicas} (as written, so a test can
     * write a broken value) of {@code registry.example.com/NAME:TAG} in a container named {@code container},
     * {@code extraSpec} (YAML under spec, e.g. onAbort) and {@code steps} (a YAML list). {@code replicas} is on line 7.
     */
    static String canaryRollout(String name, String replicas, String container, String tag, String extraSpec, String steps) {
        return "apiVersion: argoproj.io/v1alpha1\n"
                + "kind: Rollout\n"
                + "metadata:\n"
                + "  name: " + name + "\n"
                + "  namespace: shop\n"
                + "spec:\n"
                + "  replicas: " + replicas + "\n"
                + (extraSpec.isBlank() ? "" : extraSpec.stripTrailing().indent(2))
                + "  selector:\n"
                + "    matchLabels:\n"
                + "      app: " + name + "\n"
                + "  template:\n"
                + "    metadata:\n"
                + "      labels:\n"
                + "        app: " + name + "\n"
                + "    spec:\n"
                + "      containers:\n"
                + "        - name: " + container + "\n"
                + "          image: registry.example.com/" + name + ":" + tag + "\n"
                + "  strategy:\n"
                + "    canary:\n"
                + "      steps:\n"
                + steps.stripTrailing().indent(8);
    }

    final Path tmp;
    final GitDaemonServer git;
    final Person alice;
    final EmbeddedCluster cluster;
    final VirtualClock clock = new VirtualClock(Instant.parse("2026-01-01T00:00:00Z"));
    final ExecutorService pool = Executors.newFixedThreadPool(2);
    final AtomicReference<Double> successRate = new AtomicReference<>(0.99);
    final AtomicBoolean leader = new AtomicBoolean(true);
    /** The lease fence the reconciler asks; {@link #leader} unless a test replaces it. */
    volatile java.util.function.BooleanSupplier mayWrite = leader::get;
    final Clusters clusters;
    GitSource source;
    /** What the reconciler measures with: {@link #successRate} for every measurement, unless a test replaces it. */
    MeasurementSource measurements = (rollout, c, due, now) -> Measurement.of(due.runId(), due.metric(),
            List.of(successRate.get()), 250, now);

    ReconcileFixture(Path tmp) {
        this.tmp = tmp;
        git = GitDaemonServer.start(tmp.resolve("server"));
        git.repos().create(REPO);
        alice = new Person("Alice", git, tmp.resolve("alice")).cloneFrom(git.url(REPO));
        cluster = EmbeddedCluster.start(Duration.ofSeconds(10), clock, b -> { });
        clusters = new Clusters().register("local", cluster.client());
    }

    /** A reconciler over the repository; its status writer tries a push once (a refusal is not retried for seconds). */
    RepositoryReconciler reconciler() {
        try {
            source = GitSource.open(new GitSource.Config(RemoteUrl.parse(git.url(REPO)), "main", ""), tmp.resolve("cache"),
                    GitCredentials.none(), Duration.ofSeconds(10));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StatusWriter status = new StatusWriter(source.mirror(), StatusWriter.Location.statusBranch(),
                StatusWriter.Identity.DEFAULT, new StatusWriter.Retry(1, Backoff.PUSH_RACE), clock);
        return new RepositoryReconciler(new RepositoryReconciler.Settings(REPO, "local", Duration.ofSeconds(2),
                Duration.ofSeconds(30), Duration.ofSeconds(20)), source, status, clusters, measurements, pool,
                new StepwiseMetrics(), () -> mayWrite.getAsBoolean(), RepositoryReconciler.Proposers.none());
    }

    /** One cycle, then the pods the cluster was asked for become ready and virtual time moves to the next wake. */
    RepositoryReconciler.CycleReport cycle(RepositoryReconciler reconciler, boolean poll) {
        RepositoryReconciler.CycleReport report = reconciler.cycle(clock.instant(), poll);
        cluster.simulator().settle();
        Instant next = report.nextWake().orElse(clock.instant().plusSeconds(5));
        clock.advanceTo(next.isAfter(clock.instant()) ? next : clock.instant().plusMillis(500));
        cluster.simulator().settle();
        return report;
    }

    /** The status file of {@code name} on the status branch, "" when there is none. */
    String statusFile(String name) {
        Processes.Result r = git.repos().admin().tryRun(git.repos().path(REPO), "show", "stepwise/status:status/shop/" + name + ".yaml");
        return r.ok() ? r.output() : "";
    }

    String statusHead() {
        return git.repos().head(REPO, "stepwise/status");
    }

    /** Replica counts of the ReplicaSets in namespace shop, by name. */
    Map<String, Integer> replicaSets() {
        Map<String, Integer> out = new TreeMap<>();
        for (ReplicaSet rs : cluster.client().apps().replicaSets().inNamespace("shop").list().getItems()) {
            out.put(rs.getMetadata().getName(), rs.getSpec().getReplicas());
        }
        return out;
    }

    /** A server-side hook that refuses every push to the status branch (the people's branch still takes pushes). */
    void refuseStatusPushes(boolean refuse) {
        Path hook = git.repos().path(REPO).resolve("hooks/pre-receive");
        try {
            if (refuse) {
                Files.createDirectories(hook.getParent());
                Files.writeString(hook, """
                        #!/bin/sh
                        while read old new ref; do
                          if [ "$ref" = "refs/heads/stepwise/status" ]; then
                            echo "status pushes are refused by this test" >&2
                            exit 1
                          fi
                        done
                        exit 0
                        """);
                Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
            } else {
                Files.deleteIfExists(hook);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
        if (source != null) {
            source.close();
        }
        cluster.close();
        git.close();
    }
}
