package dev.stepwise.spec;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.Anchor;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.CollectionStartEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.parser.Parser;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.resolver.ScalarResolver;
import org.snakeyaml.engine.v2.scanner.StreamReader;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Reads the YAML documents of one file into plain Java data, refusing whatever could hurt the process.
 *
 * <p>We build values from snakeyaml-engine's event stream ourselves rather than through its composer, for two reasons:
 * the composer keeps no limit on nesting depth (a 100,000-level {@code [[[[…} file would overflow the stack), and
 * building from events lets us record a line and column for every node as we go, which findings need. Everything the
 * engine already guards (code point limit, duplicate and recursive keys, alias counts) is still set in
 * {@link LoadSettings}, and guarded again here where our builder takes over from the composer.
 *
 * <p>Scalars resolve by the YAML 1.2 core schema: {@code true}, {@code 10}, {@code 0.5}, {@code null}; quoted scalars
 * are always strings. YAML 1.1's {@code yes}/{@code on} stay strings.
 */
public final class SafeYamlReader {

    /** One document read from a file; {@code root} is null for an empty document. */
    public record ParsedDocument(int index, Object root, SourceMap sourceMap, Location start) {
    }

    public record Result(List<ParsedDocument> documents, List<Finding> findings) {
    }

    private final YamlLimits limits;
    private final LoadSettings settings;
    private final ScalarResolver resolver;

    public SafeYamlReader(YamlLimits limits) {
        this.limits = limits;
        this.settings = LoadSettings.builder()
                .setCodePointLimit(limits.maxFileBytes())
                .setMaxAliasesForCollections(limits.maxAliases())
                .setAllowDuplicateKeys(false)
                .setAllowRecursiveKeys(false)
                .setAllowNonScalarKeys(false)
                .setParseComments(false)
                .setUseMarks(true)
                .setSchema(new CoreSchema())
                .build();
        this.resolver = settings.getSchema().getScalarResolver();
    }

    public SafeYamlReader() {
        this(YamlLimits.DEFAULT);
    }

    public Result read(SourceFile file) {
        List<ParsedDocument> docs = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        String path = file.path();
        byte[] bytes = file.bytes();
        if (bytes.length > limits.maxFileBytes()) {
            findings.add(tooLarge(path, bytes.length, limits));
            return new Result(docs, findings);
        }
        Optional<String> text = decode(path, bytes, findings);
        if (text.isEmpty()) {
            return new Result(docs, findings);
        }
        Optional<Finding> bracketBomb = bracketBomb(path, text.get());
        if (bracketBomb.isPresent()) {
            findings.add(bracketBomb.get());
            return new Result(docs, findings);
        }
        Parser parser = new ParserImpl(settings, new StreamReader(settings, text.get()));
        int index = -1;
        try {
            while (parser.hasNext()) {
                Event event = parser.next();
                if (event.getEventId() != Event.ID.DocumentStart) {
                    continue;
                }
                index++;
                Location start = location(path, event.getStartMark());
                DocumentBuilder builder = new DocumentBuilder(path, parser);
                try {
                    Object root = builder.node(parser.next(), "", 0);
                    docs.add(new ParsedDocument(index, root, builder.map, start));
                } catch (DocumentProblem problem) {
                    findings.add(Finding.error(problem.location, problem.pointer, problem.code, problem.getMessage()));
                    skipToDocumentEnd(parser);
                }
            }
        } catch (MarkedYamlEngineException e) {
            Location at = location(path, e.getProblemMark().or(e::getContextMark));
            findings.add(Finding.error(at, "", "yaml.syntax", syntaxMessage(e)));
        } catch (YamlEngineException e) {
            findings.add(Finding.error(Location.ofFile(path), "", "yaml.syntax", "not readable as YAML: " + firstLine(e.getMessage())));
        }
        return new Result(docs, findings);
    }

    /** The finding for a file over {@link YamlLimits#maxFileBytes()}; readers that know the size up front use it too. */
    public static Finding tooLarge(String path, long size, YamlLimits limits) {
        return Finding.error(Location.ofFile(path), "", "yaml.too-large", String.format(
                "file is %s; a spec file may be at most %s (Kubernetes itself refuses objects over about 1.5 MB)",
                humanBytes(size), humanBytes(limits.maxFileBytes())));
    }

    private static Optional<String> decode(String path, byte[] bytes, List<Finding> findings) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                findings.add(Finding.error(Location.ofFile(path), "", "yaml.binary",
                        "binary file (a NUL byte at offset " + i + "), not YAML text"));
                return Optional.empty();
            }
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            String s = decoder.decode(in).toString();
            return Optional.of(s.startsWith("\uFEFF") ? s.substring(1) : s);
        } catch (CharacterCodingException e) {
            findings.add(Finding.error(Location.ofFile(path), "", "yaml.encoding",
                    "not UTF-8 text (invalid byte sequence near offset " + in.position() + "); is this a binary file?"));
            return Optional.empty();
        }
    }

    /**
     * Unclosed flow brackets past which we do not even start the parser. snakeyaml-engine's scanner takes time that
     * grows with the square of the flow nesting depth (100,000 {@code [} take seconds, a 3 MB file of them would take
     * most of an hour), so a file of nothing but brackets would stall every poll. The count ignores quoting, so the
     * bound is far above {@link YamlLimits#maxDepth()}, which the builder then enforces exactly.
     */
    static final int MAX_OPEN_BRACKETS = 512;

    private static Optional<Finding> bracketBomb(String path, String text) {
        int open = 0;
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                line++;
                lineStart = i + 1;
            } else if (c == '[' || c == '{') {
                if (++open > MAX_OPEN_BRACKETS) {
                    return Optional.of(Finding.error(new Location(path, line, i - lineStart + 1), "", "yaml.too-deep",
                            "more than " + MAX_OPEN_BRACKETS + " unclosed '[' or '{'; a spec is never nested this deep"));
                }
            } else if ((c == ']' || c == '}') && open > 0) {
                open--;
            }
        }
        return Optional.empty();
    }

    private static void skipToDocumentEnd(Parser parser) {
        while (parser.hasNext()) {
            if (parser.next().getEventId() == Event.ID.DocumentEnd) {
                return;
            }
        }
    }

    private static String syntaxMessage(MarkedYamlEngineException e) {
        String problem = e.getProblem() == null ? "" : e.getProblem().trim();
        String context = e.getContext() == null ? "" : e.getContext().trim();
        String msg = context.isEmpty() ? problem : context + ": " + problem;
        return "YAML syntax error: " + (msg.isEmpty() ? firstLine(e.getMessage()) : msg);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    static Location location(String path, Optional<Mark> mark) {
        return mark.map(m -> new Location(path, m.getLine() + 1, m.getColumn() + 1)).orElse(Location.ofFile(path));
    }

    private static String humanBytes(long n) {
        if (n >= 1024 * 1024) {
            return String.format("%.1f MiB", n / (1024.0 * 1024));
        }
        if (n >= 1024) {
            return String.format("%.1f KiB", n / 1024.0);
        }
        return n + " bytes";
    }

    /** A problem that spoils one document; the reader reports it and goes on with the next document. */
    private static final class DocumentProblem extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final Location location;
        final String pointer;
        final String code;

        DocumentProblem(Location location, String pointer, String code, String message) {
            super(message, null, false, false);
            this.location = location;
            this.pointer = pointer;
            this.code = code;
        }
    }

    /** Builds one document; recursion depth is bounded by {@link YamlLimits#maxDepth()}. */
    private final class DocumentBuilder {
        private final String path;
        private final Parser parser;
        final SourceMap map;
        private final Map<String, Object> anchors = new HashMap<>();
        private final Map<Object, Integer> sizes = new IdentityHashMap<>();
        private final java.util.Set<String> open = new java.util.HashSet<>();
        private int nodes;
        private int aliases;

        DocumentBuilder(String path, Parser parser) {
            this.path = path;
            this.parser = parser;
            this.map = new SourceMap(path);
        }

        Object node(Event event, String pointer, int depth) {
            Location at = location(path, event.getStartMark());
            map.value(pointer, at.line(), at.column());
            switch (event.getEventId()) {
                case Scalar -> {
                    count(1, at, pointer);
                    Object value = scalar((ScalarEvent) event, at, pointer);
                    anchor(event, value, 1);
                    return value;
                }
                case Alias -> {
                    return alias((AliasEvent) event, at, pointer);
                }
                case SequenceStart -> {
                    return sequence((CollectionStartEvent) event, at, pointer, depth + 1);
                }
                case MappingStart -> {
                    return mapping((CollectionStartEvent) event, at, pointer, depth + 1);
                }
                default -> throw new DocumentProblem(at, pointer, "yaml.syntax", "unexpected " + event.getEventId());
            }
        }

        private List<Object> sequence(CollectionStartEvent start, Location at, String pointer, int depth) {
            checkDepth(depth, at, pointer);
            checkTag(start.getTag(), Tag.SEQ, at, pointer);
            int before = nodes;
            count(1, at, pointer);
            String anchor = start.getAnchor().map(Anchor::getValue).orElse(null);
            if (anchor != null) {
                open.add(anchor);
            }
            List<Object> list = new ArrayList<>();
            Event e;
            while ((e = parser.next()).getEventId() != Event.ID.SequenceEnd) {
                list.add(node(e, JsonPointer.child(pointer, list.size()), depth));
            }
            finishAnchor(anchor, list, nodes - before);
            return list;
        }

        private Map<String, Object> mapping(CollectionStartEvent start, Location at, String pointer, int depth) {
            checkDepth(depth, at, pointer);
            checkTag(start.getTag(), Tag.MAP, at, pointer);
            int before = nodes;
            count(1, at, pointer);
            String anchor = start.getAnchor().map(Anchor::getValue).orElse(null);
            if (anchor != null) {
                open.add(anchor);
            }
            Map<String, Object> result = new LinkedHashMap<>();
            Event e;
            while ((e = parser.next()).getEventId() != Event.ID.MappingEnd) {
                Location keyAt = location(path, e.getStartMark());
                if (!(e instanceof ScalarEvent keyEvent)) {
                    throw new DocumentProblem(keyAt, pointer, "yaml.key",
                            "mapping keys must be plain strings, not a " + (e instanceof AliasEvent ? "alias" : "collection"));
                }
                String key = keyEvent.getValue();
                String child = JsonPointer.child(pointer, key);
                if (result.containsKey(key)) {
                    throw new DocumentProblem(keyAt, child, "yaml.duplicate-key",
                            "duplicate key '" + key + "' (the first one is at line "
                                    + map.keyAt(child).line() + "); YAML forbids repeated keys and tools disagree on which one wins");
                }
                map.key(child, keyAt.line(), keyAt.column());
                result.put(key, node(parser.next(), child, depth));
            }
            finishAnchor(anchor, result, nodes - before);
            return result;
        }

        private Object alias(AliasEvent event, Location at, String pointer) {
            String name = event.getAlias().getValue();
            if (open.contains(name)) {
                throw new DocumentProblem(at, pointer, "yaml.recursive-alias",
                        "alias *" + name + " refers to a collection that contains it (recursive YAML is not allowed)");
            }
            if (!anchors.containsKey(name)) {
                throw new DocumentProblem(at, pointer, "yaml.unknown-alias", "alias *" + name + " names no anchor defined before it");
            }
            Object value = anchors.get(name);
            int size = sizes.getOrDefault(value, 1);
            if (value instanceof Map<?, ?> || value instanceof List<?>) {
                if (++aliases > limits.maxAliases()) {
                    throw new DocumentProblem(at, pointer, "yaml.too-many-aliases",
                            "more than " + limits.maxAliases() + " aliases to collections in one document (a 'billion laughs' file?)");
                }
            }
            count(size, at, pointer);
            return value;
        }

        private void anchor(Event event, Object value, int size) {
            ((NodeEvent) event).getAnchor().ifPresent(a -> {
                anchors.put(a.getValue(), value);
                if (value != null) {
                    sizes.put(value, size);
                }
            });
        }

        private void finishAnchor(String anchor, Object value, int size) {
            if (anchor != null) {
                open.remove(anchor);
                anchors.put(anchor, value);
                sizes.put(value, size);
            }
        }

        private void count(int n, Location at, String pointer) {
            nodes += n;
            if (nodes > limits.maxNodes()) {
                throw new DocumentProblem(at, pointer, "yaml.too-many-nodes", "document expands to more than "
                        + limits.maxNodes() + " values (aliases count as what they name); a spec is never this large");
            }
        }

        private void checkDepth(int depth, Location at, String pointer) {
            if (depth > limits.maxDepth()) {
                throw new DocumentProblem(at, truncate(pointer), "yaml.too-deep",
                        "nesting deeper than " + limits.maxDepth() + " levels; a spec is never nested this deep");
            }
        }

        private String truncate(String pointer) {
            return pointer.length() > 200 ? pointer.substring(0, 200) + "…" : pointer;
        }

        private void checkTag(Optional<String> tag, Tag expected, Location at, String pointer) {
            if (tag.isPresent() && !tag.get().equals("!") && !tag.get().equals(expected.getValue())) {
                throw new DocumentProblem(at, pointer, "yaml.tag", "unsupported tag " + tag.get());
            }
        }

        private Object scalar(ScalarEvent event, Location at, String pointer) {
            String value = event.getValue();
            Tag tag;
            Optional<String> explicit = event.getTag().filter(t -> !t.equals("!"));
            if (explicit.isPresent()) {
                tag = new Tag(explicit.get());
            } else if (event.isPlain()) {
                tag = resolver.resolve(value, true);
            } else {
                return value;
            }
            try {
                if (tag.equals(Tag.STR)) {
                    return value;
                } else if (tag.equals(Tag.NULL)) {
                    return null;
                } else if (tag.equals(Tag.BOOL)) {
                    return Boolean.valueOf(value.toLowerCase(java.util.Locale.ROOT).equals("true"));
                } else if (tag.equals(Tag.INT)) {
                    return integer(value);
                } else if (tag.equals(Tag.FLOAT)) {
                    return floating(value);
                }
            } catch (NumberFormatException e) {
                throw new DocumentProblem(at, pointer, "yaml.number", "'" + value + "' is not a number that fits in 64 bits");
            }
            throw new DocumentProblem(at, pointer, "yaml.tag", "unsupported tag " + tag.getValue());
        }

        private Long integer(String v) {
            String s = v.startsWith("+") ? v.substring(1) : v;
            boolean negative = s.startsWith("-");
            String digits = negative ? s.substring(1) : s;
            long n;
            if (digits.startsWith("0x")) {
                n = Long.parseLong(digits.substring(2), 16);
            } else if (digits.startsWith("0o")) {
                n = Long.parseLong(digits.substring(2), 8);
            } else {
                n = Long.parseLong(digits);
            }
            return negative ? -n : n;
        }

        private Double floating(String v) {
            String s = v.toLowerCase(java.util.Locale.ROOT);
            return switch (s) {
                case ".inf", "+.inf" -> Double.POSITIVE_INFINITY;
                case "-.inf" -> Double.NEGATIVE_INFINITY;
                case ".nan" -> Double.NaN;
                default -> Double.valueOf(s);
            };
        }
    }
}
