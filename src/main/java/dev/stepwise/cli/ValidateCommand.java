package dev.stepwise.cli;

import dev.stepwise.source.FolderFiles;
import dev.stepwise.spec.SpecLoader;
import dev.stepwise.spec.SpecSet;
import dev.stepwise.validate.RepositoryValidator;
import dev.stepwise.validate.ValidationReport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "validate",
        description = {"Check every rollout spec under PATH: YAML safety, JSON Schema, cross-document references, "
                + "analysis conditions and the repository's Policy rules.",
                "Exit code: 0 clean (warnings allowed), 1 errors or a denying policy, 2 usage or I/O error."})
final class ValidateCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", defaultValue = ".", paramLabel = "PATH",
            description = "A spec folder or file (default: the current folder).")
    Path path;

    @Option(names = "--format", defaultValue = "text", paramLabel = "FORMAT",
            description = "text, json or github (GitHub Actions annotations). Default: ${DEFAULT-VALUE}.")
    OutputFormat format;

    @Override
    public Integer call() {
        FolderFiles.Read read;
        try {
            read = new FolderFiles().read(path);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("stepwise validate: " + e.getMessage());
            return ExitCodes.USAGE_OR_IO;
        }
        SpecSet set = new SpecLoader().load(read.files());
        ValidationReport report = RepositoryValidator.bundled().validate(set, read.findings());
        FindingsRenderer.render(report, format, spec.commandLine().getOut());
        return report.valid() ? ExitCodes.OK : ExitCodes.FINDINGS;
    }
}
