package dev.stepwise.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.stepwise.cluster.embedded.EmbeddedCluster;
import dev.stepwise.testing.GitDaemonServer;
import dev.stepwise.testing.Person;
import dev.stepwise.testing.Processes;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restart safety with the real process: {@code java -jar target/stepwise.jar run} against a real Git server (git
 * daemon), the test API server (with its workload simulator, in this JVM, so that the cluster outlives the process)
 * and a real HTTP metric endpoint, killed with SIGKILL at random moments of a rollout and started again each time.
 * The interrupted rollout must end exactly like an uninterrupted one: same objects on the cluster, the same steps in
 * the same order in Git's status history, the canary never scaled back (a step repeated in a way users would see),
 * and the analysis run to completion before the promotion.
 */
class RestartSafetyIT {

    static final String TEMPLATE = """
            apiVersion: argoproj.io/v1alpha1
            kind: AnalysisTemplate
            metadata:
              name: success-rate
              namespace: shop
            spec:
              metrics:
                - name: success-rate
                  interval: 1s
                  count: 3
                  successCondition: result >= 0.95
                  failureLimit: 0
                  provider:
                    web:
                      url: http://127.0.0.1:%d/rate
                      jsonPath: "{$.rate}"
            """;

    static String rollout(String image) {
        return ReconcileFixture.canaryRollout("cart", "4", "cart", image, "", """
                - setWeight: 25
                - pause: {duration: 2s}
                - analysis:
                    templates:
                      - templateName: success-rate
                - setWeight: 50
                - pause: {duration: 2s}
                - setWeight: 75
                - pause: {duration: 2s}
                """);
    }

    @TempDir
    Path tmp;
    GitDaemonServer git;
    Person alice;
    HttpServer metrics;
    Process process;
    int run;

