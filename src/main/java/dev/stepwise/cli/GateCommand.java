package dev.stepwise.cli;

import dev.stepwise.git.GitError;
import dev.stepwise.git.RolloutKey;
import dev.stepwise.git.StatusWriter;
import dev.stepwise.git.promotion.CommitSigner;
import dev.stepwise.git.promotion.PromotionWriter;
import dev.stepwise.git.promotion.WriteResult;
import dev.stepwise.promotion.CommitAuthor;
import dev.stepwise.promotion.GateAction;
import dev.stepwise.promotion.GateFileParser;
import dev.stepwise.promotion.GateRequest;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.util.SystemReader;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * What {@code stepwise promote}, {@code abort} and {@code retry} share: they write a gate decision as a commit of the
 * person running them ({@code promotions/<namespace>/<rollout>.yaml} on the tracked branch), exactly the commit that
 * person could have made by hand, so approver rules judge both alike.
 */
abstract class GateCommand implements Callable<Integer> {

    private static final Pattern IDENT = Pattern.compile("^\\s*(.+?)\\s*<([^<>\\s]+@[^<>\\s]+)>\\s*$");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ROLLOUT",
            description = "NAMESPACE/NAME, or NAME where only one namespace has a rollout of that name at the branch head.")
    String rollout;

    @Option(names = "--repo", required = true, paramLabel = "URL",
            description = "The spec repository (credentials from STEPWISE_GIT_* variables, never in the URL).")
    String repo;

    @Option(names = "--branch", defaultValue = "main", paramLabel = "BRANCH",
            description = "The tracked branch (default: ${DEFAULT-VALUE}).")
    String branch;

    @Option(names = "--step", paramLabel = "N", description = "The step index this decision is meant for (0 is the first step).")
    Integer step;

    @Option(names = "--revision", paramLabel = "R",
            description = "The revision (pod-template hash, image or image tag) the decision is for; ignored once another revision rolls out.")
    String revision;

    @Option(names = "--reason", paramLabel = "TEXT", description = "A note kept with the decision.")
    String reason;

    @Option(names = "--author", paramLabel = "\"NAME <EMAIL>\"",
            description = "Who decides (default: STEPWISE_AUTHOR, else git config user.name and user.email).")
    String author;

    @Option(names = "--promotions-folder", defaultValue = GateFileParser.DEFAULT_FOLDER, paramLabel = "PATH",
            description = "Where promotion files live (default: ${DEFAULT-VALUE}).")
    String promotionsFolder;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "Keep the repository mirror here (default: a temporary folder).")
    Path cacheDir;

    @Option(names = {"-S", "--sign"}, description = "Sign the commit, as git commit -S does (key and format from git config"
            + " user.signingkey and gpg.format unless given below).")
    boolean sign;

    @Option(names = "--signing-key", paramLabel = "KEY",
            description = "Sign with this key: an OpenPGP key id or fingerprint, or for ssh the key file. Implies --sign.")
    String signingKey;

    @Option(names = "--signing-format", paramLabel = "FORMAT", description = "openpgp or ssh (default: git config gpg.format, else openpgp).")
    String signingFormat;

    /** The environment credentials and the author are read from; tests hand in their own. */
    Map<String, String> env = System.getenv();

    /** What this command decides. */
    abstract GateAction action();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String name = "stepwise " + spec.name();
        if (step != null && step < 0) {
            err.println(name + ": --step must be 0 or more");
            return ExitCodes.USAGE_OR_IO;
        }
        if (action() == GateAction.SKIP && step == null) {
            err.println(name + ": --step N is required: the step to skip to");
            return ExitCodes.USAGE_OR_IO;
        }
        Optional<CommitAuthor> who = author();
        if (who.isEmpty()) {
            err.println(name + ": who is deciding? Pass --author \"Name <email>\", set STEPWISE_AUTHOR, or set git config"
                    + " user.name and user.email");
            return ExitCodes.USAGE_OR_IO;
        }
        try (RemoteRepository remote = RemoteRepository.open(repo, env, cacheDir)) {
            RolloutKey key = remote.resolve(rollout, branch);
            GateRequest request = new GateRequest(key, action(), Optional.ofNullable(step), Optional.ofNullable(revision),
                    Optional.ofNullable(reason));
            CommitSigner signer = sign || signingKey != null ? JGitCommitSigner.fromOptions(signingKey, signingFormat) : null;
            WriteResult result = new PromotionWriter(remote.mirror(), branch, promotionsFolder, StatusWriter.Retry.DEFAULT,
                    Clock.systemUTC()).writeGateDecision(request, who.get(), signer);
            return report(result, request, out, err, name);
        } catch (IllegalArgumentException e) {
            err.println(name + ": " + e.getMessage());
            return ExitCodes.USAGE_OR_IO;
        } catch (IOException e) {
            err.println(name + ": " + e.getMessage());
            return ExitCodes.USAGE_OR_IO;
        }
    }

    private int report(WriteResult result, GateRequest request, PrintWriter out, PrintWriter err, String name) {
        String file = new GateFileParser(promotionsFolder).pathOf(request.rollout());
        if (result instanceof WriteResult.Committed c) {
            out.println(request.describe() + ": committed " + c.commitId().substring(0, 12) + " on " + c.branch() + " (" + file + ")");
            out.println("Stepwise applies it at its next poll, if the author may decide for " + request.rollout() + ".");
            return ExitCodes.OK;
        }
        if (result instanceof WriteResult.NothingToDo n) {
            out.println(request.describe() + ": nothing to commit, " + n.reason());
            return ExitCodes.OK;
        }
        if (result instanceof WriteResult.Failed f) {
            GitError e = f.error();
            err.println(name + ": " + e.kind() + ": " + e.message());
            return ExitCodes.USAGE_OR_IO;
        }
        ((WriteResult.Refused) result).findings().forEach(f -> err.println(f.toLine()));
        return ExitCodes.FINDINGS;
    }

    /** {@code --author}, then {@code STEPWISE_AUTHOR}, then the user's git configuration. */
    Optional<CommitAuthor> author() {
        for (String candidate : new String[] {author, env.get("STEPWISE_AUTHOR")}) {
            if (candidate != null && !candidate.isBlank()) {
                Matcher m = IDENT.matcher(candidate);
                if (!m.matches()) {
                    return Optional.empty();
                }
                return Optional.of(new CommitAuthor(m.group(1), m.group(2)));
            }
        }
        try {
            Config user = SystemReader.getInstance().getUserConfig();
            String n = user.getString("user", null, "name");
            String e = user.getString("user", null, "email");
            if (n != null && e != null && !n.isBlank() && e.contains("@")) {
                return Optional.of(new CommitAuthor(n.strip(), e.strip()));
            }
        } catch (IOException | org.eclipse.jgit.errors.ConfigInvalidException e) {
            // no usable git configuration: the caller asks for --author
        }
        return Optional.empty();
    }
}
