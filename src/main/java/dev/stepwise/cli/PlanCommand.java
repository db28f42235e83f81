package dev.stepwise.cli;

import dev.stepwise.git.GitSource;
import dev.stepwise.plan.PlanDiff;
import dev.stepwise.plan.PlanJsonRenderer;
import dev.stepwise.plan.PlanTextRenderer;
import dev.stepwise.plan.Planner;
import dev.stepwise.plan.RolloutPlan;
import dev.stepwise.source.FolderFiles;
import dev.stepwise.spec.SourceFile;
import dev.stepwise.spec.SpecLoader;
import dev.stepwise.validate.RepositoryValidator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "plan",
        description = {"Print, for each rollout under PATH, the ordered plan a reviewer reads: each step with its canary "
                + "weight, pauses and their durations, analyses and their pass conditions, manual gates, and the least "
                + "total time the rollout can take.",
                "With --base, first show what the change does compared with that Git ref.",
                "Exit code: 0 planned, 1 the specs have errors (plans are still printed for what could be read), "
                        + "2 usage or I/O error."})
final class PlanCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", defaultValue = ".", paramLabel = "PATH",
            description = "A spec folder or file (default: the current folder).")
    Path path;

    @Option(names = "--rollout", paramLabel = "NAME", description = "Only this rollout: NAME or NAMESPACE/NAME.")
    String rollout;

    @Option(names = "--base", paramLabel = "GIT_REF",
            description = "Compare with the specs at this revision of the Git repository PATH is in (a branch, tag, HEAD~1, a commit id).")
    String base;

    @Option(names = "--format", defaultValue = "text", paramLabel = "FORMAT",
            description = "text or json. Default: ${DEFAULT-VALUE}.")
    OutputFormat format;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (format == OutputFormat.github) {
            err.println("stepwise plan: --format github is for validate; plan prints text or json");
            return ExitCodes.USAGE_OR_IO;
        }
        RepositoryValidator validator = RepositoryValidator.bundled();
        RepositoryValidator.Outcome head;
        try {
            FolderFiles.Read read = new FolderFiles().read(path);
            head = validator.check(new SpecLoader().load(read.files()), read.findings());
        } catch (IllegalArgumentException e) {
            err.println("stepwise plan: " + e.getMessage());
            return ExitCodes.USAGE_OR_IO;
        }
        if (!head.report().valid()) {
            // The reviewer still gets the plans of what could be read; the errors go to stderr, as a compiler's would.
            FindingsRenderer.render(head.report(), OutputFormat.text, err);
        }
        Predicate<String> selected = selector();
        List<RolloutPlan> plans = Planner.planAll(head.model()).stream()
                .filter(p -> selected.test(p.namespace() + "/" + p.name()))
                .toList();
        if (rollout != null && plans.isEmpty()) {
            err.println("stepwise plan: no rollout named '" + rollout + "' under " + path);
            return ExitCodes.USAGE_OR_IO;
        }
        String diffText = null;
        String diffJson = null;
        if (base != null) {
            RepositoryValidator.Outcome baseOutcome;
            try {
                baseOutcome = validator.check(new SpecLoader().load(filesAtBase()), List.of());
            } catch (IOException | IllegalArgumentException e) {
                err.println("stepwise plan: --base " + base + ": " + e.getMessage());
                return ExitCodes.USAGE_OR_IO;
            }
            PlanDiff all = PlanDiff.between(baseOutcome.model(), head.model());
            PlanDiff diff = new PlanDiff(all.rollouts().stream().filter(c -> selected.test(c.qualifiedName())).toList());
            diffText = PlanTextRenderer.render(diff);
            diffJson = PlanJsonRenderer.render(diff);
        }
        if (format == OutputFormat.json) {
            String plansJson = PlanJsonRenderer.render(plans);
            out.println(diffJson == null ? plansJson
                    : "{\"base\": " + quote(base) + ", \"changes\": " + diffJson + ", \"plans\": " + plansJson + "}");
        } else {
            if (diffText != null) {
                out.println("Changes since " + base + ":");
                out.println(diffText);
            }
            out.print(PlanTextRenderer.render(plans));
        }
        out.flush();
        return head.report().valid() ? ExitCodes.OK : ExitCodes.FINDINGS;
    }

    private Predicate<String> selector() {
        if (rollout == null) {
            return name -> true;
        }
        return qualified -> rollout.contains("/") ? qualified.equals(rollout) : qualified.endsWith("/" + rollout);
    }

    /** The YAML files under PATH as they were at {@code --base}, read from the Git repository PATH belongs to. */
    private List<SourceFile> filesAtBase() throws IOException {
        Path absolute = path.toAbsolutePath().normalize();
        FileRepositoryBuilder builder = new FileRepositoryBuilder().findGitDir(absolute.toFile());
        if (builder.getGitDir() == null) {
            throw new IllegalArgumentException(path + " is not inside a Git repository");
        }
        Path workTree = builder.getGitDir().toPath().toAbsolutePath().getParent();
        String inRepo = workTree.relativize(absolute).toString().replace('\\', '/');
        return GitSource.filesAt(workTree, base, inRepo);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
