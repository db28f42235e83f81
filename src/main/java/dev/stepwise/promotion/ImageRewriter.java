package dev.stepwise.promotion;

import dev.stepwise.spec.Finding;
import dev.stepwise.spec.JsonPointer;
import dev.stepwise.spec.Location;
import dev.stepwise.spec.SafeYamlReader;
import dev.stepwise.spec.SourceFile;
import dev.stepwise.spec.SourceMap;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Rewrites the {@code image:} values of named containers in a YAML file and leaves every other byte as it is:
 * comments, key order, indentation, quoting, line endings. People review these changes in pull requests, so the diff
 * must be the image lines and nothing else — which a parse-and-serialise round trip cannot promise.
 *
 * <p>The parser's source map says where each image value starts; the edit replaces exactly that scalar's characters
 * on its line, in the quoting style it had. The result is parsed again and must equal the original with only those
 * images changed; anything the line-level edit cannot handle safely (a block scalar, an alias, a value running over
 * several lines) is refused with a finding instead of written.
 */
public final class ImageRewriter {

    public static final String NO_TARGET = "promotion.no-target";
    public static final String NO_CONTAINER = "promotion.no-matching-container";
    public static final String CANNOT_EDIT = "promotion.cannot-edit";

    /**
     * One image value changed.
     *
     * @param document index of the YAML document in the file (0 for the first)
     * @param pointer  where the image is in that document
     * @param line     the line it is on (1-based)
     */
    public record ImageChange(int document, String pointer, String container, String from, String to, int line) {
    }

    /**
     * The new file content (empty when no image changes or when the edit is refused), what changed, and findings.
     */
    public record Result(Optional<byte[]> content, List<ImageChange> changes, List<Finding> findings) {
        public Result {
            changes = List.copyOf(changes);
            findings = List.copyOf(findings);
        }

        public boolean refused() {
            return findings.stream().anyMatch(Finding::isError);
        }
    }

    private ImageRewriter() {
    }

