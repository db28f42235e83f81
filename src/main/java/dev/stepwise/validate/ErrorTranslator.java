package dev.stepwise.validate;

import com.networknt.schema.Error;
import com.networknt.schema.path.NodePath;
import dev.stepwise.spec.Finding;
import dev.stepwise.spec.JsonPointer;
import dev.stepwise.spec.Severity;
import dev.stepwise.spec.SpecDocument;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Turns the schema validator's errors about one document into findings: one finding per mistake, located at the
 * offending line, in words that name the field and the value found.
 *
 * <p>The main source of noise is {@code oneOf}/{@code anyOf}: the validator reports the failed combinator and then
 * every error of every branch. Our schemas use them in two ways, handled differently. "Exactly one of these fields"
 * (a step, a metric provider, a Cluster's connection) is written as branches that each only require one field, and
 * gets one message listing the fields. Any other combinator reports the errors of the branch that came closest.
 */
final class ErrorTranslator {
    private static final Set<String> COMBINATORS = Set.of("oneOf", "anyOf");
    private static final int MAX_LISTED_FIELDS = 8;
    private static final Pattern ANY_OF_BRANCH = Pattern.compile("/anyOf/[0-9]+");

    /** One validator error, reduced to what translation needs. */
    private record Issue(String keyword, String pointer, String evaluationPath, NodePath schemaPath, String property,
                         Object[] arguments, String message) {
        /**
         * Whether this error comes from inside {@code composite}'s branches. The evaluation path alone does not say:
         * every item of a list is checked along the same path, so the place in the document must match too.
         */
        boolean under(Issue composite) {
            return evaluationPath.startsWith(composite.evaluationPath + "/") && within(pointer, composite.pointer);
        }
    }

    /** Whether {@code pointer} is {@code ancestor} or lies below it. */
    private static boolean within(String pointer, String ancestor) {
        return ancestor.isEmpty() || pointer.equals(ancestor) || pointer.startsWith(ancestor + "/");
    }

    private final SpecDocument doc;
    private final KindSchema schema;
    private List<Issue> all = List.of();

    ErrorTranslator(SpecDocument doc, KindSchema schema) {
        this.doc = doc;
        this.schema = schema;
    }

    List<Finding> translate(List<Error> errors) {
        List<Issue> issues = new ArrayList<>(errors.size());
        for (Error e : errors) {
            issues.add(new Issue(e.getKeyword(), pointer(e.getInstanceLocation()), e.getEvaluationPath().toString(),
                    e.getSchemaLocation().getFragment(), e.getProperty(), e.getArguments(), e.getMessage()));
        }
        issues.addAll(anyOfGroups(issues));
        this.all = issues;
        // The same mistake can surface through two routes (a field checked by its own schema and by a conditional
        // one); people need to hear about it once.
        Map<String, Finding> unique = new LinkedHashMap<>();
        for (Finding f : findings(issues)) {
            unique.putIfAbsent(f.pointer() + '\u0000' + f.code() + '\u0000' + f.message(), f);
        }
        List<Finding> findings = new ArrayList<>(unique.values());
        findings.sort(Comparator.comparingInt((Finding f) -> f.location().line())
                .thenComparingInt(f -> f.location().column())
                .thenComparing(Finding::pointer)
                .thenComparing(Finding::code));
        return findings;
    }

    private List<Finding> findings(List<Issue> issues) {
        List<Finding> out = new ArrayList<>();
        Set<Issue> consumed = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Issue> composites = issues.stream()
                .filter(i -> COMBINATORS.contains(i.keyword()))
                .sorted(Comparator.comparingInt(i -> i.evaluationPath().length()))
                .toList();
        for (Issue composite : composites) {
            if (consumed.contains(composite)) {
                continue;
            }
            List<Issue> branches = issues.stream()
                    .filter(i -> i != composite && !consumed.contains(i) && i.under(composite))
                    .toList();
            consumed.add(composite);
            consumed.addAll(branches);
            out.addAll(combinator(composite, branches));
        }
        for (Issue issue : issues) {
            if (!consumed.contains(issue)) {
                Finding f = single(issue);
                if (f != null) {
                    out.add(f);
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------- combinators

    /**
     * The validator reports a failed {@code anyOf} only through the errors of its branches, not as an error of its
     * own (unlike {@code oneOf}). Rebuild one issue per failed {@code anyOf} so that both are handled alike: its
     * evaluation path is the branches' common prefix, its schema location is found by walking a branch error's
     * location back up by the part of the evaluation path that lies inside the branch.
     */
    private static List<Issue> anyOfGroups(List<Issue> issues) {
        List<Issue> groups = new ArrayList<>();
        for (Issue i : issues) {
            Matcher m = ANY_OF_BRANCH.matcher(i.evaluationPath());
            if (!m.find()) {
                continue;
            }
            String prefix = i.evaluationPath().substring(0, m.start() + "/anyOf".length());
            String inside = i.evaluationPath().substring(m.end());
            NodePath schemaPath = null;
            if (!inside.contains("/$ref") && i.schemaPath() != null) {
                schemaPath = i.schemaPath();
                int up = segments(inside) + 1; // the branch's own segments, then its index
                for (int k = 0; k < up && schemaPath != null; k++) {
                    schemaPath = schemaPath.getParent();
                }
            }
            int same = -1;
            for (int g = 0; g < groups.size(); g++) {
                Issue known = groups.get(g);
                if (known.evaluationPath().equals(prefix)
                        && (within(i.pointer(), known.pointer()) || within(known.pointer(), i.pointer()))) {
                    same = g;
                    break;
                }
            }
            if (same < 0) {
                groups.add(new Issue("anyOf", i.pointer(), prefix, schemaPath, null, null, ""));
            } else {
                Issue known = groups.get(same);
                String pointer = known.pointer().length() <= i.pointer().length() ? known.pointer() : i.pointer();
                groups.set(same, new Issue("anyOf", pointer, prefix,
                        known.schemaPath() != null ? known.schemaPath() : schemaPath, null, null, ""));
            }
        }
        return groups;
    }

    private static int segments(String path) {
        int n = 0;
        for (int i = 0; i < path.length(); i++) {
            if (path.charAt(i) == '/') {
                n++;
            }
        }
        return n;
    }

    private List<Finding> combinator(Issue c, List<Issue> branchIssues) {
        if (hasOutside(c, "type")) {
            return List.of(); // "provider must be a mapping" already says it; the branches would only add noise
        }
        JsonNode branches = schemaNode(c, 0);
        JsonNode owner = schemaNode(c, 1);
        String explanation = text(owner, "errorMessage");
        List<String> fields = requiredOnlyBranches(branches);
        if (fields != null) {
            return exactlyOneOf(c, fields, explanation, branchIssues);
        }
        String field = Wording.field(doc, c.pointer());
        if (c.keyword().equals("oneOf") && c.arguments() != null && c.arguments().length > 0
                && c.arguments()[0] instanceof Number valid && valid.intValue() > 1) {
            return List.of(at(c.pointer(), "schema.one-of",
                    field + " fits more than one of the forms allowed here" + suffix(explanation)));
        }
        Map<String, List<Issue>> byBranch = new LinkedHashMap<>();
        for (Issue i : branchIssues) {
            String rest = i.evaluationPath().substring(c.evaluationPath().length() + 1);
            int slash = rest.indexOf('/');
            byBranch.computeIfAbsent(slash < 0 ? rest : rest.substring(0, slash), k -> new ArrayList<>()).add(i);
        }
        List<Issue> best = null;
        for (List<Issue> branch : byBranch.values()) {
            boolean wrongType = branch.stream().anyMatch(i -> i.keyword().equals("type") && i.pointer().equals(c.pointer()));
            if (!wrongType && (best == null || branch.size() < best.size())) {
                best = branch;
            }
        }
        if (best != null) {
            return findings(best);
        }
        // Every branch wants another type: say which types would do.
        Set<String> types = new LinkedHashSet<>();
        if (branches != null && branches.isArray()) {
            for (JsonNode b : branches) {
                JsonNode t = b.get("type");
                if (t != null && t.isArray()) {
                    t.values().forEach(x -> types.add(Wording.typeName(x.asString())));
                } else if (t != null) {
                    types.add(Wording.typeName(t.asString()));
                }
            }
        }
        Object found = doc.at(c.pointer()).orElse(null);
        String expected = types.isEmpty() ? "of another form" : Wording.or(List.copyOf(types));
        return List.of(at(c.pointer(), "schema.type",
                field + " must be " + expected + ", found " + Wording.value(found, hidden(c.pointer(), owner))
                        + suffix(explanation)));
    }

    /** Branches of the form {@code {required: [x]}} each: the names x, or null if the combinator is of another form. */
    private static List<String> requiredOnlyBranches(JsonNode branches) {
        if (branches == null || !branches.isArray() || branches.isEmpty()) {
            return null;
        }
        List<String> names = new ArrayList<>();
        for (JsonNode b : branches) {
            JsonNode required = b.get("required");
            if (!b.isObject() || b.size() != 1 || required == null || !required.isArray() || required.size() != 1) {
                return null;
            }
            names.add(required.get(0).asString());
        }
        return names;
    }

    private List<Finding> exactlyOneOf(Issue c, List<String> fields, String explanation, List<Issue> branchIssues) {
        if (!(doc.at(c.pointer()).orElse(null) instanceof Map<?, ?> map)) {
            return List.of(); // not an object: the type error says so
        }
        List<String> present = fields.stream().filter(map::containsKey).toList();
        String object = Wording.field(doc, c.pointer());
        boolean one = c.keyword().equals("oneOf");
        if (present.isEmpty()) {
            if (misspelt(c.pointer(), fields)) {
                return List.of(); // "unknown field 'setWieght'; did you mean 'setWeight'?" already says it
            }
            if (one) {
                return List.of(at(c.pointer(), "schema.one-of",
                        object + " needs one of " + Wording.quotedOr(fields) + "; found none" + suffix(explanation)));
            }
            return List.of(at(c.pointer(), "schema.required", "required field " + Wording.quotedOr(fields)
                    + " is missing" + (c.pointer().isEmpty() ? "" : " from " + object) + suffix(explanation)));
        }
        if (one && present.size() > 1) {
            String second = JsonPointer.child(c.pointer(), present.get(1));
            return List.of(new Finding(Severity.ERROR, doc.locateKey(second), c.pointer(), "schema.one-of",
                    object + " has " + Wording.quotedAnd(present) + ", but takes only one of "
                            + Wording.quotedOr(fields) + suffix(explanation)));
        }
        return findings(branchIssues);
    }

    /** Whether the validator reported {@code keyword} at the combinator's instance outside of its branches. */
    private boolean hasOutside(Issue c, String keyword) {
        for (Issue i : all) {
            if (i.keyword().equals(keyword) && i.pointer().equals(c.pointer()) && !i.under(c)) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------------------------------------- single errors

    private Finding single(Issue i) {
        String field = Wording.field(doc, i.pointer());
        JsonNode keywordNode = schemaNode(i, 0);
        JsonNode owner = schemaNode(i, 1);
        Object found = doc.at(i.pointer()).orElse(null);
        boolean hidden = hidden(i.pointer(), owner);
        String explanation = text(owner, "errorMessage");
        return switch (i.keyword()) {
            case "type" -> at(i.pointer(), "schema.type", field + " must be " + Wording.expected(keywordNode)
                    + ", found " + Wording.value(found, hidden) + typeHint(keywordNode, found) + suffix(explanation));
            case "required" -> misspeltHere(i) ? null : required(i);
            case "additionalProperties", "unevaluatedProperties" -> unknownField(i, owner);
            case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum" -> at(i.pointer(), "schema.range",
                    field + " must be " + bound(i.keyword()) + " " + number(keywordNode) + ", found "
                            + Wording.value(found, hidden));
            case "enum" -> enumeration(i, field, keywordNode, found, hidden);
            case "const" -> at(i.pointer(), "schema.const", field + " must be " + json(keywordNode) + ", found "
                    + Wording.value(found, hidden) + suffix(explanation));
            case "pattern" -> pattern(i, field, owner, found, hidden);
            case "minLength", "maxLength" -> length(i, field, keywordNode, found, hidden);
            case "minItems", "maxItems" -> count(i, field, keywordNode, found, "schema.items", "item");
            case "minProperties", "maxProperties" -> count(i, field, keywordNode, found, "schema.size", "field");
            case "uniqueItems" -> unique(i, field, found);
            case "not", "false" -> notAllowed(i, field, owner, explanation);
            case "format" -> at(i.pointer(), "schema.format", field + " " + Wording.literal(found, hidden)
                    + " is not valid: expected " + formatExample(keywordNode));
            default -> at(i.pointer(), "schema." + kebab(i.keyword()), field + ": " + i.message());
        };
    }

    private Finding required(Issue i) {
        String missing = i.property() != null ? i.property() : String.valueOf(firstArgument(i));
        String where = i.pointer().isEmpty() ? "" : " from " + Wording.field(doc, i.pointer());
        // Point at the object that lacks the field: the field itself has no line to point at.
        return new Finding(Severity.ERROR, doc.locate(i.pointer()), JsonPointer.child(i.pointer(), missing),
                "schema.required", "required field '" + missing + "' is missing" + where);
    }

    /**
     * A required field that is missing because it was misspelt ({@code qurey} for {@code query}): the unknown-field
     * finding, with its suggestion, already says everything.
     */
    private boolean misspeltHere(Issue required) {
        String missing = required.property() != null ? required.property() : String.valueOf(firstArgument(required));
        return misspelt(required.pointer(), List.of(missing));
    }

    /** Whether an unknown field of the object at {@code pointer} looks like a misspelling of one of {@code names}. */
    private boolean misspelt(String pointer, List<String> names) {
        for (Issue i : all) {
            if ((i.keyword().equals("additionalProperties") || i.keyword().equals("unevaluatedProperties"))
                    && i.pointer().equals(pointer)
                    && suggestion(i, allowedFields(schemaNode(i, 1))).filter(names::contains).isPresent()) {
                return true;
            }
        }
        return false;
    }

    private static List<String> allowedFields(JsonNode owner) {
        List<String> allowed = new ArrayList<>();
        JsonNode properties = owner == null ? null : owner.get("properties");
        if (properties != null && properties.isObject()) {
            allowed.addAll(properties.propertyNames());
        }
        return allowed;
    }

    private static Optional<String> suggestion(Issue unknown, List<String> allowed) {
        String name = unknown.property() != null ? unknown.property() : String.valueOf(firstArgument(unknown));
        return Suggestions.nearest(name, allowed);
    }

    private Finding unknownField(Issue i, JsonNode owner) {
        String name = i.property() != null ? i.property() : String.valueOf(firstArgument(i));
        String pointer = JsonPointer.child(i.pointer(), name);
        List<String> allowed = allowedFields(owner);
        StringBuilder message = new StringBuilder("unknown field '").append(name).append("' ")
                .append(Wording.inPlace(doc, i.pointer()));
        Optional<String> suggestion = suggestion(i, allowed);
        if (suggestion.isPresent()) {
            message.append("; did you mean '").append(suggestion.get()).append("'?");
        } else if (allowed.isEmpty()) {
            message.append(", which takes no fields");
        } else if (allowed.size() <= MAX_LISTED_FIELDS) {
            message.append(" (fields here: ").append(String.join(", ", allowed)).append(')');
        }
        return new Finding(Severity.ERROR, doc.locateKey(pointer), pointer, "schema.unknown-field", message.toString());
    }

    private Finding enumeration(Issue i, String field, JsonNode allowedNode, Object found, boolean hidden) {
        List<String> allowed = new ArrayList<>();
        if (allowedNode != null && allowedNode.isArray()) {
            allowedNode.values().forEach(v -> allowed.add(v.isString() ? v.asString() : v.toString()));
        }
        StringBuilder message = new StringBuilder(field).append(" must be one of ")
                .append(Wording.quotedOr(allowed.stream().filter(a -> !a.isEmpty()).toList()))
                .append(", found ").append(Wording.value(found, hidden));
        if (found instanceof String s && !hidden) {
            Suggestions.nearest(s, allowed).ifPresent(m -> message.append("; did you mean '").append(m).append("'?"));
        }
        return at(i.pointer(), "schema.enum", message.toString());
    }

    private Finding pattern(Issue i, String field, JsonNode owner, Object found, boolean hidden) {
        String code = text(owner, "x-stepwise-code");
        String hint = text(owner, "patternErrorMessage");
        if (code != null) {
            // A field with its own code (a credential where only a placeholder may go): the hint is the message,
            // and the value is never repeated.
            return at(i.pointer(), "schema." + code, field + ": " + (hint != null ? hint : "this value is not allowed here"));
        }
        String what = hint != null ? hint : "expected a value matching " + text(owner, "pattern");
        return at(i.pointer(), "schema.pattern",
                field + " " + Wording.literal(found, hidden) + " is not valid: " + what);
    }

    private Finding length(Issue i, String field, JsonNode limitNode, Object found, boolean hidden) {
        long limit = limitNode == null ? 0 : limitNode.asLong();
        int actual = found instanceof String s ? s.codePointCount(0, s.length()) : 0;
        if (i.keyword().equals("minLength") && limit == 1) {
            return at(i.pointer(), "schema.length", field + " must not be empty");
        }
        String bound = i.keyword().equals("minLength") ? "at least " : "at most ";
        return at(i.pointer(), "schema.length", field + " must be " + bound + limit + " characters long, found "
                + actual + (hidden ? "" : " (" + Wording.literal(found, false) + ")"));
    }

    private Finding count(Issue i, String field, JsonNode limitNode, Object found, String code, String noun) {
        long limit = limitNode == null ? 0 : limitNode.asLong();
        int actual = found instanceof List<?> l ? l.size() : found instanceof Map<?, ?> m ? m.size() : 0;
        if (i.keyword().startsWith("min") && limit == 1) {
            return at(i.pointer(), code, field + " must not be empty");
        }
        String bound = i.keyword().startsWith("min") ? "at least " : "at most ";
        return at(i.pointer(), code, field + " must have " + bound + limit + " " + noun + (limit == 1 ? "" : "s")
                + ", found " + actual);
    }

    private Finding unique(Issue i, String field, Object found) {
        String twice = "";
        if (found instanceof List<?> list) {
            Set<Object> seen = new java.util.HashSet<>();
            for (Object item : list) {
                if (!seen.add(item)) {
                    twice = " " + Wording.literal(item, Wording.sensitive(i.pointer()));
                    break;
                }
            }
        }
        return at(i.pointer(), "schema.unique", field + " lists" + (twice.isEmpty() ? " a value" : twice) + " more than once");
    }

    private Finding notAllowed(Issue i, String field, JsonNode owner, String explanation) {
        String code = text(owner, "x-stepwise-code");
        String message;
        if (code != null) {
            message = "'" + field + "' must not be set here" + suffix(explanation);
        } else {
            message = explanation != null ? explanation : field + " is not allowed here";
        }
        // The field itself is the mistake: point at its name.
        return new Finding(Severity.ERROR, doc.locateKey(i.pointer()), i.pointer(),
                code != null ? "schema." + code : "schema.not-allowed", message);
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private Finding at(String pointer, String code, String message) {
        return new Finding(Severity.ERROR, doc.locate(pointer), pointer, code, message);
    }

    /** The schema node at the error's schema location, or {@code up} levels above it (1: the node holding the keyword). */
    private JsonNode schemaNode(Issue i, int up) {
        NodePath path = i.schemaPath();
        if (path == null) {
            return null;
        }
        int length = path.getNameCount() - up;
        return length < 0 ? null : schema.at(path, length);
    }

    private static String text(JsonNode node, String property) {
        if (node == null || !node.isObject()) {
            return null;
        }
        JsonNode value = node.get(property);
        return value != null && value.isString() ? value.asString() : null;
    }

    private static boolean hidden(String pointer, JsonNode owner) {
        return Wording.sensitive(pointer) || text(owner, "x-stepwise-code") != null;
    }

    private static String suffix(String explanation) {
        return explanation == null ? "" : ": " + explanation;
    }

    /** A nudge for the two commonest YAML slips: an unquoted number where a string goes, and the reverse. */
    private static String typeHint(JsonNode expectedType, Object found) {
        String expected = expectedType == null ? "" : expectedType.toString();
        if (expected.contains("string") && (found instanceof Number || found instanceof Boolean)) {
            return " (put it in quotes: \"" + found + "\")";
        }
        if ((expected.contains("integer") || expected.contains("number")) && found instanceof String s
                && s.matches("-?[0-9]+(\\.[0-9]+)?")) {
            return " (remove the quotes)";
        }
        if (expected.contains("boolean") && found instanceof String s && s.matches("(?i)true|false|yes|no|on|off")) {
            return " (write true or false, without quotes)";
        }
        return "";
    }

    private static String formatExample(JsonNode format) {
        String name = format == null ? "" : format.asString();
        return switch (name) {
            case "date-time" -> "an RFC 3339 date and time such as 2024-03-30T21:19:35Z";
            case "date" -> "a date such as 2024-03-30";
            case "uri", "url" -> "an absolute URL such as https://example.com/path";
            default -> "a value of format " + name;
        };
    }

    private static String bound(String keyword) {
        return switch (keyword) {
            case "minimum" -> "at least";
            case "maximum" -> "at most";
            case "exclusiveMinimum" -> "greater than";
            default -> "less than";
        };
    }

    private static String number(JsonNode node) {
        return node == null ? "?" : node.toString();
    }

    private static String json(JsonNode node) {
        if (node == null) {
            return "?";
        }
        return node.isString() ? "'" + node.asString() + "'" : node.toString();
    }

    private static Object firstArgument(Issue i) {
        return i.arguments() != null && i.arguments().length > 0 ? i.arguments()[0] : "?";
    }

    private static String kebab(String keyword) {
        StringBuilder b = new StringBuilder();
        for (char ch : keyword.toCharArray()) {
            if (Character.isUpperCase(ch)) {
                b.append('-').append(Character.toLowerCase(ch));
            } else {
                b.append(ch);
            }
        }
        return b.toString();
    }

    private static String pointer(NodePath path) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < path.getNameCount(); i++) {
            Object element = path.getElement(i);
            String token = Objects.toString(element);
            b.append('/').append(token.replace("~", "~0").replace("/", "~1"));
        }
        return b.toString();
    }
}
