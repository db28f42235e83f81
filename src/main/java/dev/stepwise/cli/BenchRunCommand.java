package dev.stepwise.cli;

import dev.stepwise.bench.RunBenchmark;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stepwise bench run}: the reconcile loop end to end, against a Git server and the embedded API server. */
@Command(name = "run", mixinStandardHelpOptions = true, description = {
        "Measure the reconcile loop end to end: the time from a git push to the first change on the cluster (webhook, "
                + "and polling every second) next to C git's ls-remote against the same server, and one process carrying "
                + "many rollouts through its first cycle, the cycle that sees them Healthy, and a cycle after a commit "
                + "changing 1% of the images (wall time, CPU time, heap after GC).",
        "Starts lighttpd + git http-backend on loopback and the embedded API server in this JVM; needs git, lighttpd and "
                + "htpasswd (apache2-utils). Above --single-server-rollouts, the many-rollouts run is also made on a named "
                + "stand-in (one embedded API server per namespace behind one client): the mock server scans every "
                + "object on every list."})
public final class BenchRunCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--pushes", defaultValue = "20", description = "Pushes timed with a webhook, and as many polling every second (default ${DEFAULT-VALUE}).")
    int pushes;

    @Option(names = "--rollouts", defaultValue = "10000", description = "Rollouts carried by one process (default ${DEFAULT-VALUE}).")
    int rollouts;

    @Option(names = "--single-server-rollouts", defaultValue = "10000",
            description = "At most this many of them on one embedded API server as is (default ${DEFAULT-VALUE}).")
    int singleServerRollouts;

    @Option(names = "--rollouts-per-namespace", defaultValue = "500", description = "Rollouts per namespace (default ${DEFAULT-VALUE}).")
    int perNamespace;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        RunBenchmark.Figures f;
        try {
            f = RunBenchmark.run(new RunBenchmark.Options(pushes, rollouts, singleServerRollouts, perNamespace), out);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("stepwise bench run: " + e.getMessage());
            return ExitCodes.USAGE_OR_IO;
        } catch (IOException e) {
            spec.commandLine().getErr().println("stepwise bench run: " + e.getMessage());
            return ExitCodes.USAGE_OR_IO;
        }
        RunBenchmark.describe(f).forEach(out::println);
        out.flush();
        return f.push().problems().isEmpty() ? ExitCodes.OK : 1;
    }
}
