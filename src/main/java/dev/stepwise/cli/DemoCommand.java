package dev.stepwise.cli;

import dev.stepwise.demo.Demo;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stepwise demo}: the whole product on embedded parts in well under two minutes. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Show Stepwise end to end on embedded parts: a local Git repository seeded from examples-repo/, the "
                + "embedded API server and workload simulator, and a demo metric source playing back examples-repo/simulations/. "
                + "A healthy release is approved and completes; an unhealthy one is rolled back and a revert is proposed."})
public final class DemoCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--examples", defaultValue = "examples-repo", paramLabel = "DIR",
            description = "The examples to seed the repository from (default: ${DEFAULT-VALUE}).")
    Path examples;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where to leave the demo's repository (default: a new temporary folder).")
    Path dir;

    @Option(names = "--plain", description = "Print progress as plain lines even on a terminal.")
    boolean plain;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.isDirectory(examples.resolve("rollouts")) || !Files.isDirectory(examples.resolve("simulations"))) {
            err.println("stepwise demo: " + examples.toAbsolutePath() + " has no rollouts/ and simulations/; run it from the "
                    + "project folder or give --examples DIR");
            return ExitCodes.USAGE_OR_IO;
        }
        if (dir == null) {
            dir = Files.createTempDirectory("stepwise-demo-");
        } else if (Files.isDirectory(dir) && Files.list(dir).findAny().isPresent()) {
            err.println("stepwise demo: " + dir + " is not empty");
            return ExitCodes.USAGE_OR_IO;
        }
        boolean live = !plain && System.console() != null && !"dumb".equals(System.getenv("TERM"));
        Demo.Outcome outcome = new Demo(examples, dir, out, live).run();
        return outcome.asExpected() ? ExitCodes.OK : ExitCodes.FINDINGS;
    }
}