    /**
     * @param file     the YAML file to edit
     * @param document the {@code metadata.name} of the workload to edit (a Rollout, a Deployment, …); when no document of
     *                 that name has a pod template, the file's only document with one is used
     * @param images   the new image by container name
     */
    public static Result rewrite(SourceFile file, Optional<String> document, Map<String, String> images) {
        Objects.requireNonNull(images, "images");
        List<Finding> findings = new ArrayList<>();
        Location whole = Location.ofFile(file.path());
        SafeYamlReader.Result read = new SafeYamlReader().read(file);
        if (!read.findings().isEmpty()) {
            findings.addAll(read.findings());
            findings.add(Finding.error(whole, "", CANNOT_EDIT, "the file is not readable YAML, so its images are not rewritten"));
            return new Result(Optional.empty(), List.of(), findings);
        }
        List<SafeYamlReader.ParsedDocument> workloads = read.documents().stream().filter(d -> podSpec(d.root()).isPresent()).toList();
        List<SafeYamlReader.ParsedDocument> targets = document
                .map(name -> workloads.stream().filter(d -> name.equals(nameOf(d.root()))).toList())
                .filter(l -> !l.isEmpty())
                .orElse(workloads.size() == 1 ? workloads : List.of());
        if (targets.isEmpty()) {
            findings.add(Finding.error(whole, "", NO_TARGET, "no workload with a pod template"
                    + document.map(n -> " named " + n).orElse("") + " in this file"
                    + (workloads.size() > 1 ? " (it has " + workloads.size() + "; name the one to update)" : "")));
            return new Result(Optional.empty(), List.of(), findings);
        }

        String text = decode(file.bytes());
        LineIndex lines = new LineIndex(text);
        List<Edit> edits = new ArrayList<>();
        List<ImageChange> changes = new ArrayList<>();
        Set<String> found = new LinkedHashSet<>();
        for (SafeYamlReader.ParsedDocument doc : targets) {
            Map<?, ?> pod = podSpec(doc.root()).orElseThrow();
            for (String list : List.of("initContainers", "containers")) {
                if (!(pod.get(list) instanceof List<?> containers)) {
                    continue;
                }
                for (int i = 0; i < containers.size(); i++) {
                    if (!(containers.get(i) instanceof Map<?, ?> c) || !(c.get("name") instanceof String name)
                            || !images.containsKey(name)) {
                        continue;
                    }
                    found.add(name);
                    String pointer = JsonPointer.child(JsonPointer.child("/spec/template/spec/" + list, i), "image");
                    String wanted = images.get(name);
                    Object old = c.get("image");
                    if (wanted.equals(old)) {
                        continue;
                    }
                    Optional<Edit> edit = edit(doc.sourceMap(), pointer, c.containsKey("image"), old, wanted, text, lines, file.path(), findings);
                    edit.ifPresent(e -> {
                        edits.add(e);
                        changes.add(new ImageChange(doc.index(), pointer, name, old == null ? "" : String.valueOf(old), wanted, e.line()));
                    });
                }
            }
        }
        for (String name : images.keySet()) {
            if (!found.contains(name)) {
                findings.add(Finding.error(whole, "", NO_CONTAINER, "no container named '" + name + "' in "
                        + targets.stream().map(d -> kindOf(d.root()) + " " + nameOf(d.root())).distinct().toList()
                        + " of this file, so its image cannot be carried over"));
            }
        }
        if (findings.stream().anyMatch(Finding::isError)) {
            return new Result(Optional.empty(), List.of(), findings);
        }
        if (edits.isEmpty()) {
            return new Result(Optional.empty(), List.of(), findings);
        }
        StringBuilder out = new StringBuilder(text);
        edits.sort(Comparator.comparingInt(Edit::start).reversed());
        for (Edit e : edits) {
            out.replace(e.start(), e.end(), e.replacement());
        }
        String edited = out.toString();
        byte[] bytes = edited.getBytes(StandardCharsets.UTF_8);
        Optional<String> problem = verify(file, read, bytes, changes);
        if (problem.isPresent()) {
            findings.add(Finding.error(whole, "", CANNOT_EDIT, "rewriting the image lines in place would change more than the"
                    + " images (" + problem.get() + "); update this file by hand"));
            return new Result(Optional.empty(), List.of(), findings);
        }
        return new Result(Optional.of(bytes), changes, findings);
    }

    /** The images by container name of the workload {@code document} (or the file's only workload). */
    public static Map<String, String> imagesOf(SourceFile file, Optional<String> document) {
        SafeYamlReader.Result read = new SafeYamlReader().read(file);
        Map<String, String> out = new LinkedHashMap<>();
        List<SafeYamlReader.ParsedDocument> workloads = read.documents().stream().filter(d -> podSpec(d.root()).isPresent()).toList();
        List<SafeYamlReader.ParsedDocument> targets = document
                .map(name -> workloads.stream().filter(d -> name.equals(nameOf(d.root()))).toList())
                .filter(l -> !l.isEmpty())
                .orElse(workloads.size() == 1 ? workloads : List.of());
        for (SafeYamlReader.ParsedDocument doc : targets) {
            Map<?, ?> pod = podSpec(doc.root()).orElseThrow();
            for (String list : List.of("initContainers", "containers")) {
                if (pod.get(list) instanceof List<?> containers) {
                    for (Object o : containers) {
                        if (o instanceof Map<?, ?> c && c.get("name") instanceof String n && c.get("image") instanceof String img) {
                            out.put(n, img);
                        }
                    }
                }
            }
        }
        return out;
    }

    /**
     * The pod template ({@code spec.template}) of the workload {@code document} (or the file's only workload), to tell
     * whether two versions differ in more than their images.
     */
    public static Optional<Object> podTemplateOf(SourceFile file, Optional<String> document) {
        SafeYamlReader.Result read = new SafeYamlReader().read(file);
        List<SafeYamlReader.ParsedDocument> workloads = read.documents().stream().filter(d -> podSpec(d.root()).isPresent()).toList();
        List<SafeYamlReader.ParsedDocument> targets = document
                .map(name -> workloads.stream().filter(d -> name.equals(nameOf(d.root()))).toList())
                .filter(l -> !l.isEmpty())
                .orElse(workloads.size() == 1 ? workloads : List.of());
        return targets.isEmpty() ? Optional.empty() : get(targets.get(0).root(), "/spec/template");
    }

