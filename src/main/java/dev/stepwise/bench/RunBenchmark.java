package dev.stepwise.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.stepwise.cluster.embedded.EmbeddedCluster;
import dev.stepwise.engine.analysis.Measurement;
import dev.stepwise.git.GitCredentials;
import dev.stepwise.git.GitSource;
import dev.stepwise.git.RemoteUrl;
import dev.stepwise.git.Secret;
import dev.stepwise.git.RolloutKey;
import dev.stepwise.git.StatusChanges;
import dev.stepwise.git.StatusCommit;
import dev.stepwise.git.StatusWriteResult;
import dev.stepwise.git.StatusWriter;
import dev.stepwise.reconcile.Clusters;
import dev.stepwise.reconcile.MeasurementSource;
import dev.stepwise.reconcile.RepositoryReconciler;
import dev.stepwise.server.StepwiseMetrics;
import dev.stepwise.reconcile.RolloutView;
import dev.stepwise.reconcile.RunLoop;
import dev.stepwise.webhook.SignatureVerifier;
import dev.stepwise.webhook.WebhookConfig;
import dev.stepwise.webhook.WebhookServer;
import dev.stepwise.webhook.WebhookTriggers;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The whole reconcile loop ({@link RepositoryReconciler} in a {@link RunLoop}) measured end to end in one run, against
 * a real Git server on loopback ({@link LighttpdGitHttp}: lighttpd + C git's http-backend) and the embedded API server
 * (fabric8's mock server in CRUD mode, in this JVM, with its workload simulator):
 * <ol>
 *   <li><b>push to first change</b>: a rollout Healthy at one image; a person's commit (the git CLI) changes the image
 *       and pushes; timed from the start of the push (and from its return) to the moment a watch on the cluster sees
 *       the canary ReplicaSet of the new image. N times with a signed webhook delivery triggering the loop, N times with
 *       the loop polling every second; C git's {@code ls-remote} against the same server is the reference;</li>
 *   <li><b>one process, many rollouts</b>: R generated canaries in one repository through a first cycle (read and
 *       validate every spec, restore, decide every initial deploy, one status commit, apply), the cycle that sees them
 *       Healthy, and a cycle after a commit that changes 1% of the images; wall time, process CPU time, heap after GC.</li>
 * </ol>
 * The mock API server keeps its objects in one map and scans all of them on every list: its cost grows with the square
 * of the rollouts, which a real API server (indexed by namespace) does not have. So part 2 runs twice when R is larger
 * than {@code singleServerRollouts}: that many rollouts on one embedded server (everything real), and all R on the
 * named stand-in {@link ShardedCluster} (one embedded server per namespace behind one fabric8 client).
 */
public final class RunBenchmark {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String USER = "bench";

    /** What the run is asked to do. */
    public record Options(int pushes, int rollouts, int singleServerRollouts, int rolloutsPerNamespace) {
        public Options {
            if (pushes < 1 || rollouts < 1 || singleServerRollouts < 1 || rolloutsPerNamespace < 1) {
                throw new IllegalArgumentException("every count must be at least 1");
            }
        }
    }

    /** Percentiles of one series, in milliseconds (nearest rank). */
    public record Latency(int samples, double p50, double p90, double max) {
        static Latency of(double[] values) {
            double[] s = values.clone();
            Arrays.sort(s);
            return new Latency(s.length, rank(s, 50), rank(s, 90), s.length == 0 ? Double.NaN : s[s.length - 1]);
        }

        private static double rank(double[] sorted, int p) {
            if (sorted.length == 0) {
                return Double.NaN;
            }
            int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
        }

        String describe() {
            return String.format("p50 %.0f ms, p90 %.0f ms, max %.0f ms", p50, p90, max);
        }
    }

    /**
     * Push to first change on the cluster.
     *
     * @param gitPush           the {@code git push} itself
     * @param webhookFromStart  push start → canary ReplicaSet seen, with a webhook
     * @param webhookAfterPush  push return → seen, with a webhook
     * @param webhookToChange   webhook received → seen (the triggered cycle: poll, validate, decide, status push, apply)
     * @param pollingFromStart  push start → seen, polling every second
     * @param pollingAfterPush  push return → seen, polling every second
     * @param lsRemote          C git's {@code git ls-remote} against the same server, once after each push
     * @param watchLag          from the API server's answer to Stepwise's first ReplicaSet write after the push to the
     *                          watch event (how late the observer sees the change; part of every figure above)
     * @param problems          problems the loop's cycles reported (should be none)
     */
    public record PushFigures(int pushes, Latency gitPush, Latency webhookFromStart, Latency webhookAfterPush,
                              Latency webhookToChange, Latency pollingFromStart, Latency pollingAfterPush, Latency lsRemote,
                              Latency watchLag, List<String> problems) {
        /** Push return to first change with a webhook, in multiples of one ls-remote (medians). */
        public double webhookToLsRemote() {
            return webhookAfterPush.p50() / lsRemote.p50();
        }
    }

    /**
     * One cycle of the many-rollouts run.
     *
     * @param wallMs         the {@code cycle} call
     * @param processCpuMs   CPU time of the whole process meanwhile (the embedded API server runs in it too)
     * @param stepwiseCpuMs  CPU time of the threads running Stepwise's code: the cycle's own thread and the decide/apply pool
     * @param gitPollMs      the poll of the tracked branch (fetch and spec files read), when the cycle polled
     * @param statusPushMs   building and pushing the status commit, when there was one
     */
    public record Cycle(String name, double wallMs, double processCpuMs, double stepwiseCpuMs, double gitPollMs,
                        double statusPushMs, int decided, int committed, int problems, Optional<String> firstProblem) {
    }

    /**
     * The many-rollouts run on one cluster.
     *
     * @param cluster                  what played the cluster, named for the report
     * @param real                     true when that was the embedded API server as is (one server, nothing in front)
     * @param repositoryBytes          bytes of the spec files
     * @param replicaSets              ReplicaSets on the cluster at the end
     * @param canaries                 of them, ReplicaSets of the changed images (one per changed rollout expected)
     * @param heapAfterGcBytes         used heap after GC at the end, everything in this JVM (the embedded servers' stores too)
     * @param heapReconcilerBytes      used heap after GC with the cluster closed and the reconciler still held, minus the
     *                                 same before the run: what the reconciler, its Git mirror and caches keep
     * @param statusWriteAloneMs       {@link StatusWriter#write} of every rollout's status file on a branch of its own,
     *                                 the texts rendered beforehand: the Git part of a status commit (the cycles' "status
     *                                 push" also counts building the commit's message)
     */
    public record Scale(String cluster, boolean real, int rollouts, int changed, long repositoryBytes, List<Cycle> cycles,
                        int replicaSets, int canaries, long heapAfterGcBytes, long heapReconcilerBytes,
                        double statusWriteAloneMs) {
        public double totalProcessCpuMs() {
            return cycles.stream().mapToDouble(Cycle::processCpuMs).sum();
        }
    }

    /** One run's figures, with the machine's load average (1, 5, 15 min) at its start and end. */
    public record Figures(PushFigures push, List<Scale> scale, String gitVersion, String loadAtStart, String loadAtEnd,
                          int cores, long maxHeapBytes) {
    }

    private RunBenchmark() {
    }

    /** The summary for people, one figure a line. */
    public static List<String> describe(Figures f) {
        List<String> out = new ArrayList<>();
        PushFigures p = f.push();
        out.add("");
        out.add(String.format("machine                   %d cores, max heap %,d MiB, load average %s at start, %s at end",
                f.cores(), f.maxHeapBytes() >> 20, f.loadAtStart(), f.loadAtEnd()));
        out.add(String.format("push to first change      %d pushes each way; the canary ReplicaSet of the new image seen by a watch",
                p.pushes()));
        out.add(String.format("  git push itself         %s", p.gitPush().describe()));
        out.add(String.format("  webhook, push return    %s (aim: p50 under 300 ms)", p.webhookAfterPush().describe()));
        out.add(String.format("  webhook, push start     %s", p.webhookFromStart().describe()));
        out.add(String.format("  webhook received        %s (poll, validate, decide, status push, apply)", p.webhookToChange().describe()));
        out.add(String.format("  1 s polls, push return  %s", p.pollingAfterPush().describe()));
        out.add(String.format("  1 s polls, push start   %s", p.pollingFromStart().describe()));
        out.add(String.format("  git ls-remote (C git)   %s", p.lsRemote().describe()));
        out.add(String.format("  ratio                   %.1fx ls-remote (webhook, push return to change, p50s)", p.webhookToLsRemote()));
        out.add(String.format("  write answered → watch  %s (the observer's lag, inside the figures above)", p.watchLag().describe()));
        out.add(String.format("  cycle problems          %d", p.problems().size()));
        for (Scale s : f.scale()) {
            out.add(String.format("%,d rollouts on %s%s", s.rollouts(), s.cluster(), s.real() ? "" : " [STAND-IN]"));
            for (Cycle c : s.cycles()) {
                out.add(String.format("  %-13s %,8.0f ms wall %,8.0f ms CPU (%,.0f in Stepwise threads); poll %,.0f ms, status commit %,.0f ms;"
                                + " %,d decided, %,d committed, %d problems", c.name().replaceFirst(":.*", "") + " cycle", c.wallMs(),
                        c.processCpuMs(), c.stepwiseCpuMs(), c.gitPollMs(), c.statusPushMs(), c.decided(), c.committed(), c.problems()));
            }
            out.add(String.format("  heap after GC           %,d MiB whole JVM (aim: under 1 GiB); reconciler + Git mirror %,d MiB",
                    s.heapAfterGcBytes() >> 20, s.heapReconcilerBytes() >> 20));
            out.add(String.format("  on the cluster          %,d ReplicaSets, %,d canaries of the %,d changed images",
                    s.replicaSets(), s.canaries(), s.changed()));
            out.add(String.format("  StatusWriter alone      %,.0f ms for %,d status files (reference for the cycles' status push)",
                    s.statusWriteAloneMs(), s.rollouts()));
        }
        return out;
    }

    public static Figures run(Options options, PrintWriter log) throws IOException {
        String loadStart = loadAverage();
        Path dir = Files.createTempDirectory("stepwise-bench-run");
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        String password = HexFormat.of().formatHex(random);
        try (LighttpdGitHttp server = LighttpdGitHttp.start(dir.resolve("server"), USER, password)) {
            String version = GitBenchmark.gitVersion();
            log.printf("server: lighttpd + git http-backend on 127.0.0.1:%d (%s); load average %s; %d cores%n",
                    server.port(), version, loadStart, Runtime.getRuntime().availableProcessors());
            log.flush();
            GitBenchmark.Cli person = new GitBenchmark.Cli(dir.resolve("person-home"));
            person.credentials(server.port(), USER, password);
            GitBenchmark.Cli admin = new GitBenchmark.Cli(dir.resolve("admin-home"));

            PushFigures push = pushToChange(server, admin, person, password, dir.resolve("push"), options.pushes(), log);

            List<Scale> scale = new ArrayList<>();
            int single = Math.min(options.rollouts(), options.singleServerRollouts());
            scale.add(manyRollouts(server, admin, person, password, dir.resolve("single"), "fleet-single", single,
                    options.rolloutsPerNamespace(), false, log));
            if (options.rollouts() > single) {
                scale.add(manyRollouts(server, admin, person, password, dir.resolve("sharded"), "fleet-sharded",
                        options.rollouts(), options.rolloutsPerNamespace(), true, log));
            }
            return new Figures(push, scale, version, loadStart, loadAverage(), Runtime.getRuntime().availableProcessors(),
                    Runtime.getRuntime().maxMemory());
        } finally {
            GitBenchmark.deleteTree(dir);
        }
    }

    // ---- 1. push to first change ------------------------------------------------------------------------------

    private static PushFigures pushToChange(LighttpdGitHttp server, GitBenchmark.Cli admin, GitBenchmark.Cli person,
                                            String password, Path dir, int pushes, PrintWriter log) throws IOException {
        Path bare = server.reposRoot().resolve("shop.git");
        admin.run(server.reposRoot(), "init", "--quiet", "--bare", "--initial-branch=main", bare.toString());
        Path work = dir.resolve("work");
        Files.createDirectories(dir);
        person.run(dir, "clone", "--quiet", server.url("shop"), work.toString());
        person.run(work, "checkout", "--quiet", "-B", "main");
        Path file = work.resolve("rollouts/cart.yaml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, cart("v1"));
        person.run(work, "add", "--all");
        person.run(work, "commit", "--quiet", "-m", "cart v1");
        person.run(work, "push", "--quiet", "origin", "main");

        List<String> problems = new ArrayList<>();
        Map<String, Long> firstSeen = new ConcurrentHashMap<>();
        Signal signal = new Signal();
        AtomicLong settledAt = new AtomicLong();
        AtomicLong triggeredAt = new AtomicLong();
        Secret secret = Secret.of(HexFormat.of().formatHex(new SecureRandom().generateSeed(16)));
        RemoteUrl url = RemoteUrl.parse(server.url("shop"));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        HttpClient http = HttpClient.newHttpClient();
        WebhookTriggers triggers = new WebhookTriggers();
        AtomicReference<RunLoop> loop = new AtomicReference<>();
        triggers.register(url, "main", () -> {
            triggeredAt.set(System.nanoTime());
            loop.get().trigger();
        });
        // pods become ready on the simulator's next pass: the time between pushes is not what is measured
        // the client Stepwise uses notes when the API server answered each ReplicaSet write: the change exists from then
        List<Long> writes = new java.util.concurrent.CopyOnWriteArrayList<>();
        Interceptor writeTimes = new Interceptor() {
            @Override
            public void after(HttpRequest request, io.fabric8.kubernetes.client.http.HttpResponse<?> response,
                              io.fabric8.kubernetes.client.http.AsyncBody.Consumer<List<java.nio.ByteBuffer>> consumer) {
                if (!request.method().equals("GET") && request.uri().getPath().contains("/replicasets") && response.code() < 300) {
                    writes.add(System.nanoTime());
                }
            }
        };
        try (EmbeddedCluster cluster = EmbeddedCluster.start(Duration.ZERO).simulateInBackground(Duration.ofMillis(100));
             KubernetesClient stepwise = cluster.newClient(b -> b.addOrReplaceInterceptor("bench-write-times", writeTimes));
             KubernetesClient watching = cluster.newClient(b -> { });
             Clusters clusters = new Clusters().register("local", stepwise);
             GitSource source = GitSource.open(new GitSource.Config(url, "main", ""), dir.resolve("cache"),
                     GitCredentials.password(USER, password), TIMEOUT);
             WebhookServer hooks = WebhookServer.start(WebhookConfig.loopback(0, secret), triggers);
             Watch watch = watching.apps().replicaSets().inNamespace("shop").watch(new Watcher<>() {
                 @Override
                 public void eventReceived(Action action, ReplicaSet rs) {
                     long at = System.nanoTime();
                     Integer replicas = rs.getSpec() == null ? null : rs.getSpec().getReplicas();
                     if (action != Action.DELETED && replicas != null && replicas > 0) {
                         rs.getSpec().getTemplate().getSpec().getContainers()
                                 .forEach(c -> firstSeen.putIfAbsent(c.getImage(), at));
                         signal.signal();
                     }
                 }

                 @Override
                 public void onClose(WatcherException cause) {
                     signal.signal();
                 }
             })) {
            StatusWriter status = new StatusWriter(source.mirror(), StatusWriter.Location.statusBranch(),
                    StatusWriter.Identity.DEFAULT, StatusWriter.Retry.DEFAULT, Clock.systemUTC());
            // a rollout in flight is looked at every 200 ms so that it is Healthy again soon after each measured push; a
            // settled one (the state every push starts from) only after 10 minutes, so that no resync runs meanwhile
            RepositoryReconciler reconciler = new RepositoryReconciler(new RepositoryReconciler.Settings("shop", "local",
                    Duration.ofMillis(200), Duration.ofMinutes(10), Duration.ofSeconds(20)), source, status, clusters,
                    noMeasurements(), pool, new StepwiseMetrics(), () -> true, RepositoryReconciler.Proposers.none());
            java.util.function.Consumer<RepositoryReconciler.CycleReport> onCycle = report -> {
                synchronized (problems) {
                    problems.addAll(report.problems());
                }
                Instant now = Instant.now();
                if (report.nextWake().isEmpty() || report.nextWake().get().isAfter(now.plusSeconds(60))) {
                    settledAt.set(System.nanoTime());
                }
                signal.signal();
            };

            double[] gitPush = new double[2 * pushes];
            double[] fromStart = new double[2 * pushes];
            double[] afterPush = new double[2 * pushes];
            double[] toChange = new double[pushes];
            double[] lsRemote = new double[2 * pushes];
            double[] watchLag = new double[2 * pushes];
            int image = 1;
            for (int mode = 0; mode < 2; mode++) {
                boolean webhook = mode == 0;
                // with a webhook the loop polls only hourly (a fallback); without one it polls every second
                RunLoop l = new RunLoop(reconciler, Clock.systemUTC(), webhook ? Duration.ofHours(1) : Duration.ofSeconds(1), onCycle);
                loop.set(l);
                l.start();
                try {
                    // the watch lists what exists when it starts: the first image may be older than it
                    if (!signal.await(() -> firstSeen.containsKey(image(1)) && settledAt.get() > 0, Duration.ofSeconds(60))) {
                        throw new IOException("the rollout did not settle at " + image(1) + " within 60 s");
                    }
                    for (int i = -1; i < pushes; i++) { // the first push of each mode warms up and is not counted
                        image++;
                        String next = image(image);
                        Files.writeString(file, cart("v" + image));
                        person.run(work, "commit", "--quiet", "-am", "cart " + next);
                        String sha = person.run(work, "rev-parse", "HEAD").strip();
                        long t0 = System.nanoTime();
                        person.run(work, "push", "--quiet", "origin", "main");
                        long t1 = System.nanoTime();
                        if (webhook) {
                            deliver(http, hooks, secret, url, sha);
                        }
                        long seen = awaitSeen(signal, firstSeen, next);
                        long written = writes.stream().filter(w -> w > t0).findFirst().orElse(seen);
                        awaitSettled(signal, settledAt, firstSeen, next, seen);
                        long l0 = System.nanoTime();
                        person.run(work, "ls-remote", "origin", "refs/heads/main");
                        long l1 = System.nanoTime();
                        if (i < 0) {
                            continue;
                        }
                        int k = mode * pushes + i;
                        gitPush[k] = ms(t1 - t0);
                        fromStart[k] = ms(seen - t0);
                        afterPush[k] = ms(Math.max(0, seen - t1));
                        lsRemote[k] = ms(l1 - l0);
                        watchLag[k] = ms(seen - written);
                        if (webhook) {
                            toChange[i] = ms(Math.max(0, seen - triggeredAt.get()));
                        }
                    }
                } finally {
                    l.stop(Duration.ofSeconds(30));
                }
                Latency from = Latency.of(Arrays.copyOfRange(fromStart, mode * pushes, (mode + 1) * pushes));
                Latency after = Latency.of(Arrays.copyOfRange(afterPush, mode * pushes, (mode + 1) * pushes));
                log.printf("push to first change, %s: from the push's start %s; from its return %s%n",
                        webhook ? "webhook" : "polling every 1 s", from.describe(), after.describe());
                log.flush();
            }
            PushFigures f = new PushFigures(pushes, Latency.of(gitPush),
                    Latency.of(Arrays.copyOfRange(fromStart, 0, pushes)), Latency.of(Arrays.copyOfRange(afterPush, 0, pushes)),
                    Latency.of(toChange), Latency.of(Arrays.copyOfRange(fromStart, pushes, 2 * pushes)),
                    Latency.of(Arrays.copyOfRange(afterPush, pushes, 2 * pushes)), Latency.of(lsRemote), Latency.of(watchLag),
                    List.copyOf(problems));
            log.printf("git ls-remote (C git) against the same server: %s%n", f.lsRemote().describe());
            log.flush();
            return f;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void deliver(HttpClient http, WebhookServer hooks, Secret secret, RemoteUrl url, String sha) throws IOException {
        // the forge's part: it announces the push once the server has taken it
        String body = "{\"repository\":\"" + url + "\",\"ref\":\"refs/heads/main\",\"after\":\"" + sha + "\"}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(URI.create(hooks.url()))
                .header(SignatureVerifier.STEPWISE_SIGNATURE, new SignatureVerifier(secret).signatureHeader(bytes))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(bytes)).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 202) {
                throw new IOException("webhook answered " + response.statusCode() + ": " + response.body());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static long awaitSeen(Signal signal, Map<String, Long> firstSeen, String image) throws IOException {
        if (!signal.await(() -> firstSeen.containsKey(image), Duration.ofSeconds(30))) {
            throw new IOException("no ReplicaSet of " + image + " appeared within 30 s");
        }
        return firstSeen.get(image);
    }

    /** Until a cycle after {@code since} left the rollout settled, with {@code image} on the cluster. */
    private static void awaitSettled(Signal signal, AtomicLong settledAt, Map<String, Long> firstSeen, String image,
                                     long since) throws IOException {
        if (!signal.await(() -> firstSeen.containsKey(image) && settledAt.get() > Math.max(since, firstSeen.get(image)),
                Duration.ofSeconds(60))) {
            throw new IOException("the rollout did not settle at " + image + " within 60 s");
        }
    }

    private static String image(int version) {
        return "registry.example.com/cart:v" + version;
    }

    private static String cart(String tag) {
        return """
                apiVersion: argoproj.io/v1alpha1
                kind: Rollout
                metadata:
                  name: cart
                  namespace: shop
                spec:
                  replicas: 5
                  selector:
                    matchLabels:
                      app: cart
                  template:
                    metadata:
                      labels:
                        app: cart
                    spec:
                      containers:
                        - name: cart
                          image: registry.example.com/cart:%s
                  strategy:
                    canary:
                      steps:
                        - setWeight: 20
                """.formatted(tag);
    }

    // ---- 2. many rollouts in one process ----------------------------------------------------------------------

    private static Scale manyRollouts(LighttpdGitHttp server, GitBenchmark.Cli admin, GitBenchmark.Cli person, String password,
                                      Path dir, String repo, int rollouts, int perNamespace, boolean sharded, PrintWriter log)
            throws IOException {
        long heapBefore = heapAfterGc();
        Path bare = server.reposRoot().resolve(repo + ".git");
        admin.run(server.reposRoot(), "init", "--quiet", "--bare", "--initial-branch=main", bare.toString());
        Path work = dir.resolve("work");
        Files.createDirectories(dir);
        person.run(dir, "clone", "--quiet", server.url(repo), work.toString());
        person.run(work, "checkout", "--quiet", "-B", "main");
        int namespaces = Math.max(1, (rollouts + perNamespace - 1) / perNamespace);
        long bytes = 0;
        for (int i = 0; i < rollouts; i++) {
            String text = fleetRollout(i, i % namespaces, "v1");
            Path f = work.resolve(fleetFile(i, i % namespaces));
            Files.createDirectories(f.getParent());
            Files.writeString(f, text);
            bytes += text.length();
        }
        person.run(work, "add", "--all");
        person.run(work, "commit", "--quiet", "-m", rollouts + " rollouts");
        person.run(work, "push", "--quiet", "origin", "main");

        String name = sharded ? "stand-in: " + namespaces + " embedded API servers, one per namespace, behind one fabric8 client"
                : "the embedded API server (one fabric8 mock server, CRUD mode)";
        log.printf("many rollouts: %,d canaries in %d namespaces (%,d bytes of YAML) on %s%n", rollouts, namespaces, bytes, name);
        log.flush();

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<Thread> poolThreads = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicInteger n = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "stepwise-bench-pool-" + n.incrementAndGet());
            t.setDaemon(true);
            poolThreads.add(t);
            return t;
        });
        Timings timings = new Timings();
        List<Cycle> cycles = new ArrayList<>();
        ShardedCluster cluster = sharded ? ShardedCluster.start(namespaces) : ShardedCluster.single();
        Clusters clusters = new Clusters().register("local", cluster.client());
        GitSource source = GitSource.open(new GitSource.Config(RemoteUrl.parse(server.url(repo)), "main", ""),
                dir.resolve("cache"), GitCredentials.password(USER, password), TIMEOUT);
        RepositoryReconciler reconciler;
        int changed = Math.max(1, rollouts / 100);
        int replicaSets;
        int canaries;
        long heapEnd;
        double statusAlone;
        try {
            StatusWriter status = new StatusWriter(source.mirror(), StatusWriter.Location.statusBranch(),
                    StatusWriter.Identity.DEFAULT, StatusWriter.Retry.DEFAULT, Clock.systemUTC());
            // the cycle timeout is long so that every cycle finishes what it started (the figure is the whole cycle);
            // settled rollouts are not resynced during the run, so the third cycle decides the changed ones only
            reconciler = new RepositoryReconciler(new RepositoryReconciler.Settings(repo, "local", Duration.ofSeconds(2),
                    Duration.ofHours(1), Duration.ofMinutes(10)), source, status, clusters, noMeasurements(), pool, timings.metrics,
                    () -> true, RepositoryReconciler.Proposers.none());
            RepositoryReconciler.CycleReport first = timed("first: read, validate, restore, decide and commit every initial "
                    + "deploy, apply", reconciler, Instant.now(), true, timings, threads, poolThreads, cycles, log);
            cluster.settle(); // the pods come up (not timed)
            Instant second = first.nextWake().filter(w -> w.isAfter(Instant.now())).orElse(Instant.now());
            timed("second: every rollout observed ready, Healthy, committed", reconciler, second, false, timings, threads,
                    poolThreads, cycles, log);
            for (int i = 0; i < rollouts; i += rollouts / changed) {
                Files.writeString(work.resolve(fleetFile(i, i % namespaces)), fleetRollout(i, i % namespaces, "v2"));
            }
            person.run(work, "commit", "--quiet", "-am", changed + " images to v2");
            person.run(work, "push", "--quiet", "origin", "main");
            timed("third: after a commit changing " + changed + " images: read, validate, decide, commit, apply",
                    reconciler, Instant.now(), true, timings, threads, poolThreads, cycles, log);
            statusAlone = statusWriteAlone(source, reconciler);
            List<ReplicaSet> all = cluster.replicaSets();
            replicaSets = all.size();
            canaries = (int) all.stream().filter(rs -> rs.getSpec().getTemplate().getSpec().getContainers().stream()
                    .anyMatch(c -> c.getImage().endsWith(":v2"))).count();
            heapEnd = heapAfterGc();
        } finally {
            pool.shutdownNow();
            clusters.close();
            cluster.close();
        }
        // the reconciler (its rollouts, statuses, spec cache) and the Git mirror stay reachable; the clusters are gone
        long heapReconciler = heapAfterGc() - heapBefore;
        if (reconciler.views().size() != rollouts) {
            throw new IOException("the reconciler tracks " + reconciler.views().size() + " rollouts, not " + rollouts);
        }
        source.close();
        Scale s = new Scale(name, !sharded, rollouts, changed, bytes, cycles, replicaSets, canaries, heapEnd, heapReconciler,
                statusAlone);
        log.printf("  heap after GC: %,d MiB in this JVM (API server stores included); the reconciler and its Git mirror: "
                + "%,d MiB; ReplicaSets on the cluster: %,d, canaries of the changed images: %,d%n",
                heapEnd >> 20, heapReconciler >> 20, replicaSets, canaries);
        log.printf("  StatusWriter alone, %,d status files (their texts rendered before): %,.0f ms%n", rollouts, statusAlone);
        log.flush();
        return s;
    }

    private static RepositoryReconciler.CycleReport timed(String name, RepositoryReconciler reconciler, Instant now, boolean poll,
                                                          Timings timings, ThreadMXBean threads, List<Thread> pool,
                                                          List<Cycle> cycles, PrintWriter log) {
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        timings.reset();
        long cpu0 = os.getProcessCpuTime();
        long own0 = threads.getCurrentThreadCpuTime() + poolCpu(threads, pool);
        long t0 = System.nanoTime();
        RepositoryReconciler.CycleReport report = reconciler.cycle(now, poll);
        long t1 = System.nanoTime();
        long own1 = threads.getCurrentThreadCpuTime() + poolCpu(threads, pool);
        long cpu1 = os.getProcessCpuTime();
        Cycle c = new Cycle(name, ms(t1 - t0), ms(cpu1 - cpu0), ms(own1 - own0), timings.pollMs(), timings.pushMs(),
                report.decided(), report.committed(), report.problems().size(), report.problems().stream().findFirst());
        cycles.add(c);
        log.printf("  cycle %s: %,.0f ms wall, %,.0f ms process CPU (%,.0f ms in Stepwise's threads); git poll %,.0f ms, "
                        + "status commit (message built, written, pushed) %,.0f ms; %,d decided, %,d committed, %d problems%s%n", c.name(), c.wallMs(), c.processCpuMs(),
                c.stepwiseCpuMs(), c.gitPollMs(), c.statusPushMs(), c.decided(), c.committed(), c.problems(),
                c.firstProblem().map(p -> " (first: " + p + ")").orElse(""));
        log.flush();
        return report;
    }

    private static long poolCpu(ThreadMXBean threads, List<Thread> pool) {
        long sum = 0;
        for (Thread t : pool) {
            long c = threads.getThreadCpuTime(t.getId());
            sum += Math.max(0, c);
        }
        return sum;
    }

    /** The reference for the status commits: the same files written by the StatusWriter alone, to a branch of their own. */
    private static double statusWriteAlone(GitSource source, RepositoryReconciler reconciler) throws IOException {
        Map<RolloutKey, String> texts = new java.util.LinkedHashMap<>();
        for (RolloutView v : reconciler.views()) {
            if (v.status() != null) {
                texts.put(v.key(), v.status().text().replace("updated: ", "updated: reference "));
            }
        }
        StatusWriter writer = new StatusWriter(source.mirror(), new StatusWriter.Location("stepwise/bench-reference", "status"));
        StatusCommit commit = StatusCommit.of("status: reference write of " + texts.size() + " files",
                source.current().orElseThrow().revision(), current -> {
                    StatusChanges changes = StatusChanges.none();
                    texts.forEach(changes::put);
                    return changes;
                });
        long t0 = System.nanoTime();
        StatusWriteResult result = writer.write(commit);
        long t1 = System.nanoTime();
        if (!(result instanceof StatusWriteResult.Committed c) || c.changed().size() != texts.size()) {
            throw new IOException("the reference status write did not commit " + texts.size() + " files: " + result);
        }
        return ms(t1 - t0);
    }

    static String fleetFile(int i, int ns) {
        return "rollouts/team-" + ns + "/svc-" + i + ".yaml";
    }

    static String fleetRollout(int i, int ns, String tag) {
        return """
                apiVersion: argoproj.io/v1alpha1
                kind: Rollout
                metadata:
                  name: svc-%1$d
                  namespace: team-%2$d
                  labels:
                    team: team-%2$d
                spec:
                  replicas: %3$d
                  selector:
                    matchLabels:
                      app: svc-%1$d
                  template:
                    metadata:
                      labels:
                        app: svc-%1$d
                    spec:
                      containers:
                        - name: app
                          image: registry.example.com/svc-%1$d:%4$s
                  strategy:
                    canary:
                      steps:
                        - setWeight: 20
                        - pause: {duration: 10m}
                        - setWeight: 50
                        - pause: {duration: 10m}
                """.formatted(i, ns, 2 + i % 5, tag);
    }

    /** Canaries without analysis ask for no measurement; should one be asked for, it is an error measurement. */
    private static MeasurementSource noMeasurements() {
        return (rollout, cluster, due, now) -> Measurement.error(due.runId(), due.metric(), "the benchmark measures nothing", now);
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    /**
     * The Git times the reconciler reports through its metrics (the sums of the poll and push histograms of
     * {@code /metrics}), for the cycle being timed.
     */
    private static final class Timings {
        final StepwiseMetrics metrics = new StepwiseMetrics();
        private double pollBase;
        private double pushBase;

        void reset() {
            pollBase = sum("stepwise_git_poll_duration_seconds_sum");
            pushBase = sum("stepwise_git_push_duration_seconds_sum");
        }

        double pollMs() {
            return (sum("stepwise_git_poll_duration_seconds_sum") - pollBase) * 1000;
        }

        double pushMs() {
            return (sum("stepwise_git_push_duration_seconds_sum") - pushBase) * 1000;
        }

        private double sum(String series) {
            double total = 0;
            for (String line : metrics.scrape().split("\n")) {
                if (line.startsWith(series + "{") || line.startsWith(series + " ")) {
                    total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return total;
        }
    }

    /** Wakes waiters whenever something they may be waiting for happened (a cycle ended, a watch event came). */
    private static final class Signal {
        synchronized void signal() {
            notifyAll();
        }

        synchronized boolean await(BooleanSupplier done, Duration timeout) throws IOException {
            long deadline = System.nanoTime() + timeout.toNanos();
            try {
                while (!done.getAsBoolean()) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
    }

    /**
     * The cluster of the many-rollouts run: one embedded API server, or — the stand-in, named so in every report —
     * one embedded API server per namespace behind a single fabric8 client, whose interceptor sends each namespaced
     * request to its namespace's server. Stepwise's code (ClusterTarget, the fabric8 client, HTTP on loopback) is
     * the same either way; only the store behind it is split, because the mock server scans every object it holds on
     * every list and watch, where a real API server serves a namespace's objects from an index.
     */
    static final class ShardedCluster implements AutoCloseable {
        private static final Pattern NAMESPACED = Pattern.compile("/namespaces/([^/?]+)");

        private final List<EmbeddedCluster> shards;
        private final KubernetesClient client;

        private ShardedCluster(List<EmbeddedCluster> shards, KubernetesClient client) {
            this.shards = shards;
            this.client = client;
        }

        static ShardedCluster single() {
            EmbeddedCluster c = EmbeddedCluster.start(Duration.ZERO);
            return new ShardedCluster(List.of(c), c.client());
        }

        static ShardedCluster start(int count) {
            List<EmbeddedCluster> shards = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                shards.add(EmbeddedCluster.start(Duration.ZERO));
            }
            List<URI> urls = shards.stream().map(s -> URI.create(s.url())).toList();
            Map<String, Integer> byNamespace = new ConcurrentHashMap<>();
            AtomicInteger next = new AtomicInteger();
            Interceptor route = new Interceptor() {
                @Override
                public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
                    URI u = request.uri();
                    Matcher m = NAMESPACED.matcher(u.getRawPath());
                    if (!m.find()) {
                        return; // cluster-wide requests go to the first server
                    }
                    int shard = byNamespace.computeIfAbsent(m.group(1), k -> next.getAndIncrement() % urls.size());
                    URI to = urls.get(shard);
                    // the raw path and query as they are: URI's multi-argument constructors would encode them again
                    builder.uri(URI.create(u.getScheme() + "://" + to.getRawAuthority() + u.getRawPath()
                            + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery())));
                }
            };
            KubernetesClient client = shards.get(0).newClient(b -> b.addOrReplaceInterceptor("shard-by-namespace", route));
            return new ShardedCluster(shards, client);
        }

        KubernetesClient client() {
            return client;
        }

        /** One pass of every server's workload simulator: every pod asked for becomes ready. */
        void settle() {
            shards.forEach(s -> s.simulator().settle());
        }

        List<ReplicaSet> replicaSets() {
            List<ReplicaSet> all = new ArrayList<>();
            for (EmbeddedCluster s : shards) {
                all.addAll(s.client().apps().replicaSets().inAnyNamespace().list().getItems());
            }
            return all;
        }

        @Override
        public void close() {
            if (shards.size() > 1) {
                client.close();
            }
            shards.forEach(EmbeddedCluster::close);
        }
    }

    private static long heapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return String.format("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    private static double ms(long nanos) {
        return nanos / 1_000_000.0;
    }
}
