package dev.stepwise.bench;

import dev.stepwise.git.GitCredentials;
import dev.stepwise.git.GitSource;
import dev.stepwise.git.PollResult;
import dev.stepwise.git.RemoteUrl;
import dev.stepwise.git.Revision;
import dev.stepwise.git.RolloutKey;
import dev.stepwise.git.Secret;
import dev.stepwise.git.SourcePoller;
import dev.stepwise.git.StatusChanges;
import dev.stepwise.git.StatusCommit;
import dev.stepwise.git.StatusWriteResult;
import dev.stepwise.git.StatusWriter;
import dev.stepwise.webhook.SignatureVerifier;
import dev.stepwise.webhook.WebhookConfig;
import dev.stepwise.webhook.WebhookServer;
import dev.stepwise.webhook.WebhookTriggers;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What Stepwise's Git work costs, measured in one run against a real server on loopback that the benchmark starts
 * itself (lighttpd + C git's http-backend, {@link LighttpdGitHttp}), next to C git's own client against the same
 * server:
 * <ul>
 * <li>a poll that finds nothing new, next to {@code git ls-remote} (median of N each);</li>
 * <li>the time from a {@code git push} to Stepwise having read the new revision, with a webhook and with polling
 * every second;</li>
 * <li>writing and pushing one status commit for 1,000 rollouts that all changed.</li>
 * </ul>
 */
public final class GitBenchmark {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /**
     * @param polls           how many no-change polls (and ls-remotes) were timed
     * @param pollMedianMs    median no-change poll
     * @param lsRemoteMedianMs median {@code git ls-remote} by the C client (a process each time, as a person runs it)
     * @param pushes          pushes timed for each way of noticing them
     * @param pushMedianMs    median duration of the {@code git push} itself
     * @param webhookReadMs   median time from the start of the push to the revision read, with a webhook
     * @param webhookAfterPushMs median time from the push's return to the revision read, with a webhook
     * @param webhookPollMs   median time from the webhook's arrival to the revision read (the poll it triggers)
     * @param gitFetchMs      median {@code git fetch} of the same change by a second C git clone, for reference
     * @param webhookMaxMs    the slowest push return to read with a webhook
     * @param pollingReadMs   median time from the start of the push to the revision read, polling every second
     * @param pollingMaxMs    the slowest of those
     * @param rollouts        status files in the status commit
     * @param statusMedianMs  median time to build and push that commit
     */
    public record Figures(int polls, double pollMedianMs, double lsRemoteMedianMs, int pushes, double pushMedianMs,
                          double webhookReadMs, double webhookAfterPushMs, double webhookPollMs, double gitFetchMs,
                          double webhookMaxMs,
                          double pollingReadMs,
                          double pollingMaxMs, int rollouts, double statusMedianMs, int statusRounds, int specFiles) {
        public double pollToLsRemote() {
            return pollMedianMs / lsRemoteMedianMs;
        }
    }

    private GitBenchmark() {
    }

    public static Figures run(int specFiles, int polls, int pushes, int rollouts, int statusRounds, PrintWriter log) throws IOException {
        Path dir = Files.createTempDirectory("stepwise-bench-git");
        String user = "bench";
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        String password = HexFormat.of().formatHex(random);
        try (LighttpdGitHttp server = LighttpdGitHttp.start(dir.resolve("server"), user, password)) {
            log.printf("server: lighttpd + git http-backend on 127.0.0.1:%d (%s)%n", server.port(), gitVersion());
            Path bare = server.reposRoot().resolve("specs.git");
            Cli admin = new Cli(dir.resolve("admin-home"));
            admin.run(server.reposRoot(), "init", "--quiet", "--bare", "--initial-branch=main", bare.toString());
            Cli person = new Cli(dir.resolve("person-home"));
            person.credentials(server.port(), user, password);
            Path work = dir.resolve("work");
            person.run(dir, "clone", "--quiet", server.url("specs"), work.toString());
            person.run(work, "checkout", "--quiet", "-B", "main");
            for (int i = 0; i < specFiles; i++) {
                Path f = work.resolve("deploy/r" + i + ".yaml");
                Files.createDirectories(f.getParent());
                Files.writeString(f, rollout("r" + i, 10));
            }
            person.run(work, "add", "--all");
            person.run(work, "commit", "--quiet", "-m", specFiles + " rollouts");
            person.run(work, "push", "--quiet", "origin", "main");
            log.printf("repository: %d spec files pushed%n", specFiles);
            // a second C git client, fetching each pushed change too: what the same server costs a plain git fetch
            Path observer = dir.resolve("observer");
            person.run(dir, "clone", "--quiet", server.url("specs"), observer.toString());

            GitSource.Config config = new GitSource.Config(RemoteUrl.parse(server.url("specs")), "main", "deploy");
            try (GitSource source = GitSource.open(config, dir.resolve("cache"), GitCredentials.password(user, password), TIMEOUT)) {
                if (!(source.poll() instanceof PollResult.Changed)) {
                    throw new IOException("the first poll did not read the repository");
                }
                // no-change poll next to ls-remote, interleaved so that both see the same machine
                double[] poll = new double[polls];
                double[] ls = new double[polls];
                for (int i = -5; i < polls; i++) {
                    long t0 = System.nanoTime();
                    PollResult r = source.poll();
                    long t1 = System.nanoTime();
                    person.run(work, "ls-remote", "origin", "refs/heads/main");
                    long t2 = System.nanoTime();
                    if (!(r instanceof PollResult.Unchanged)) {
                        throw new IOException("expected an unchanged poll, got " + r);
                    }
                    if (i >= 0) {
                        poll[i] = ms(t1 - t0);
                        ls[i] = ms(t2 - t1);
                    }
                }
                log.printf("no-change poll: median %.1f ms, git ls-remote: median %.1f ms (%d each)%n", median(poll), median(ls), polls);

                double[][] webhook = pushToRead(source, config, person, work, observer, pushes, true, log);
                double[][] polling = pushToRead(source, config, person, work, observer, pushes, false, log);

                StatusWriter writer = new StatusWriter(source.mirror(), StatusWriter.Location.statusBranch());
                double[] status = new double[statusRounds];
                for (int round = -1; round < statusRounds; round++) {
                    int r = round;
                    StatusCommit commit = StatusCommit.of("status: " + rollouts + " rollouts, round " + r,
                            source.current().orElseThrow().revision(), current -> {
                                StatusChanges changes = StatusChanges.none();
                                for (int i = 0; i < rollouts; i++) {
                                    changes.put(new RolloutKey("bench", "r" + i), "phase: Progressing\nstep: " + (r + 2)
                                            + "\nweight: " + ((r + 2) * 10 % 100) + "\nrevision: rev-" + i + "\n");
                                }
                                return changes;
                            });
                    long t0 = System.nanoTime();
                    StatusWriteResult result = writer.write(commit);
                    long t1 = System.nanoTime();
                    if (!(result instanceof StatusWriteResult.Committed c) || c.changed().size() != rollouts) {
                        throw new IOException("status write did not commit " + rollouts + " files: " + result);
                    }
                    if (round >= 0) {
                        status[round] = ms(t1 - t0);
                    }
                }
                log.printf("status commit of %d changed rollouts: median %.0f ms (%d rounds)%n", rollouts, median(status), statusRounds);
                return new Figures(polls, median(poll), median(ls), pushes, median(webhook[0]), median(webhook[1]),
                        median(webhook[2]), median(webhook[3]), median(webhook[4]), max(webhook[2]), median(polling[1]), max(polling[1]), rollouts, median(status), statusRounds, specFiles);
            }
        } finally {
            deleteTree(dir);
        }
    }

    /**
     * Pushes {@code pushes} commits with the git CLI and times until the source has read each: rows are push durations,
     * push start to read, push return to read.
     */
    private static double[][] pushToRead(GitSource source, GitSource.Config config, Cli person, Path work, Path observer,
                                         int pushes, boolean webhook, PrintWriter log) throws IOException {
        Map<String, Long> readAt = new ConcurrentHashMap<>();
        long[] triggered = new long[1];
        double[] fromTrigger = new double[pushes];
        double[] gitFetch = new double[pushes];
        double[] pushMs = new double[pushes];
        double[] fromStart = new double[pushes];
        double[] afterPush = new double[pushes];
        Secret secret = Secret.of(HexFormat.of().formatHex(new SecureRandom().generateSeed(16)));
        HttpClient http = HttpClient.newHttpClient();
        WebhookTriggers triggers = new WebhookTriggers();
        Duration interval = webhook ? Duration.ofHours(1) : Duration.ofSeconds(1);
        try (SourcePoller poller = new SourcePoller(source, interval, r -> {
                    if (r instanceof PollResult.Changed c) {
                        readAt.put(c.current().revision().commitId(), System.nanoTime());
                    }
                });
             WebhookServer hooks = WebhookServer.start(WebhookConfig.loopback(0, secret), triggers)) {
            triggers.register(config.url(), config.branch(), () -> {
                triggered[0] = System.nanoTime();
                poller.trigger();
            });
            poller.start();
            for (int i = 0; i < pushes; i++) {
                Files.writeString(work.resolve("deploy/r0.yaml"), rollout("r0", (i % 90) + 1 + (webhook ? 0 : 1)));
                person.run(work, "commit", "--quiet", "-am", (webhook ? "webhook " : "polling ") + i);
                String sha = person.run(work, "rev-parse", "HEAD").strip();
                long t0 = System.nanoTime();
                person.run(work, "push", "--quiet", "origin", "main");
                long t1 = System.nanoTime();
                if (webhook) {
                    // the forge's part: it announces the push once the server has taken it
                    String body = "{\"repository\":\"" + config.url() + "\",\"ref\":\"refs/heads/main\",\"after\":\"" + sha + "\"}";
                    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                    HttpRequest request = HttpRequest.newBuilder(URI.create(hooks.url()))
                            .header(SignatureVerifier.STEPWISE_SIGNATURE, new SignatureVerifier(secret).signatureHeader(bytes))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build();
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
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!readAt.containsKey(sha)) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("revision " + sha + " was not read within 30 s");
                    }
                    try {
                        TimeUnit.MILLISECONDS.sleep(1);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted", e);
                    }
                }
                long read = readAt.get(sha);
                pushMs[i] = ms(t1 - t0);
                fromStart[i] = ms(read - t0);
                afterPush[i] = ms(Math.max(0, read - t1));
                fromTrigger[i] = webhook ? ms(Math.max(0, read - triggered[0])) : Double.NaN;
                long f0 = System.nanoTime();
                person.run(observer, "fetch", "--quiet", "origin", "main");
                gitFetch[i] = ms(System.nanoTime() - f0);
            }
        }
        log.printf("push to read, %s: median %.0f ms from the start of git push (push itself %.0f ms, then %.0f ms), max %.0f ms%n",
                webhook ? "webhook" : "polling every 1 s", median(fromStart), median(pushMs), median(afterPush), max(fromStart));
        if (webhook) {
            log.printf("  of which webhook received to revision read (the poll it triggers): median %.0f ms;"
                    + " C git fetching the same change: median %.0f ms%n", median(fromTrigger), median(gitFetch));
        }
        return new double[][] {pushMs, fromStart, afterPush, fromTrigger, gitFetch};
    }

    private static String rollout(String name, int weight) {
        return """
                apiVersion: argoproj.io/v1alpha1
                kind: Rollout
                metadata:
                  name: %s
                  namespace: bench
                spec:
                  replicas: 3
                  template:
                    spec:
                      containers:
                        - name: app
                          image: registry.example.com/%1$s:v1
                  strategy:
                    canary:
                      steps:
                        - setWeight: %d
                        - pause: {duration: 10m}
                        - setWeight: 100
                """.formatted(name, weight);
    }

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    static double max(double[] values) {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }

    private static double ms(long nanos) {
        return nanos / 1_000_000.0;
    }

    static String gitVersion() {
        try {
            return new Cli(Path.of(System.getProperty("java.io.tmpdir"))).run(null, "--version").strip();
        } catch (IOException e) {
            return "git";
        }
    }

    static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException e) {
            // a temporary folder left behind is harmless
        }
    }

    /**
     * C git's client with a HOME of its own, so a person's configuration never changes the figures (the run benchmark
     * commits and pushes with it too).
     */
    static final class Cli {
        private final Path home;

        Cli(Path home) {
            this.home = home;
        }

        void credentials(int port, String user, String password) throws IOException {
            Files.createDirectories(home);
            Path store = home.resolve(".git-credentials");
            Files.writeString(store, "http://" + user + ":" + password + "@127.0.0.1:" + port + "\n");
            store.toFile().setReadable(false, false);
            store.toFile().setReadable(true, true);
            run(home, "config", "--global", "credential.helper", "store");
            run(home, "config", "--global", "user.name", "Bench Person");
            run(home, "config", "--global", "user.email", "bench@example.com");
        }

        String run(Path dir, String... args) throws IOException {
            Files.createDirectories(home);
            List<String> cmd = new ArrayList<>();
            cmd.add("git");
            cmd.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            Map<String, String> env = pb.environment();
            env.put("HOME", home.toString());
            env.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
            env.put("GIT_CONFIG_NOSYSTEM", "1");
            env.put("GIT_TERMINAL_PROMPT", "0");
            env.put("LC_ALL", "C");
            Process p = pb.start();
            try {
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IOException("git " + args[0] + " did not finish");
                }
                if (p.exitValue() != 0) {
                    throw new IOException("git " + String.join(" ", args) + " exited " + p.exitValue() + ": " + out.strip());
                }
                return out;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UncheckedIOException(new IOException("interrupted", e));
            }
        }
    }
}
