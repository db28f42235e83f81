package dev.stepwise.cli;

import dev.stepwise.analysis.ProviderSettings;
import dev.stepwise.reconcile.Clusters;
import dev.stepwise.reconcile.RepositoryReconciler;
import dev.stepwise.reconcile.RunConfig;
import dev.stepwise.reconcile.StepwiseProcess;
import dev.stepwise.reconcile.StepwiseService;
import dev.stepwise.server.StepwiseMetrics;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code stepwise run}: the reconciler as a service. Either {@code --config stepwise.yaml} or flags for one
 * repository and one cluster; {@code --once} runs one full cycle and exits (for CI jobs and tests).
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Reconcile rollouts from Git to clusters until stopped (SIGTERM stops cleanly).",
                "Either --config FILE (see docs/configuration.md) or --repo URL with the flags below."})
public final class RunCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "The configuration file (stepwise.yaml).")
    Path config;

    @Option(names = "--repo", paramLabel = "URL", description = "The spec repository (credentials from STEPWISE_GIT_*).")
    String repo;

    @Option(names = "--branch", defaultValue = "main", paramLabel = "BRANCH", description = "The tracked branch (default: ${DEFAULT-VALUE}).")
    String branch;

    @Option(names = "--path", defaultValue = "", paramLabel = "DIR", description = "The folder of specs in the repository (default: all of it).")
    String path;

    @Option(names = "--cluster", defaultValue = "in-cluster", paramLabel = "CONTEXT|in-cluster|embedded",
            description = "A kubeconfig context, in-cluster, or embedded (the in-process API server and workload simulator). Default: ${DEFAULT-VALUE}.")
    String cluster;

    @Option(names = "--http", paramLabel = "HOST:PORT", description = "Where the HTTP API listens (default: 127.0.0.1:8080).")
    String http;

    @Option(names = "--poll", defaultValue = "30s", paramLabel = "DURATION", description = "How often Git is polled (default: ${DEFAULT-VALUE}).")
    String poll;

    @Option(names = "--status-branch", defaultValue = "stepwise/status", paramLabel = "BRANCH",
            description = "Where status is written (default: ${DEFAULT-VALUE}); the tracked branch itself writes a folder on it.")
    String statusBranch;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "Where repository mirrors are kept (default: a folder under the temp dir).")
    Path cacheDir;

    @Option(names = "--providers", paramLabel = "FILE", description = "Metric provider settings (as for stepwise analyze).")
    Path providers;

    @Option(names = "--once", description = "Run one full cycle per repository, then exit.")
    boolean once;

    Map<String, String> env = System.getenv();

    /** The name {@code --cluster embedded} gives its cluster; the demo's cluster has the same name, so status continues. */
    public static final String EMBEDDED = "embedded";

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        RunConfig rc;
        try {
            rc = configuration();
        } catch (RunConfig.Invalid e) {
            err.println("stepwise run: the configuration cannot be used:");
            e.problems().forEach(p -> err.println("  " + p));
            return ExitCodes.USAGE_OR_IO;
        } catch (IllegalArgumentException | IOException e) {
            err.println("stepwise run: " + e.getMessage());
            return ExitCodes.USAGE_OR_IO;
        }
        if (once) {
            Clusters clusters = Clusters.fromConfig(rc.clusters());
            StepwiseProcess process;
            try {
                process = StepwiseProcess.create(rc, clusters, env, Clock.systemUTC(), Optional.empty(),
                        new StepwiseMetrics(), () -> true, RunCommand::log);
            } catch (IOException | ProviderSettings.InvalidSettings | IllegalArgumentException e) {
                clusters.close();
                err.println("stepwise run: " + e.getMessage());
                return ExitCodes.USAGE_OR_IO;
            }
            try (process) {
                int exit = ExitCodes.OK;
                List<RepositoryReconciler.CycleReport> reports = process.once();
                for (int i = 0; i < reports.size(); i++) {
                    RepositoryReconciler.CycleReport r = reports.get(i);
                    String name = process.loops().get(i).reconciler().settings().name();
                    out.println(name + ": " + r.revision().map(x -> x.name()).orElse("not read") + ", " + r.decided()
                            + " rollout(s) decided, " + r.committed() + " status file(s) written"
                            + r.statusCommit().map(c -> " in " + c.substring(0, 12)).orElse(""));
                    r.problems().forEach(p -> out.println("  problem: " + p));
                    if (r.revision().isEmpty()) {
                        exit = ExitCodes.USAGE_OR_IO;
                    }
                }
                process.views().forEach(v -> out.println("  " + v.key() + " " + v.summary().getOrDefault("phase", "")
                        + (v.summary().containsKey("step") ? " step " + v.summary().get("step") + " weight " + v.summary().get("weight") : "")));
                out.flush();
                return exit;
            }
        }
        StepwiseService service;
        try {
            service = StepwiseService.start(rc, env, RunCommand::log);
        } catch (IOException | ProviderSettings.InvalidSettings | IllegalArgumentException e) {
            err.println("stepwise run: " + e.getMessage());
            return ExitCodes.USAGE_OR_IO;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            LOG.info("stopping: finishing the cycle in flight, then releasing the lease");
            service.close();
            stopped.countDown();
        }, "stepwise-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("stepwise run: " + rc.repositories().size() + " repositor" + (rc.repositories().size() == 1 ? "y" : "ies")
                + ", clusters " + String.join(", ", service.process().clusters().names()) + ", HTTP on " + service.http().url());
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ExitCodes.OK;
    }

    private static void log(RepositoryReconciler.CycleReport r) {
        if (r.committed() > 0 || !r.problems().isEmpty()) {
            LOG.info("cycle at {}: {} decided, {} status file(s) written{}{}", r.revision().map(x -> x.shortId()).orElse("-"),
                    r.decided(), r.committed(), r.statusCommit().map(c -> " in " + c.substring(0, 12)).orElse(""),
                    r.problems().isEmpty() ? "" : "; problems: " + String.join("; ", r.problems()));
        }
    }

    RunConfig configuration() throws RunConfig.Invalid, IOException {
        if (config != null) {
            for (String flag : List.of("--repo", "--branch", "--path", "--cluster", "--poll", "--status-branch")) {
                if (spec.commandLine().getParseResult().hasMatchedOption(flag)) {
                    throw new IllegalArgumentException(flag + " does not go with --config: set it in " + config
                            + " (only --http, --cache-dir and --providers override the file)");
                }
            }
            RunConfig rc = RunConfig.read(config.toString(), Files.readAllBytes(config), env);
            return override(rc);
        }
        if (repo == null) {
            throw new IllegalArgumentException("give --config FILE or --repo URL");
        }
        Duration pollEvery = dev.stepwise.spec.model.ArgoDuration.parse(poll);
        if (pollEvery.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException("--poll must be at least 100ms, not " + poll);
        }
        RunConfig.Repository r = new RunConfig.Repository(RunConfig.defaultName(repo), repo, branch, path, pollEvery,
                RunConfig.Credentials.FROM_ENVIRONMENT, statusBranch, "status",
                Optional.ofNullable(env.get("STEPWISE_WEBHOOK_SECRET_FILE")).map(Path::of));
        RunConfig.Cluster c = switch (cluster) {
            case "embedded" -> new RunConfig.Cluster(EMBEDDED, Optional.empty(), false, Optional.empty(), Optional.empty(),
                    Optional.empty(), true);
            case "in-cluster" -> new RunConfig.Cluster("in-cluster", Optional.empty(), true, Optional.empty(), Optional.empty(),
                    Optional.empty(), false);
            default -> new RunConfig.Cluster(cluster, Optional.of(cluster), false, Optional.empty(), Optional.empty(),
                    Optional.empty(), false);
        };
        Path cache = cacheDir != null ? cacheDir : Path.of(System.getProperty("java.io.tmpdir"), "stepwise-cache");
        return new RunConfig(http == null ? RunConfig.DEFAULT_HTTP : RunConfig.parseAddress(http), cache, List.of(r), List.of(c),
                c.name(), Optional.ofNullable(providers), RunConfig.LeaderElection.disabled(), 8, Duration.ofSeconds(20),
                Duration.ofSeconds(2));
    }

    /** Flags given with --config win over the file. */
    private RunConfig override(RunConfig rc) {
        return new RunConfig(http == null ? rc.http() : RunConfig.parseAddress(http), cacheDir == null ? rc.cacheDir() : cacheDir,
                rc.repositories(), rc.clusters(), rc.defaultCluster(),
                providers == null ? rc.providersFile() : Optional.of(providers), rc.leaderElection(), rc.workers(),
                rc.cycleTimeout(), rc.observeInterval());
    }
}
