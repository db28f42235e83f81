package dev.stepwise.cli;

import dev.stepwise.bench.GitBenchmark;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stepwise bench git}: Stepwise's Git costs against a server on loopback it starts itself. */
@Command(name = "git", description = {
        "Start lighttpd + git http-backend on loopback and measure: a no-change poll next to C git's ls-remote, the time "
                + "from a git push to the revision being read (webhook, and polling every second), and one status commit "
                + "for many changed rollouts.",
        "Needs git, lighttpd and htpasswd (apache2-utils)."})
public final class BenchGitCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--polls", defaultValue = "50", description = "No-change polls and ls-remotes timed (default ${DEFAULT-VALUE}).")
    int polls;

    @Option(names = "--pushes", defaultValue = "10", description = "Pushes timed for webhook and for polling (default ${DEFAULT-VALUE}).")
    int pushes;

    @Option(names = "--rollouts", defaultValue = "1000", description = "Changed rollouts in the status commit (default ${DEFAULT-VALUE}).")
    int rollouts;

    @Option(names = "--status-rounds", defaultValue = "3", description = "Status commits timed (default ${DEFAULT-VALUE}).")
    int statusRounds;

    @Option(names = "--spec-files", defaultValue = "200", description = "Spec files in the repository polled (default ${DEFAULT-VALUE}).")
    int specFiles;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (polls < 1 || pushes < 1 || rollouts < 1 || statusRounds < 1 || specFiles < 1) {
            spec.commandLine().getErr().println("stepwise bench git: every count must be at least 1");
            return ExitCodes.USAGE_OR_IO;
        }
        GitBenchmark.Figures f;
        try {
            f = GitBenchmark.run(specFiles, polls, pushes, rollouts, statusRounds, out);
        } catch (IOException e) {
            spec.commandLine().getErr().println("stepwise bench git: " + e.getMessage());
            return ExitCodes.USAGE_OR_IO;
        }
        out.printf("%nno-change poll           %.1f ms (median of %d)%n", f.pollMedianMs(), f.polls());
        out.printf("git ls-remote (C git)    %.1f ms (median of %d)%n", f.lsRemoteMedianMs(), f.polls());
        out.printf("ratio                    %.2fx (aim: within 2x)%n", f.pollToLsRemote());
        out.printf("git push itself          %.0f ms (median of %d)%n", f.pushMedianMs(), f.pushes());
        out.printf("push to read, webhook    %.0f ms after the push returned (max %.0f; aim: under 300), %.0f ms from its start%n",
                f.webhookAfterPushMs(), f.webhookMaxMs(), f.webhookReadMs());
        out.printf("  webhook to read        %.0f ms (the poll a delivery triggers); git fetch of the same change %.0f ms%n",
                f.webhookPollMs(), f.gitFetchMs());
        out.printf("push to read, 1 s polls  %.0f ms from the start of the push (max %.0f)%n", f.pollingReadMs(), f.pollingMaxMs());
        out.printf("status commit            %.0f ms for %d changed rollouts (median of %d)%n", f.statusMedianMs(), f.rollouts(),
                f.statusRounds());
        out.flush();
        return ExitCodes.OK;
    }
}
