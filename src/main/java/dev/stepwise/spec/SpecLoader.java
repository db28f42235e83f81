package dev.stepwise.spec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the YAML files of a spec repository into {@link SpecDocument}s. Each file is read on its own, so one bad
 * file never hides what the others say; documents of kinds Stepwise does not read are reported as ignored.
 */
public final class SpecLoader {

    private final SafeYamlReader reader;

    public SpecLoader(YamlLimits limits) {
        this.reader = new SafeYamlReader(limits);
    }

    public SpecLoader() {
        this(YamlLimits.DEFAULT);
    }

    public SpecSet load(List<SourceFile> files) {
        List<SourceFile> sorted = files.stream().filter(SourceFile::isYaml)
                .sorted(Comparator.comparing(SourceFile::path)).toList();
        // Files are independent, so they are read on all cores; the result keeps file order.
        List<FileResult> results = sorted.parallelStream().map(this::loadFile).toList();
        List<SpecDocument> documents = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        for (FileResult r : results) {
            documents.addAll(r.documents());
            findings.addAll(r.findings());
        }
        return new SpecSet(documents, findings, sorted.size());
    }

    /** What one file holds: its documents of kinds Stepwise reads, and what went wrong reading it. */
    public record FileResult(List<SpecDocument> documents, List<Finding> findings) {
    }

    public FileResult loadFile(SourceFile file) {
        List<SpecDocument> documents = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        loadFile(file, documents, findings);
        return new FileResult(documents, findings);
    }

    /** The documents of one file, appended to {@code documents}; what went wrong, appended to {@code findings}. */
    public void loadFile(SourceFile file, List<SpecDocument> documents, List<Finding> findings) {
        SafeYamlReader.Result result = reader.read(file);
        findings.addAll(result.findings());
        for (SafeYamlReader.ParsedDocument parsed : result.documents()) {
            toSpec(file.path(), parsed, findings).ifPresent(documents::add);
        }
    }

    @SuppressWarnings("unchecked")
    private static Optional<SpecDocument> toSpec(String path, SafeYamlReader.ParsedDocument parsed, List<Finding> findings) {
        Object root = parsed.root();
        if (root == null) {
            return Optional.empty(); // an empty document, e.g. a trailing '---'
        }
        if (!(root instanceof Map<?, ?>)) {
            findings.add(Finding.error(parsed.start(), "", "spec.not-a-mapping",
                    "document " + (parsed.index() + 1) + " is a " + (root instanceof List<?> ? "list" : "scalar")
                            + ", not a mapping with apiVersion and kind"));
            return Optional.empty();
        }
        Map<String, Object> content = (Map<String, Object>) root;
        SourceMap map = parsed.sourceMap();
        Object apiVersion = content.get("apiVersion");
        Object kind = content.get("kind");
        if (kind == null && apiVersion == null && !content.containsKey("metadata") && !content.containsKey("spec")) {
            // Not a manifest at all (a simulation timeline, Helm values, a tool's own config): nothing to check.
            findings.add(Finding.info(parsed.start(), "", "spec.not-a-manifest",
                    "ignored document " + (parsed.index() + 1) + ": not a Kubernetes manifest (no apiVersion, kind, metadata or spec)"));
            return Optional.empty();
        }
        if (!(kind instanceof String k) || k.isBlank()) {
            findings.add(Finding.error(map.valueAt(kind == null ? "" : "/kind"), "/kind", "spec.missing-kind",
                    "document " + (parsed.index() + 1) + " has no kind; every manifest needs apiVersion and kind"));
            return Optional.empty();
        }
        if (!(apiVersion instanceof String av) || av.isBlank()) {
            findings.add(Finding.error(map.valueAt(apiVersion == null ? "" : "/apiVersion"), "/apiVersion", "spec.missing-api-version",
                    k + " has no apiVersion" + SpecKind.byKindOnly(k).map(sk -> " (expected " + sk.apiVersion() + ")").orElse("")));
            return Optional.empty();
        }
        Optional<SpecKind> known = SpecKind.of(av, k);
        SpecDocument doc = new SpecDocument(path, parsed.index(), content, map, known);
        if (known.isPresent()) {
            return Optional.of(doc);
        }
        Optional<SpecKind> sameName = SpecKind.byKindOnly(k);
        if (sameName.isPresent() && isFamily(av, sameName.get())) {
            findings.add(doc.finding(Severity.ERROR, "/apiVersion", "spec.api-version",
                    k + " has apiVersion " + av + "; Stepwise reads " + k + " as " + sameName.get().apiVersion()));
        } else {
            findings.add(doc.finding(Severity.INFO, "", "spec.ignored",
                    "ignored " + doc.describe() + " (" + av + "): not a kind Stepwise reads"));
        }
        return Optional.empty();
    }

    /** Same API group as the kind we read (argoproj.io/v1beta1 for a Rollout): a version mistake, not another kind. */
    private static boolean isFamily(String apiVersion, SpecKind kind) {
        String group = kind.apiVersion().substring(0, kind.apiVersion().indexOf('/'));
        return apiVersion.startsWith(group + "/") || !apiVersion.contains("/");
    }
}
