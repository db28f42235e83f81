package dev.stepwise.cli;

import dev.stepwise.bench.EngineBenchmark;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** {@code stepwise bench engine}: decisions per second and heap per status over many rollouts in flight. */
@Command(name = "engine",
        mixinStandardHelpOptions = true,
        description = {"Measure the rollout engine: decisions per second on one thread over many rollouts in flight "
                + "(mixed canary and blue-green strategies), and the heap each rollout's status takes.",
                "Give the JVM room (e.g. -Xmx2g) so that garbage collection does not dominate."})
public final class BenchEngineCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    /** Output formats of this command. */
    public enum Format { text, json }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    @Option(names = "--rollouts", defaultValue = "10000", description = "Rollouts in flight (default ${DEFAULT-VALUE}).")
    int rollouts;

    @Option(names = "--decisions", defaultValue = "1000000", description = "Decisions to time (default ${DEFAULT-VALUE}).")
    long decisions;

    @Option(names = "--warmup", defaultValue = "300000", description = "Untimed decisions first, for the JIT (default ${DEFAULT-VALUE}).")
    long warmup;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the generated rollouts (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--format", defaultValue = "text", paramLabel = "text|json", description = "text (default) or json.")
    Format format;

    @Override
    public Integer call() {
        PrintWriter out = commandSpec.commandLine().getOut();
        if (rollouts < 1 || decisions < 1 || warmup < 0) {
            commandSpec.commandLine().getErr().println("stepwise bench engine: --rollouts and --decisions must be at least 1");
            return ExitCodes.USAGE_OR_IO;
        }
        EngineBenchmark.Figures f = EngineBenchmark.run(rollouts, warmup, decisions, seed);
        if (format == Format.json) {
            ObjectNode n = JSON.createObjectNode();
            n.put("rollouts", f.rollouts());
            n.put("decisions", f.decisions());
            n.put("warmupDecisions", f.warmupDecisions());
            n.put("seconds", f.seconds());
            n.put("decisionsPerSecond", Math.round(f.decisionsPerSecond()));
            n.put("cpuSeconds", f.cpuSeconds());
            n.put("decisionsPerCpuSecond", Math.round(f.decisionsPerCpuSecond()));
            n.put("heapBytesPerStatus", f.heapBytesPerStatus());
            n.put("heapBytesPerDecodedStatus", f.heapBytesPerDecodedStatus());
            n.put("completed", f.completed());
            n.put("aborted", f.aborted());
            ObjectNode s = n.putObject("strategies");
            f.strategies().forEach(s::put);
            n.put("heapMethod", f.heapMethod());
            out.println(JSON.writeValueAsString(n));
        } else {
            out.print(f.describe());
        }
        out.flush();
        return ExitCodes.OK;
    }
}
