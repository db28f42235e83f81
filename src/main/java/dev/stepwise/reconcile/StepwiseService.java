package dev.stepwise.reconcile;

import dev.stepwise.analysis.ProviderSettings;
import dev.stepwise.git.RemoteUrl;
import dev.stepwise.git.Secret;
import dev.stepwise.ha.LeaderElection;
import dev.stepwise.ha.MonotonicClock;
import dev.stepwise.ha.WriteFence;
import dev.stepwise.server.HttpApi;
import dev.stepwise.server.RolloutDirectory;
import dev.stepwise.server.StepwiseMetrics;
import dev.stepwise.webhook.WebhookTriggers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code stepwise run} as a service: the {@link StepwiseProcess} with its HTTP API (health, readiness, metrics, the
 * rollouts API, webhooks) and, when configured, leader election. Closing is the graceful shutdown SIGTERM asks for:
 * the cycles in flight finish (their status is pushed), then the lease is released so the other replica takes over
 * at once, then the HTTP server stops.
 */
public final class StepwiseService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StepwiseService.class);

    private final StepwiseProcess process;
    private final StepwiseMetrics metrics;
    private final Optional<LeaderElection> election;
    private final HttpApi http;

    private StepwiseService(StepwiseProcess process, StepwiseMetrics metrics, Optional<LeaderElection> election, HttpApi http) {
        this.process = process;
        this.metrics = metrics;
        this.election = election;
        this.http = http;
    }

    public static StepwiseService start(RunConfig config, Map<String, String> env,
                                        Consumer<RepositoryReconciler.CycleReport> onCycle)
            throws IOException, ProviderSettings.InvalidSettings {
        Clusters clusters = Clusters.fromConfig(config.clusters());
        StepwiseMetrics metrics = new StepwiseMetrics();
        AtomicReference<WriteFence> fence = new AtomicReference<>(WriteFence.always());
        StepwiseProcess process;
        try {
            process = StepwiseProcess.create(config, clusters, env, Clock.systemUTC(), Optional.empty(), metrics,
                    () -> fence.get().mayWrite(), onCycle);
        } catch (IOException | ProviderSettings.InvalidSettings | RuntimeException e) {
            clusters.close();
            throw e;
        }
        HttpApi http = null;
        Optional<LeaderElection> election = Optional.empty();
        try {
            RolloutDirectory directory = new RolloutDirectory() {
                @Override
                public List<Map<String, Object>> rollouts() {
                    return process.views().stream().map(RolloutView::summary).toList();
                }

                @Override
                public Optional<Map<String, Object>> rollout(String namespace, String name) {
                    return process.views().stream().filter(v -> v.key().namespace().equals(namespace)
                            && v.key().name().equals(name)).findFirst().map(RolloutView::detail);
                }
            };
            http = HttpApi.start(config.http(), metrics, directory, () -> true, process::notReady);
            for (RunConfig.Repository repo : config.repositories()) {
                if (repo.webhookSecretFile().isEmpty()) {
                    continue;
                }
                String value = Files.readString(repo.webhookSecretFile().get(), StandardCharsets.UTF_8).strip();
                if (value.length() < 16) {
                    throw new IllegalArgumentException("the webhook secret in " + repo.webhookSecretFile().get()
                            + " is shorter than 16 characters; use a long random one (openssl rand -hex 32)");
                }
                Secret secret = Secret.of(value);
                WebhookTriggers triggers = new WebhookTriggers();
                RunLoop loop = process.loop(repo.name()).orElseThrow();
                triggers.register(RemoteUrl.parse(repo.url()), repo.branch(), loop::trigger);
                http.mountWebhook("/webhook/" + repo.name(), secret, triggers);
                if (config.repositories().size() == 1) {
                    http.mountWebhook("/webhook", secret, triggers);
                }
            }
            RunConfig.LeaderElection le = config.leaderElection();
            if (le.enabled()) {
                LeaderElection.Config lc = new LeaderElection.Config(le.namespace(), le.leaseName(), le.identity(),
                        le.leaseDuration(), le.renewDeadline(), le.retryPeriod());
                var client = clusters.target(config.defaultCluster()).orElseThrow().client();
                LeaderElection e = LeaderElection.start(client, lc, MonotonicClock.startingNow(), new LeaderElection.Listener() {
                    @Override
                    public void startedLeading() {
                        LOG.info("leading as {}: reconciling", lc.identity());
                        metrics.leader(true);
                        process.loops().forEach(RunLoop::trigger);
                    }

                    @Override
                    public void stoppedLeading() {
                        LOG.info("no longer leading: writes stop");
                        metrics.leader(false);
                    }

                    @Override
                    public void newLeader(String identity) {
                        LOG.info("the leader is {}", identity);
                    }
                });
                fence.set(e);
                election = Optional.of(e);
                metrics.leader(false);
            } else {
                metrics.leader(true);
            }
        } catch (IOException | RuntimeException e) {
            if (http != null) {
                http.close();
            }
            process.close();
            throw e;
        }
        process.start();
        return new StepwiseService(process, metrics, election, http);
    }

    public StepwiseProcess process() {
        return process;
    }

    public HttpApi http() {
        return http;
    }

    public StepwiseMetrics metrics() {
        return metrics;
    }

    public Optional<LeaderElection> election() {
        return election;
    }

    @Override
    public void close() {
        for (RunLoop l : process.loops()) {
            l.stop(Duration.ofSeconds(30));
        }
        election.ifPresent(LeaderElection::close);
        http.close();
        process.close();
    }
}
