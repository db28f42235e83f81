package dev.stepwise.reconcile;

import dev.stepwise.server.StepwiseMetrics;
import dev.stepwise.analysis.MetricProviders;
import dev.stepwise.analysis.ProviderSettings;
import dev.stepwise.git.GitCredentials;
import dev.stepwise.git.GitSource;
import dev.stepwise.git.RemoteUrl;
import dev.stepwise.git.StatusWriter;
import dev.stepwise.git.promotion.EnvironmentPromoter;
import dev.stepwise.git.promotion.RevertProposer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Everything {@code stepwise run} runs, assembled from a {@link RunConfig}: per repository a Git source, a status
 * writer, the proposers and a {@link RunLoop}; the clusters; the metric providers; one bounded pool shared by every
 * rollout of every repository. Closing stops the loops after their cycle in flight, then closes the rest.
 */
public final class StepwiseProcess implements AutoCloseable {

    private final RunConfig config;
    private final Clusters clusters;
    private final MetricProviders providers;
    private final ExecutorService pool;
    private final List<RunLoop> loops = new ArrayList<>();
    private final List<GitSource> sources = new ArrayList<>();

    private StepwiseProcess(RunConfig config, Clusters clusters, MetricProviders providers, ExecutorService pool) {
        this.config = config;
        this.clusters = clusters;
        this.providers = providers;
        this.pool = pool;
    }

    /**
     * @param measurements where measurements come from; empty for the configured metric providers
     * @param mayWrite     the leader-election fence; every write checks it
     * @param onCycle      told every cycle's report (logs, the demo's progress)
     */
    public static StepwiseProcess create(RunConfig config, Clusters clusters, Map<String, String> env, Clock clock,
                                         Optional<MeasurementSource> measurements, StepwiseMetrics metrics,
                                         BooleanSupplier mayWrite, Consumer<RepositoryReconciler.CycleReport> onCycle)
            throws IOException, ProviderSettings.InvalidSettings {
        ProviderSettings settings = config.providersFile().isPresent()
                ? ProviderSettings.load(config.providersFile().get(), env) : ProviderSettings.defaults(env);
        MetricProviders providers = MetricProviders.standard(settings, clock);
        AtomicInteger n = new AtomicInteger();
        // bounded: a burst of due rollouts queues here instead of starting thousands of threads
        ThreadPoolExecutor pool = new ThreadPoolExecutor(config.workers(), config.workers(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "stepwise-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        StepwiseProcess p = new StepwiseProcess(config, clusters, providers, pool);
        MeasurementSource source = measurements.orElseGet(() -> new ProviderMeasurements(providers));
        try {
            for (RunConfig.Repository repo : config.repositories()) {
                GitCredentials credentials = credentials(repo.credentials(), env);
                GitSource.Config sc = new GitSource.Config(RemoteUrl.parse(repo.url()), repo.branch(), repo.path());
                GitSource git = GitSource.open(sc, config.cacheDir().resolve(repo.name()), credentials, Duration.ofSeconds(30));
                p.sources.add(git);
                StatusWriter.Location location = repo.statusBranch().equals(repo.branch())
                        ? StatusWriter.Location.folderOn(repo.branch(), repo.statusFolder())
                        : new StatusWriter.Location(repo.statusBranch(), repo.statusFolder());
                StatusWriter status = new StatusWriter(git.mirror(), location, StatusWriter.Identity.DEFAULT,
                        StatusWriter.Retry.DEFAULT, clock);
                RepositoryReconciler.Proposers proposers = new RepositoryReconciler.Proposers(
                        Optional.of(new RevertProposer(git.mirror(), repo.branch())),
                        Optional.of(new EnvironmentPromoter(git.mirror(), repo.branch())));
                RepositoryReconciler.Settings rs = new RepositoryReconciler.Settings(repo.name(), config.defaultCluster(),
                        config.observeInterval(), Duration.ofSeconds(30), config.cycleTimeout(),
                        config.leaderElection().enabled() ? config.leaderElection().identity() : "");
                RepositoryReconciler reconciler = new RepositoryReconciler(rs, git, status, clusters, source, pool, metrics,
                        mayWrite, proposers);
                p.loops.add(new RunLoop(reconciler, clock, repo.pollInterval(), onCycle));
            }
        } catch (IOException | RuntimeException e) {
            p.close();
            throw e;
        }
        return p;
    }

    /** Credentials from the files the configuration names, else from {@code STEPWISE_GIT_*}. */
    static GitCredentials credentials(RunConfig.Credentials c, Map<String, String> env) throws IOException {
        if (c.sshKeyFile().isPresent()) {
            return GitCredentials.sshKey(c.sshKeyFile().get(), c.knownHostsFile().orElseThrow());
        }
        String user = c.usernameFile().isPresent() ? read(c.usernameFile().get()) : GitCredentials.DEFAULT_TOKEN_USER;
        if (c.tokenFile().isPresent()) {
            return GitCredentials.token(user, read(c.tokenFile().get()));
        }
        if (c.passwordFile().isPresent()) {
            return GitCredentials.password(user, read(c.passwordFile().get()));
        }
        return GitCredentials.fromEnvironment(env);
    }

    private static String read(Path file) throws IOException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            // the message names the file, never its content
            throw new IOException("cannot read the credentials file " + file + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    public RunConfig config() {
        return config;
    }

    public List<RunLoop> loops() {
        return List.copyOf(loops);
    }

    public Clusters clusters() {
        return clusters;
    }

    public void start() {
        loops.forEach(RunLoop::start);
    }

    /** {@code --once}: one full cycle per repository, in order. */
    public List<RepositoryReconciler.CycleReport> once() {
        List<RepositoryReconciler.CycleReport> out = new ArrayList<>();
        for (RunLoop l : loops) {
            out.add(l.once());
        }
        return out;
    }

    /** Ready when every repository was read and its status restored; else the first reason why not. */
    public Optional<String> notReady() {
        for (RunLoop l : loops) {
            Optional<String> r = l.reconciler().notReady();
            if (r.isPresent()) {
                return Optional.of(l.reconciler().settings().name() + ": " + r.get());
            }
        }
        return Optional.empty();
    }

    /** Every rollout of every repository, for the HTTP API. */
    public List<RolloutView> views() {
        List<RolloutView> out = new ArrayList<>();
        loops.forEach(l -> out.addAll(l.reconciler().views()));
        return out;
    }

    /** The loop of the repository named {@code name}, for webhooks. */
    public Optional<RunLoop> loop(String name) {
        return loops.stream().filter(l -> l.reconciler().settings().name().equals(name)).findFirst();
    }

    @Override
    public void close() {
        for (RunLoop l : loops) {
            l.stop(Duration.ofSeconds(30));
        }
        pool.shutdown();
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pool.shutdownNow();
        sources.forEach(GitSource::close);
        providers.close();
        clusters.close();
    }
}