    private record Edit(int start, int end, String replacement, int line) {
    }

    private static Optional<Edit> edit(SourceMap map, String pointer, boolean present, Object old, String wanted, String text,
                                       LineIndex lines, String path, List<Finding> findings) {
        Location at = map.valueAt(pointer);
        if (!present || !(old instanceof String)) {
            findings.add(Finding.error(at, pointer, CANNOT_EDIT, "the container has no image string to replace at " + pointer));
            return Optional.empty();
        }
        int start = lines.offset(at.line(), at.column());
        int lineEnd = lines.lineEnd(at.line());
        if (start < 0 || start >= lineEnd) {
            findings.add(Finding.error(at, pointer, CANNOT_EDIT, "cannot find the image value of " + pointer + " in the file"));
            return Optional.empty();
        }
        char first = text.charAt(start);
        int end;
        String replacement;
        switch (first) {
            case '"' -> {
                end = closingDouble(text, start, lineEnd);
                replacement = YamlScalars.doubleQuoted(wanted);
            }
            case '\'' -> {
                end = closingSingle(text, start, lineEnd);
                replacement = YamlScalars.singleQuoted(wanted);
            }
            case '|', '>', '*', '&', '!' -> {
                findings.add(Finding.error(at, pointer, CANNOT_EDIT, "the image at " + pointer + " is written as a "
                        + (first == '*' ? "YAML alias" : first == '&' ? "value with an anchor" : first == '!' ? "tagged value" : "block scalar")
                        + ", which Stepwise does not rewrite in place; write it as 'image: repo/app:tag'"));
                return Optional.empty();
            }
            default -> {
                end = plainEnd(text, start, lineEnd, lines.lineStart(at.line()));
                replacement = YamlScalars.quoteIfNeeded(wanted);
            }
        }
        if (end < 0) {
            findings.add(Finding.error(at, pointer, CANNOT_EDIT, "the image at " + pointer + " runs over more than one line;"
                    + " write it on one line"));
            return Optional.empty();
        }
        return Optional.of(new Edit(start, end, replacement, at.line()));
    }

    private static int closingDouble(String text, int start, int lineEnd) {
        for (int j = start + 1; j < lineEnd; j++) {
            char c = text.charAt(j);
            if (c == '\\') {
                j++;
            } else if (c == '"') {
                return j + 1;
            }
        }
        return -1;
    }

    private static int closingSingle(String text, int start, int lineEnd) {
        for (int j = start + 1; j < lineEnd; j++) {
            if (text.charAt(j) == '\'') {
                if (j + 1 < lineEnd && text.charAt(j + 1) == '\'') {
                    j++;
                } else {
                    return j + 1;
                }
            }
        }
        return -1;
    }

    /** A plain scalar ends before a comment, before a flow indicator when inside a flow collection, or at the line end. */
    private static int plainEnd(String text, int start, int lineEnd, int lineStart) {
        String before = text.substring(lineStart, start);
        boolean flow = before.indexOf('{') >= 0 || before.indexOf('[') >= 0;
        int end = lineEnd;
        for (int j = start; j < lineEnd; j++) {
            char c = text.charAt(j);
            if (c == '#' && j > start && Character.isWhitespace(text.charAt(j - 1))) {
                end = j;
                break;
            }
            if (flow && (c == ',' || c == '}' || c == ']')) {
                end = j;
                break;
            }
        }
        while (end > start && (text.charAt(end - 1) == ' ' || text.charAt(end - 1) == '\t')) {
            end--;
        }
        return end;
    }

