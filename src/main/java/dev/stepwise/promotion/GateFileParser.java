package dev.stepwise.promotion;

import dev.stepwise.git.RolloutKey;
import dev.stepwise.spec.Finding;
import dev.stepwise.spec.Location;
import dev.stepwise.spec.SafeYamlReader;
import dev.stepwise.spec.Severity;
import dev.stepwise.spec.SourceFile;
import dev.stepwise.spec.SourceMap;
import dev.stepwise.spec.YamlLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads one promotion file, {@code <folder>/<namespace>/<rollout>.yaml}:
 *
 * <pre>
 * action: promote        # promote | promote-full | abort | retry | skip
 * step: 3                # optional; required for skip
 * revision: 6d8f9c7b5d   # optional: the pod-template hash or image this decision is for
 * reason: checked the dashboards with the on-call   # optional note
 * </pre>
 *
 * What is wrong with a file comes back as located findings (code {@code promotion.*}), never as an exception.
 */
public final class GateFileParser {

    public static final String DEFAULT_FOLDER = "promotions";
    /** Promotion files are a few lines; anything much larger is not one. */
    private static final YamlLimits LIMITS = new YamlLimits(64 * 1024, 8, 0, 1_000);
    // requestedAt: written by `stepwise promote` so that repeating the same decision is still a change Git records
    private static final Set<String> KEYS = Set.of("action", "step", "revision", "reason", "requestedAt");

    /** The parsed request, or empty with findings saying why. */
    public record Parsed(Optional<GateRequest> request, List<Finding> findings) {
        public Parsed {
            findings = List.copyOf(findings);
        }
    }

    private final String folder;

    /** @param folder the folder promotion files live in, relative to the repository root (default {@value #DEFAULT_FOLDER}) */
    public GateFileParser(String folder) {
        this.folder = folder.replaceAll("^/+|/+$", "");
    }

    public GateFileParser() {
        this(DEFAULT_FOLDER);
    }

    public String folder() {
        return folder;
    }

    /** Whether a path names a file in the promotion folder that this parser reads (a YAML file two levels down). */
    public boolean isPromotionFile(String path) {
        String prefix = folder.isEmpty() ? "" : folder + "/";
        if (!path.startsWith(prefix)) {
            return false;
        }
        String rest = path.substring(prefix.length());
        return rest.split("/", -1).length == 2 && (rest.endsWith(".yaml") || rest.endsWith(".yml"));
    }

    /** The file a decision for {@code rollout} is written to. */
    public String pathOf(RolloutKey rollout) {
        return rollout.path(folder);
    }

    public Parsed parse(SourceFile file) {
        List<Finding> findings = new ArrayList<>();
        Optional<RolloutKey> rollout = rolloutOf(file.path(), findings);
        SafeYamlReader.Result read = new SafeYamlReader(LIMITS).read(file);
        findings.addAll(read.findings().stream().map(f -> new Finding(f.severity(), f.location(), f.pointer(),
                f.code(), f.message() + " (promotion files are a few lines of YAML: action, step, revision)")).toList());
        if (!read.findings().isEmpty()) {
            return new Parsed(Optional.empty(), findings);
        }
        List<SafeYamlReader.ParsedDocument> docs = read.documents().stream().filter(d -> d.root() != null).toList();
        Location whole = Location.ofFile(file.path());
        if (docs.isEmpty()) {
            findings.add(Finding.error(whole, "", "promotion.empty", "the promotion file is empty; write e.g. 'action: promote'"));
            return new Parsed(Optional.empty(), findings);
        }
        if (docs.size() > 1) {
            findings.add(Finding.error(docs.get(1).start(), "", "promotion.multiple-documents",
                    "a promotion file holds one decision, but this one has " + docs.size() + " YAML documents"));
            return new Parsed(Optional.empty(), findings);
        }
        SafeYamlReader.ParsedDocument doc = docs.get(0);
        SourceMap map = doc.sourceMap();
        if (!(doc.root() instanceof Map<?, ?> content)) {
            findings.add(Finding.error(doc.start(), "", "promotion.not-a-mapping",
                    "a promotion file is a mapping like 'action: promote', not a " + (doc.root() instanceof List<?> ? "list" : "single value")));
            return new Parsed(Optional.empty(), findings);
        }
        for (Object key : content.keySet()) {
            if (!KEYS.contains(String.valueOf(key))) {
                findings.add(new Finding(Severity.WARNING, map.keyAt("/" + key), "/" + key, "promotion.unknown-field",
                        "unknown field '" + key + "' is ignored; a promotion file has action, step, revision and reason"));
            }
        }
        Optional<GateAction> action = action(content.get("action"), map, whole, findings);
        Optional<Integer> step = step(content.get("step"), content.containsKey("step"), map, findings);
        Optional<String> revision = text(content, "revision", map, findings);
        Optional<String> reason = text(content, "reason", map, findings);
        boolean broken = findings.stream().anyMatch(Finding::isError);
        if (!broken && action.isPresent() && action.get() == GateAction.SKIP && step.isEmpty()) {
            findings.add(Finding.error(map.valueAt("/action"), "/action", "promotion.skip-needs-step",
                    "action skip needs the step to skip to, e.g. 'step: 4'"));
            broken = true;
        }
        if (broken || rollout.isEmpty() || action.isEmpty()) {
            return new Parsed(Optional.empty(), findings);
        }
        return new Parsed(Optional.of(new GateRequest(rollout.get(), action.get(), step, revision, reason)), findings);
    }

