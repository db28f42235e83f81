package dev.stepwise.cli;

import dev.stepwise.bench.ValidateBenchmark;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Benchmarks, each one command, each comparing against a reference measured in the same run. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Measure Stepwise on this machine (figures go in docs/performance.md).",
        subcommands = {BenchCommand.Validate.class, BenchEngineCommand.class, BenchAnalysisCommand.class,
                BenchGitCommand.class, BenchClusterCommand.class, BenchRunCommand.class})
final class BenchCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "validate", description = "Load, schema-check and policy-check N generated specs, next to a bare snakeyaml-engine parse of the same files.")
    static final class Validate implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--specs", defaultValue = "10000", description = "Rollouts to generate (default ${DEFAULT-VALUE}).")
        int specs;

        @Option(names = "--rounds", defaultValue = "3", description = "Measured rounds; the median is reported (default ${DEFAULT-VALUE}).")
        int rounds;

        @Option(names = "--warmups", defaultValue = "2", description = "Rounds run first and not counted (default ${DEFAULT-VALUE}).")
        int warmups;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            ValidateBenchmark.Figures f = ValidateBenchmark.run(specs, warmups, rounds, out);
            out.printf("%nspecs                 %d (%.1f MiB of YAML)%n", f.specs(), f.bytes() / 1048576.0);
            out.printf("bare snakeyaml parse  %.0f ms%n", f.bareParseMillis());
            out.printf("stepwise load         %.0f ms%n", f.loadMillis());
            out.printf("schema+checks+policy  %.0f ms%n", f.validateMillis());
            out.printf("total                 %.0f ms = %.0f specs/s%n", f.totalMillis(), f.specsPerSecond());
            out.printf("ratio to bare parse   %.2fx%n", f.ratioToBareParse());
            out.printf("findings (non-info)   %d%n", f.findings());
            out.flush();
            return 0;
        }
    }
}