    /** Parses the edited bytes: every document must equal the original with exactly the changed images replaced. */
    private static Optional<String> verify(SourceFile file, SafeYamlReader.Result before, byte[] edited, List<ImageChange> changes) {
        SafeYamlReader.Result after = new SafeYamlReader().read(new SourceFile(file.path(), edited));
        if (!after.findings().isEmpty()) {
            return Optional.of("the result does not parse: " + after.findings().get(0).message());
        }
        if (after.documents().size() != before.documents().size()) {
            return Optional.of("the number of documents changed");
        }
        for (int i = 0; i < before.documents().size(); i++) {
            Object expected = deepCopy(before.documents().get(i).root());
            for (ImageChange c : changes) {
                if (c.document() == before.documents().get(i).index()) {
                    set(expected, c.pointer(), c.to());
                }
            }
            if (!Objects.equals(expected, after.documents().get(i).root())) {
                return Optional.of("document " + (i + 1) + " would read differently");
            }
        }
        return Optional.empty();
    }

    private static Optional<Object> get(Object root, String pointer) {
        Object node = root;
        for (String token : pointer.substring(1).split("/")) {
            if (node instanceof Map<?, ?> m && m.containsKey(token)) {
                node = m.get(token);
            } else if (node instanceof List<?> l && token.matches("\\d+") && Integer.parseInt(token) < l.size()) {
                node = l.get(Integer.parseInt(token));
            } else {
                return Optional.empty();
            }
        }
        return Optional.ofNullable(node);
    }

    @SuppressWarnings("unchecked")
    private static void set(Object root, String pointer, String value) {
        String parent = JsonPointer.parent(pointer);
        Object node = parent.isEmpty() ? root : get(root, parent).orElseThrow();
        ((Map<String, Object>) node).put(JsonPointer.lastToken(pointer), value);
    }

    private static Object deepCopy(Object node) {
        if (node instanceof Map<?, ?> m) {
            Map<String, Object> copy = new LinkedHashMap<>();
            m.forEach((k, v) -> copy.put(String.valueOf(k), deepCopy(v)));
            return copy;
        }
        if (node instanceof List<?> l) {
            List<Object> copy = new ArrayList<>();
            l.forEach(v -> copy.add(deepCopy(v)));
            return copy;
        }
        return node;
    }

    private static Optional<Map<?, ?>> podSpec(Object root) {
        if (root instanceof Map<?, ?> doc && doc.get("spec") instanceof Map<?, ?> spec
                && spec.get("template") instanceof Map<?, ?> template && template.get("spec") instanceof Map<?, ?> pod
                && pod.get("containers") instanceof List<?>) {
            return Optional.of(pod);
        }
        return Optional.empty();
    }

    private static String nameOf(Object root) {
        return root instanceof Map<?, ?> doc && doc.get("metadata") instanceof Map<?, ?> m && m.get("name") instanceof String n ? n : "";
    }

    private static String kindOf(Object root) {
        return root instanceof Map<?, ?> doc && doc.get("kind") instanceof String k ? k : "document";
    }

    private static String decode(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Line starts of a text as the YAML parser counts lines (a line break is CR LF, LF or CR), and conversion of its
     * 1-based line and column (counted in code points, after a byte order mark) to a string index.
     */
    private static final class LineIndex {
        private final String text;
        private final List<Integer> starts = new ArrayList<>();
        private final int bom;

        LineIndex(String text) {
            this.text = text;
            this.bom = text.startsWith("\uFEFF") ? 1 : 0;
            starts.add(bom);
            for (int i = bom; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                    starts.add(i + 1);
                } else if (c == '\n' || c == '\r') {
                    starts.add(i + 1);
                }
            }
        }

        int lineStart(int line) {
            return starts.get(line - 1);
        }

        /** Index of the first line-break character ending {@code line} (or the text's end). */
        int lineEnd(int line) {
            int i = lineStart(line);
            while (i < text.length() && text.charAt(i) != '\n' && text.charAt(i) != '\r') {
                i++;
            }
            return i;
        }

        int offset(int line, int column) {
            if (line < 1 || line > starts.size()) {
                return -1;
            }
            int start = lineStart(line);
            int end = lineEnd(line);
            try {
                int idx = text.offsetByCodePoints(start, column - 1);
                return idx <= end ? idx : -1;
            } catch (IndexOutOfBoundsException e) {
                return -1;
            }
        }
    }
}
