package dev.stepwise.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code stepwise} command line. */
@Command(name = "stepwise",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Progressive delivery from Git: validate, plan and run canary and blue-green rollouts.",
        subcommands = {ValidateCommand.class, PlanCommand.class, SimulateCommand.class, AnalyzeCommand.class,
                PromoteCommand.class, AbortCommand.class, RetryCommand.class, SkipCommand.class, StatusCommand.class, RunCommand.class, DemoCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs a command with the given output streams and returns its exit code (what tests call). */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            // An unexpected failure is a bug; say so plainly, with the cause, and exit as an I/O-or-usage failure.
            commandLine.getErr().println("stepwise: internal error: " + e);
            return ExitCodes.USAGE_OR_IO;
        });
        return cli.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"stepwise " + (v == null ? "development build" : v)};
        }
    }
}
