package dev.stepwise.demo;

import dev.stepwise.cluster.embedded.EmbeddedCluster;
import dev.stepwise.engine.MeasurementDue;
import dev.stepwise.engine.analysis.Measurement;
import dev.stepwise.git.GitCredentials;
import dev.stepwise.git.GitSource;
import dev.stepwise.git.RemoteUrl;
import dev.stepwise.git.RolloutKey;
import dev.stepwise.git.StatusWriter;
import dev.stepwise.git.promotion.EnvironmentPromoter;
import dev.stepwise.git.promotion.RevertProposer;
import dev.stepwise.reconcile.Clusters;
import dev.stepwise.reconcile.MeasurementSource;
import dev.stepwise.server.StepwiseMetrics;
import dev.stepwise.reconcile.RepositoryReconciler;
import dev.stepwise.reconcile.RolloutView;
import dev.stepwise.simulate.Simulator;
import dev.stepwise.simulate.Timeline;
import dev.stepwise.simulate.TimelineReader;
import dev.stepwise.spec.SafeYamlReader;
import dev.stepwise.spec.SourceFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code stepwise demo}: the whole product on embedded parts, on a virtual clock. A Git repository seeded from the
 * examples, the embedded API server with its workload simulator, and a demo metric source that plays back the
 * timelines in {@code examples-repo/simulations}; the reconciler is the one {@code stepwise run} uses.
 *
 * <p>The story: everything is deployed; then a developer merges two changes. checkout-api v2.1.0 is healthy: it
 * passes its analyses and a release manager approves it with a promotion commit at its second pause; it completes.
 * web-app v1.3.0 is not: its success rate drops, its analysis fails, traffic returns to stable and a revert is
 * proposed on a branch.
 */
public final class Demo {

    /** Virtual time starts here. */
    static final Instant START = Instant.parse("2026-01-05T09:00:00Z");
    static final RolloutKey CHECKOUT = new RolloutKey("production", "checkout-api");
    static final RolloutKey WEB = new RolloutKey("production", "web-app");
    static final String CHECKOUT_OLD = "registry.example.com/checkout-api:v2.0.3";
    static final String CHECKOUT_NEW = "registry.example.com/checkout-api:v2.1.0";
    static final String WEB_OLD = "registry.example.com/web-app:v1.2.0";
    static final String WEB_NEW = "registry.example.com/web-app:v1.3.0";
    private static final Duration GIVE_UP = Duration.ofHours(3);
    /** The name {@code stepwise run --cluster embedded} gives its cluster, so that it continues the demo's status. */
    static final String CLUSTER = "embedded";

    private final Path examples;
    private final Path dir;
    private final PrintWriter out;
    private final Progress progress;

    /**
     * @param examples the examples repository to seed from
     * @param dir      where the demo leaves its repository (must not exist or be empty)
     * @param live     redraw progress lines in place (a terminal); else print a line when something changes
     */
    public Demo(Path examples, Path dir, PrintWriter out, boolean live) {
        this.examples = examples;
        this.dir = dir;
        this.out = out;
        this.progress = new Progress(out, live);
    }

    /** The outcome: whether both rollouts ended as the story says. */
    public record Outcome(boolean checkoutCompleted, boolean webAppRolledBack, boolean revertProposed, Duration virtualTime,
                          Duration realTime, List<String> statusLog) {
        public boolean asExpected() {
            return checkoutCompleted && webAppRolledBack && revertProposed;
        }
    }

