package dev.stepwise.cli;

import dev.stepwise.git.RolloutKey;
import dev.stepwise.git.StatusFiles;
import dev.stepwise.git.StatusWriter;
import dev.stepwise.spec.SafeYamlReader;
import dev.stepwise.spec.SourceFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code stepwise status}: what the status branch says about each rollout, as Stepwise last wrote it. The status files
 * are YAML the reconciler writes; this prints the common fields as a table and passes every field through in JSON.
 */
@Command(name = "status", description = {
        "Print the status of rollouts as the status branch records it (status/<namespace>/<rollout>.yaml on "
                + "stepwise/status by default).",
        "Exit code: 0 printed, 1 the rollout has no status, 2 usage, credentials or Git error."})
public final class StatusCommand implements Callable<Integer> {

    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    /** Table columns: header, then the status fields that may hold it, first present wins. */
    private static final List<List<String>> COLUMNS = List.of(
            List.of("PHASE", "phase"),
            List.of("STEP", "step", "currentStep", "currentStepIndex"),
            List.of("WEIGHT", "weight", "canaryWeight", "setWeight"),
            List.of("REVISION", "revision", "canaryRevision", "currentRevision", "podTemplateHash"),
            List.of("UPDATED", "lastUpdate", "lastUpdateTime", "updatedAt", "updated", "time"));

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "ROLLOUT", description = "Only this rollout: NAMESPACE/NAME or NAME.")
    String rollout;

    @Option(names = "--repo", required = true, paramLabel = "URL", description = "The spec repository.")
    String repo;

    @Option(names = "--branch", defaultValue = "main", paramLabel = "BRANCH",
            description = "The tracked branch (default: ${DEFAULT-VALUE}); with --status-folder and no --status-branch, status is read from it.")
    String branch;

    @Option(names = "--status-branch", paramLabel = "BRANCH", description = "The branch status is on (default: stepwise/status).")
    String statusBranch;

    @Option(names = "--status-folder", paramLabel = "PATH", description = "The folder status files are in (default: status).")
    String statusFolder;

    @Option(names = "--format", defaultValue = "text", paramLabel = "FORMAT", description = "text or json. Default: ${DEFAULT-VALUE}.")
    OutputFormat format;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "Keep the repository mirror here (default: a temporary folder).")
    Path cacheDir;

    Map<String, String> env = System.getenv();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (format == OutputFormat.github) {
            err.println("stepwise status: --format is text or json");
            return ExitCodes.USAGE_OR_IO;
        }
        StatusWriter.Location location = statusFolder != null && statusBranch == null
                ? StatusWriter.Location.folderOn(branch, statusFolder)
                : new StatusWriter.Location(statusBranch == null ? StatusWriter.Location.DEFAULT_BRANCH : statusBranch,
                        statusFolder == null ? StatusWriter.Location.DEFAULT_FOLDER : statusFolder);
        try (RemoteRepository remote = RemoteRepository.open(repo, env, cacheDir)) {
            StatusWriter.StatusRead read = new StatusWriter(remote.mirror(), location).readStatus();
            if (read instanceof StatusWriter.StatusRead.Failed f) {
                err.println("stepwise status: " + f.error().kind() + ": " + f.error().message());
                return ExitCodes.USAGE_OR_IO;
            }
            StatusFiles files = ((StatusWriter.StatusRead.Read) read).files();
            List<Map.Entry<RolloutKey, String>> selected = new ArrayList<>();
            for (Map.Entry<RolloutKey, String> e : files.files().entrySet()) {
                if (rollout == null || rollout.equals(e.getKey().toString()) || rollout.equals(e.getKey().name())) {
                    selected.add(e);
                }
            }
            if (rollout != null && selected.isEmpty()) {
                err.println("stepwise status: no status for '" + rollout + "' on " + location.branch()
                        + (files.commitId().isEmpty() ? " (the branch does not exist yet)" : ""));
                return ExitCodes.FINDINGS;
            }
            if (format == OutputFormat.json) {
                out.println(json(files, location, selected));
            } else {
                text(files, location, selected, out);
            }
            out.flush();
            return ExitCodes.OK;
        } catch (IllegalArgumentException | IOException e) {
            err.println("stepwise status: " + e.getMessage());
            return ExitCodes.USAGE_OR_IO;
        }
    }

    private static void text(StatusFiles files, StatusWriter.Location location, List<Map.Entry<RolloutKey, String>> selected,
                             PrintWriter out) {
        if (files.commitId().isEmpty()) {
            out.println("no status yet: " + location.branch() + " does not exist");
            return;
        }
        List<String[]> rows = new ArrayList<>();
        String[] header = new String[COLUMNS.size() + 1];
        header[0] = "ROLLOUT";
        for (int i = 0; i < COLUMNS.size(); i++) {
            header[i + 1] = COLUMNS.get(i).get(0);
        }
        rows.add(header);
        for (Map.Entry<RolloutKey, String> e : selected) {
            Map<String, Object> fields = fields(e.getKey(), e.getValue());
            String[] row = new String[COLUMNS.size() + 1];
            row[0] = e.getKey().toString();
            for (int i = 0; i < COLUMNS.size(); i++) {
                List<String> names = COLUMNS.get(i);
                row[i + 1] = names.subList(1, names.size()).stream().filter(fields::containsKey).findFirst()
                        .map(n -> scalar(fields.get(n))).orElse("-");
            }
            rows.add(row);
        }
        int[] widths = new int[header.length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                widths[i] = Math.max(widths[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                sb.append(i == r.length - 1 ? r[i] : String.format("%-" + (widths[i] + 2) + "s", r[i]));
            }
            out.println(sb.toString().stripTrailing());
        }
        out.println("(" + location.branch() + "@sha1:" + files.commitId().get() + ")");
    }

    private static String json(StatusFiles files, StatusWriter.Location location, List<Map.Entry<RolloutKey, String>> selected) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("branch", location.branch());
        root.put("commit", files.commitId().orElse(null));
        List<Map<String, Object>> rollouts = new ArrayList<>();
        for (Map.Entry<RolloutKey, String> e : selected) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("namespace", e.getKey().namespace());
            r.put("name", e.getKey().name());
            r.put("status", fields(e.getKey(), e.getValue()));
            rollouts.add(r);
        }
        root.put("rollouts", rollouts);
        return JSON.writeValueAsString(root);
    }

    /** The status file as data; a file that is not a YAML mapping is passed through as its text. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> fields(RolloutKey key, String yaml) {
        SafeYamlReader.Result read = new SafeYamlReader().read(new SourceFile(key + ".yaml", yaml.getBytes(StandardCharsets.UTF_8)));
        Optional<Object> root = read.findings().isEmpty() && !read.documents().isEmpty()
                ? Optional.ofNullable(read.documents().get(0).root()) : Optional.empty();
        if (root.isPresent() && root.get() instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("text", yaml);
        return raw;
    }

    private static String scalar(Object value) {
        if (value == null) {
            return "-";
        }
        if (value instanceof Map<?, ?> || value instanceof List<?>) {
            return "…";
        }
        String s = String.valueOf(value);
        return s.length() > 40 ? s.substring(0, 39) + "…" : s;
    }
}
