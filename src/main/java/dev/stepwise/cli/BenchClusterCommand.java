package dev.stepwise.cli;

import dev.stepwise.bench.ClusterBenchmark;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stepwise bench cluster}: abort latency and API requests per decision on the embedded API server. */
@Command(name = "cluster",
        mixinStandardHelpOptions = true,
        description = {"Measure the cluster side on the embedded API server (fabric8 mock server, in this JVM) with the real "
                + "engine: the time from an abort decision to 100%% of traffic on stable being read back from an Istio "
                + "VirtualService, and the API requests each decision costs."})
public final class BenchClusterCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    @Option(names = "--aborts", defaultValue = "20", description = "Rollouts to abort and time (default ${DEFAULT-VALUE}).")
    int aborts;

    @Override
    public Integer call() {
        PrintWriter out = commandSpec.commandLine().getOut();
        if (aborts < 1) {
            commandSpec.commandLine().getErr().println("stepwise bench cluster: --aborts must be at least 1");
            return ExitCodes.USAGE_OR_IO;
        }
        ClusterBenchmark.Figures f = ClusterBenchmark.run(aborts);
        ClusterBenchmark.describe(f).forEach(out::println);
        out.flush();
        return f.allVerified() ? 0 : 1;
    }
}