    private Optional<RolloutKey> rolloutOf(String path, List<Finding> findings) {
        String prefix = folder.isEmpty() ? "" : folder + "/";
        String rest = path.startsWith(prefix) ? path.substring(prefix.length()) : path;
        String[] parts = rest.split("/", -1);
        if (parts.length == 2) {
            String name = parts[1].replaceFirst("\\.ya?ml$", "");
            try {
                return Optional.of(new RolloutKey(parts[0], name));
            } catch (IllegalArgumentException e) {
                findings.add(Finding.error(Location.ofFile(path), "", "promotion.path",
                        "the path must be " + prefix + "<namespace>/<rollout>.yaml with Kubernetes names: " + e.getMessage()));
                return Optional.empty();
            }
        }
        findings.add(Finding.error(Location.ofFile(path), "", "promotion.path",
                "the path must be " + prefix + "<namespace>/<rollout>.yaml"));
        return Optional.empty();
    }

    private static Optional<GateAction> action(Object value, SourceMap map, Location whole, List<Finding> findings) {
        if (value == null) {
            findings.add(Finding.error(whole, "", "promotion.missing-action",
                    "a promotion file needs an action: " + GateAction.choices()));
            return Optional.empty();
        }
        Optional<GateAction> action = value instanceof String s ? GateAction.of(s.strip()) : Optional.empty();
        if (action.isEmpty()) {
            findings.add(Finding.error(map.valueAt("/action"), "/action", "promotion.unknown-action",
                    "unknown action '" + value + "'; use " + GateAction.choices()));
        }
        return action;
    }

    private static Optional<Integer> step(Object value, boolean present, SourceMap map, List<Finding> findings) {
        if (!present) {
            return Optional.empty();
        }
        if (value instanceof Long n && n >= 0 && n <= 10_000) {
            return Optional.of(n.intValue());
        }
        findings.add(Finding.error(map.valueAt("/step"), "/step", "promotion.step",
                "step must be a step index (0 for the first step), not '" + value + "'"));
        return Optional.empty();
    }

    private static Optional<String> text(Map<?, ?> content, String key, SourceMap map, List<Finding> findings) {
        if (!content.containsKey(key)) {
            return Optional.empty();
        }
        Object value = content.get(key);
        if (value instanceof String s && !s.isBlank()) {
            return Optional.of(s.strip());
        }
        if (value instanceof Long || value instanceof Double) {
            return Optional.of(String.valueOf(value)); // e.g. a hash or tag of digits only
        }
        findings.add(Finding.error(map.valueAt("/" + key), "/" + key, "promotion." + key,
                key + " must be a non-empty string"));
        return Optional.empty();
    }
}