    public Outcome run() throws Exception {
        long realStart = System.nanoTime();
        VirtualClock clock = new VirtualClock(START);
        Files.createDirectories(dir);
        out.println("Stepwise demo: everything embedded, on a virtual clock (minutes pass in moments)");
        out.println("  Git repository   " + dir.resolve("repo.git") + " (seeded from " + examples + ")");
        out.println("  cluster          the embedded Kubernetes API server with a workload simulator (pods ready after 20s)");
        out.println("  metrics          the demo metric source: timelines from " + examples.resolve("simulations"));
        Map<RolloutKey, Timeline> timelines = new LinkedHashMap<>();
        timelines.put(CHECKOUT, timeline(examples.resolve("simulations/checkout-api-healthy.yaml")));
        timelines.put(WEB, timeline(examples.resolve("simulations/web-app-analysis-fails.yaml")));
        TimelineSource metrics = new TimelineSource(timelines);

        ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "stepwise-demo-worker");
            t.setDaemon(true);
            return t;
        });
        try (DemoRepository repo = DemoRepository.create(dir);
             EmbeddedCluster cluster = EmbeddedCluster.start(Duration.ofSeconds(20), clock, b -> { })) {
            seed(repo, clock.instant());
            int objects = Platform.apply(repo.work(), cluster.client());
            out.println("  platform         " + objects + " Services, Ingresses, routes and Deployments applied to the cluster "
                    + "(what Argo CD or Flux would have applied)");
            out.println();
            Clusters clusters = new Clusters().register(CLUSTER, cluster.client());
            try (GitSource source = GitSource.open(new GitSource.Config(RemoteUrl.parse(repo.bare().toString()), "main", ""),
                    dir.resolve("cache"), GitCredentials.none(), Duration.ofSeconds(30))) {
                StatusWriter status = new StatusWriter(source.mirror(), StatusWriter.Location.statusBranch(),
                        StatusWriter.Identity.DEFAULT, StatusWriter.Retry.DEFAULT, clock);
                RepositoryReconciler reconciler = new RepositoryReconciler(
                        new RepositoryReconciler.Settings("demo", CLUSTER, Duration.ofSeconds(5), Duration.ofMinutes(5),
                                Duration.ofSeconds(30)),
                        source, status, clusters, metrics, pool, new StepwiseMetrics(), () -> true,
                        new RepositoryReconciler.Proposers(Optional.of(new RevertProposer(source.mirror(), "main")),
                                Optional.of(new EnvironmentPromoter(source.mirror(), "main"))));
                Story story = new Story(repo, metrics);
                Instant end = START.plus(GIVE_UP);
                while (clock.instant().isBefore(end)) {
                    Instant now = clock.instant();
                    RepositoryReconciler.CycleReport report = reconciler.cycle(now, true);
                    cluster.simulator().settle();
                    List<RolloutView> views = reconciler.views();
                    progress.show(now, views, report);
                    Optional<Instant> scripted = story.next(now, views);
                    if (story.finished(views)) {
                        break;
                    }
                    Instant next = report.nextWake().orElse(now.plus(Duration.ofMinutes(1)));
                    if (scripted.isPresent() && scripted.get().isBefore(next)) {
                        next = scripted.get();
                    }
                    if (!next.isAfter(now)) {
                        next = now.plusSeconds(1);
                    }
                    clock.advanceTo(next);
                    cluster.simulator().settle();
                }
                progress.done();
                List<RolloutView> views = reconciler.views();
                boolean checkout = story.checkoutCompleted(views);
                boolean web = story.webRolledBack(views);
                boolean revert = !repo.branches("stepwise/revert/").isEmpty();
                List<String> log = repo.log("stepwise/status", 12);
                Outcome outcome = new Outcome(checkout, web, revert, java.time.Duration.between(START, clock.instant()),
                        Duration.ofNanos(System.nanoTime() - realStart), log);
                summary(outcome, repo, views);
                return outcome;
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Seeds the repository with the examples, with the versions the story starts from, and deploys them. */
    private void seed(DemoRepository repo, Instant at) throws Exception {
        repo.copyTree(examples);
        repo.write("rollouts/checkout-api.yaml", repo.read("rollouts/checkout-api.yaml").replace(CHECKOUT_NEW, CHECKOUT_OLD));
        repo.commitAndPush(DemoRepository.DANA, "Add the rollouts, analyses and policies of the shop", at);
    }

    private static Timeline timeline(Path file) throws IOException {
        SafeYamlReader.Result r = new SafeYamlReader().read(new SourceFile(file.toString(), Files.readAllBytes(file)));
        TimelineReader.Result t = TimelineReader.read(r.documents().get(0).root(), r.documents().get(0).sourceMap());
        return t.timeline().orElseThrow(() -> new IOException("the timeline " + file + " cannot be read: " + t.findings()));
    }

    /** What the people in the story do, and when. */
    private final class Story {
        private final DemoRepository repo;
        private final TimelineSource metrics;
        private boolean released;
        private Instant releasedAt;
        private boolean approved;

        Story(DemoRepository repo, TimelineSource metrics) {
            this.repo = repo;
            this.metrics = metrics;
        }

        /** Acts when it is time; returns when it next wants to act. */
        Optional<Instant> next(Instant now, List<RolloutView> views) throws Exception {
            if (!released) {
                boolean deployed = view(views, CHECKOUT).filter(Demo::healthy).isPresent()
                        && view(views, WEB).filter(Demo::healthy).isPresent();
                if (deployed) {
                    repo.write("rollouts/checkout-api.yaml", repo.read("rollouts/checkout-api.yaml").replace(CHECKOUT_OLD, CHECKOUT_NEW));
                    repo.write("rollouts/web-app.yaml", repo.read("rollouts/web-app.yaml").replace(WEB_OLD, WEB_NEW));
                    repo.commitAndPush(DemoRepository.DANA, "Merge pull request #42: checkout-api v2.1.0, web-app v1.3.0", now);
                    released = true;
                    releasedAt = now;
                    metrics.startAt(now);
                    progress.say(now, "Dana merges pull request #42: checkout-api v2.1.0 and web-app v1.3.0");
                }
                return Optional.empty();
            }
            if (!approved) {
                Instant gateAt = releasedAt.plus(Duration.ofMinutes(27));
                if (!now.isBefore(gateAt)) {
                    repo.write("promotions/production/checkout-api.yaml", """
                            # Riley checked the dashboards: promote checkout-api past its pause.
                            action: promote
                            revision: v2.1.0
                            """);
                    repo.commitAndPush(DemoRepository.RILEY, "Promote checkout-api v2.1.0", now);
                    approved = true;
                    progress.say(now, "Riley approves checkout-api v2.1.0 with a promotion commit");
                    return Optional.empty();
                }
                return Optional.of(gateAt);
            }
            return Optional.empty();
        }

        boolean finished(List<RolloutView> views) {
            return released && checkoutCompleted(views) && webRolledBack(views)
                    && views.stream().filter(v -> v.key().equals(WEB)).anyMatch(v -> v.findings().stream()
                    .anyMatch(f -> f.code().equals("reconcile.revert")));
        }

        boolean checkoutCompleted(List<RolloutView> views) {
            return released && view(views, CHECKOUT).map(v -> v.status() != null && "Healthy".equals(v.status().phase())
                    && v.status().summaryCluster().map(e -> !e.getValue().inFlight()
                    && e.getValue().specRevision().equals(v.status().source())).orElse(false)
                    && v.events().stream().anyMatch(e -> e.reason().equals("RolloutCompleted"))).orElse(false);
        }

        boolean webRolledBack(List<RolloutView> views) {
            return released && view(views, WEB).map(v -> v.status() != null && "Degraded".equals(v.status().phase())
                    && v.status().summaryCluster().map(e -> e.getValue().aborted() && e.getValue().canaryWeight() == 0)
                    .orElse(false)).orElse(false);
        }
    }

    private static boolean healthy(RolloutView v) {
        return v.status() != null && "Healthy".equals(v.status().phase());
    }

    private static Optional<RolloutView> view(List<RolloutView> views, RolloutKey key) {
        return views.stream().filter(v -> v.key().equals(key)).findFirst();
    }

    private void summary(Outcome o, DemoRepository repo, List<RolloutView> views) throws Exception {
        out.println();
        out.println("Outcome (" + format(o.virtualTime()) + " of virtual time in " + String.format("%.1f", o.realTime().toMillis() / 1000.0) + " s):");
        out.println("  " + (o.checkoutCompleted() ? "✓" : "✗") + " checkout-api v2.1.0: passed its analyses, approved by Riley's promotion commit, completed");
        view(views, WEB).ifPresent(v -> out.println("  " + (o.webAppRolledBack() ? "✓" : "✗")
                + " web-app v1.3.0: rolled back, all traffic on stable — " + (v.status() == null ? "" : v.status().summaryCluster()
                .map(e -> e.getValue().abortReason()).orElse(""))));
        out.println("  " + (o.revertProposed() ? "✓" : "✗") + " revert proposed on " + String.join(", ", repo.branches("stepwise/revert/")));
        out.println();
        out.println("Status commits Stepwise wrote (git log --oneline stepwise/status):");
        o.statusLog().forEach(l -> out.println("  " + l));
        out.println();
        String r = repo.bare().toString();
        out.println("Look around:");
        out.println("  git --git-dir " + r + " log --oneline --all --graph");
        out.println("  git --git-dir " + r + " show stepwise/status:status/production/web-app.yaml");
        out.println("  java -jar target/stepwise.jar status --repo " + r);
        out.println("  java -jar target/stepwise.jar run --cluster embedded --repo " + r + " --http 127.0.0.1:8080");
        out.println(o.asExpected() ? "Both rollouts ended as expected." : "The demo did not end as expected.");
        out.flush();
    }

    static String format(Duration d) {
        long m = d.toMinutes();
        return m >= 60 ? (m / 60) + "h" + String.format("%02dm", m % 60) : m + "m" + String.format("%02ds", d.toSecondsPart());
    }

    /**
     * The demo metric source: what each rollout's metrics return, played back from its timeline, with time counted
     * from the release. Named as such in the output: these values are not measured anywhere.
     */
    static final class TimelineSource implements MeasurementSource {
        private final Map<RolloutKey, Timeline> timelines;
        private volatile Instant start = START;

        TimelineSource(Map<RolloutKey, Timeline> timelines) {
            this.timelines = Map.copyOf(timelines);
        }

        void startAt(Instant t) {
            start = t;
        }

        @Override
        public Measurement measure(RolloutKey rollout, String cluster, MeasurementDue due, Instant now) {
            Timeline t = timelines.get(rollout);
            if (t == null) {
                return Measurement.error(due.runId(), due.metric(), "the demo metric source has no timeline for " + rollout, now);
            }
            Duration elapsed = now.isBefore(start) ? Duration.ZERO : Duration.between(start, now);
            return Simulator.measure(due, t, elapsed, now);
        }
    }
}