    @BeforeEach
    void start() throws Exception {
        git = GitDaemonServer.start(tmp.resolve("server"));
        metrics = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        metrics.createContext("/rate", ex -> {
            byte[] body = "{\"rate\": 0.99}".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        metrics.start();
    }

    @AfterEach
    void stop() {
        if (process != null) {
            process.destroyForcibly();
        }
        metrics.stop(0);
        git.close();
    }

    /** What one scenario left behind. */
    record Outcome(Map<String, Integer> replicaSets, String finalStatus, List<String> steps, List<Integer> canaryReplicas,
                   int starts) {
    }

    @Test
    void killedAtRandomMomentsTheRolloutEndsAsAnUninterruptedOneDoes() throws Exception {
        Outcome calm = scenario("calm", 0, new Random(1));
        Outcome killed = scenario("killed", 6, new Random(42));

        assertThat(killed.starts()).isEqualTo(7);
        assertThat(killed.replicaSets()).isEqualTo(calm.replicaSets());
        assertThat(phase(killed.finalStatus())).isEqualTo("Healthy");
        assertThat(field(killed.finalStatus(), "stableRevision")).isEqualTo(field(calm.finalStatus(), "stableRevision"));
        // no step skipped, none gone back to: Git's status history goes through every step the calm run went
        // through, in order (a killed process may record fewer intermediate moments of one step, never another order)
        assertThat(stepNumbers(killed.steps())).isSortedAccordingTo(Integer::compare)
                .containsAll(stepNumbers(calm.steps()));
        assertThat(stepNumbers(calm.steps())).isSortedAccordingTo(Integer::compare).contains(1, 2, 3, 4, 5, 6, 7);
        assertThat(weights(killed.steps())).isSortedAccordingTo(Integer::compare);
        // the canary's pods only ever grew until it became stable (never a step repeated in a way users see)
        assertThat(killed.canaryReplicas()).isSortedAccordingTo(Integer::compare);
        assertThat(calm.canaryReplicas()).isSortedAccordingTo(Integer::compare);
        // never a promotion without its analysis: three successful measurements before completion
        assertThat(killed.finalStatus()).contains("metric: success-rate").contains("measurements: 3").contains("failed: 0");
    }

    Outcome scenario(String name, int kills, Random random) throws Exception {
        String repo = "shop-" + name;
        git.repos().create(repo);
        alice = new Person("Alice", git, tmp.resolve("alice-" + name)).cloneFrom(git.url(repo));
        alice.write("rollouts/cart.yaml", rollout("v1")).write("analysis/success-rate.yaml",
                TEMPLATE.formatted(metrics.getAddress().getPort()));
        alice.commit("cart v1");
        alice.push();
        try (EmbeddedCluster cluster = EmbeddedCluster.start(Duration.ofMillis(300)).simulateInBackground(Duration.ofMillis(100))) {
            Path config = tmp.resolve(name + ".yaml");
            Files.writeString(config, """
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
                    reconcile:
                      observeInterval: 250ms
                    """.formatted(tmp.resolve("cache-" + name), git.url(repo), cluster.url()));
            List<Integer> canary = Collections.synchronizedList(new ArrayList<>());
            int starts = 0;
            start(config, name);
            starts++;
            await().atMost(Duration.ofSeconds(60)).until(() -> phase(status(repo)).equals("Healthy"));
            String v1 = field(status(repo), "stableRevision");

            Watch watch = cluster.client().apps().replicaSets().inNamespace("shop").watch(new Watcher<>() {
                @Override
                public void eventReceived(Action action, ReplicaSet rs) {
                    if (!rs.getMetadata().getName().endsWith(v1) && rs.getSpec().getReplicas() != null) {
                        canary.add(rs.getSpec().getReplicas());
                    }
                }

                @Override
                public void onClose(WatcherException cause) {
                }
            });
            alice.write("rollouts/cart.yaml", rollout("v2")).commit("cart v2");
            alice.push();
            for (int k = 0; k < kills; k++) {
                long after = 500 + random.nextInt(2500);
                long until = System.nanoTime() + after * 1_000_000;
                // the kill comes at a random moment; waiting for it is waiting for the process to run that long
                await().atMost(Duration.ofMillis(after + 1000)).pollInterval(Duration.ofMillis(20))
                        .until(() -> System.nanoTime() >= until || !process.isAlive());
                process.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook runs
                start(config, name);
                starts++;
            }
            await().atMost(Duration.ofSeconds(120)).until(() -> {
                String s = status(repo);
                return phase(s).equals("Healthy") && !field(s, "stableRevision").equals(v1);
            });
            // the old version is scaled down after the rollout completes
            await().atMost(Duration.ofSeconds(30)).until(() -> replicaSets(cluster).values().stream().filter(r -> r > 0).count() == 1);
            process.destroyForcibly().waitFor();
            // read before the watch closes: closing a watch can stall fabric8's mock server for seconds (docs/cluster.md)
            Outcome outcome = new Outcome(replicaSets(cluster), status(repo), steps(repo), List.copyOf(canary), starts);
            watch.close();
            return outcome;
        }
    }

    void start(Path config, String name) {
        run++;
        process = Processes.start(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", Path.of("target/stepwise.jar").toAbsolutePath().toString(),
                        "run", "--config", config.toString()),
                tmp, Map.of(), tmp.resolve(name + "-run-" + run + ".log"));
    }

    String status(String repo) {
        try {
            return git.repos().show(repo, "stepwise/status:status/shop/cart.yaml");
        } catch (RuntimeException e) {
            return "";
        }
    }

    /** The steps the status history of v2's rollout went through, oldest first, each once: "step 3/7 25%". */
    List<String> steps(String repo) {
        List<String> subjects = new ArrayList<>(git.repos().log(repo, "stepwise/status"));
        Collections.reverse(subjects);
        Pattern p = Pattern.compile("cart (step \\d+/\\d+)(?: paused)? weight (\\d+)%");
        List<String> out = new ArrayList<>();
        for (String s : subjects) {
            Matcher m = p.matcher(s);
            if (m.find()) {
                String step = m.group(1) + " " + m.group(2) + "%";
                if (out.isEmpty() && !step.startsWith("step 1/")) {
                    continue; // v1's first deploy, before the rollout of v2
                }
                if (out.isEmpty() || !out.get(out.size() - 1).equals(step)) {
                    out.add(step);
                }
            }
        }
        return out;
    }

    static List<Integer> stepNumbers(List<String> steps) {
        return steps.stream().map(s -> Integer.parseInt(s.substring("step ".length(), s.indexOf('/')))).toList();
    }

    static List<Integer> weights(List<String> steps) {
        return steps.stream().map(s -> Integer.parseInt(s.substring(s.lastIndexOf(' ') + 1, s.length() - 1))).toList();
    }

    static Map<String, Integer> replicaSets(EmbeddedCluster cluster) {
        Map<String, Integer> out = new TreeMap<>();
        for (ReplicaSet rs : cluster.client().apps().replicaSets().inNamespace("shop").list().getItems()) {
            out.put(rs.getMetadata().getName(), rs.getSpec().getReplicas());
        }
        return out;
    }

    static String phase(String status) {
        return field(status, "phase");
    }

    static String field(String status, String name) {
        return status.lines().filter(l -> l.startsWith(name + ":")).findFirst().map(l -> l.substring(name.length() + 1).strip())
                .orElse("");
    }
}
