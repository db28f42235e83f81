package dev.stepwise.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/**
 * Runs the {@code stepwise} command line as {@link Main#execute} does and captures its output. Until {@code Main}
 * registers a command under test (that happens on the main branch), the command is added here with the settings
 * {@code Main.execute} uses, so these tests run the same code either way.
 */
final class CliRun {
    final int exit;
    final String out;
    final String err;

    private CliRun(int exit, String out, String err) {
        this.exit = exit;
        this.out = out;
        this.err = err;
    }

    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PrintWriter o = new PrintWriter(out);
        PrintWriter e = new PrintWriter(err);
        int code;
        if (registered(args[0], args.length > 1 ? args[1] : "")) {
            code = Main.execute(o, e, args);
        } else {
            CommandLine cli = new CommandLine(new Main());
            if (args[0].equals("simulate")) {
                cli.addSubcommand("simulate", new SimulateCommand());
            } else if (args[0].equals("bench")) {
                CommandLine bench = cli.getSubcommands().get("bench");
                if (bench == null) {
                    bench = new CommandLine(new BenchGroup());
                    cli.addSubcommand("bench", bench);
                }
                bench.addSubcommand("engine", new BenchEngineCommand());
            }
            cli.setOut(o);
            cli.setErr(e);
            cli.setCaseInsensitiveEnumValuesAllowed(true);
            cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
                commandLine.getErr().println("stepwise: internal error: " + ex);
                return ExitCodes.USAGE_OR_IO;
            });
            code = cli.execute(args);
        }
        o.flush();
        e.flush();
        return new CliRun(code, out.toString(), err.toString());
    }

    private static boolean registered(String command, String sub) {
        CommandLine cli = new CommandLine(new Main());
        CommandLine c = cli.getSubcommands().get(command);
        if (c == null) {
            return false;
        }
        return !command.equals("bench") || c.getSubcommands().containsKey(sub);
    }

    /** Stands in for the {@code bench} group until Main has one. */
    @CommandLine.Command(name = "bench")
    static final class BenchGroup implements Runnable {
        @Override
        public void run() {
        }
    }
}
