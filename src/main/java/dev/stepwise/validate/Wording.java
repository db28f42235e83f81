package dev.stepwise.validate;

import dev.stepwise.spec.JsonPointer;
import dev.stepwise.spec.SpecDocument;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * How findings name fields and values: {@code setWeight}, {@code steps[2]}, {@code the string 'fifty'}. Values that
 * may be credentials are never repeated back, since findings end up in logs, CI annotations and status commits.
 */
final class Wording {
    private static final int MAX_VALUE_CHARS = 60;
    private static final Pattern SENSITIVE_NAME = Pattern.compile(
            "(?i).*(token|password|passwd|secret|credentials?|apikey|api-key|private-?key|key-?data)$");
    private static final Pattern URL_USERINFO = Pattern.compile("(?i)^([a-z][a-z0-9+.-]*://)[^/@\\s]*@");
    private static final Pattern AUTH_SCHEME = Pattern.compile("(?i)^\\s*(bearer|basic|token)\\s+\\S.*");

    private Wording() {
    }

    /** The field a pointer names, as a person would: {@code setWeight}, {@code steps[2]}, {@code waves[0][1]}. */
    static String field(SpecDocument doc, String pointer) {
        if (pointer.isEmpty()) {
            return "the document";
        }
        String last = JsonPointer.lastToken(pointer);
        String parent = JsonPointer.parent(pointer);
        if (doc.at(parent).orElse(null) instanceof List<?>) {
            return (parent.isEmpty() ? "the document" : field(doc, parent)) + "[" + last + "]";
        }
        return last;
    }

    /** Where a field sits: {@code in analysis}, {@code in steps[2]}, {@code at the top level}. */
    static String inPlace(SpecDocument doc, String objectPointer) {
        return objectPointer.isEmpty() ? "at the top level" : "in " + field(doc, objectPointer);
    }

    /** Whether the value at this pointer may be a credential, judged by the field's name. */
    static boolean sensitive(String pointer) {
        return !pointer.isEmpty() && SENSITIVE_NAME.matcher(JsonPointer.lastToken(pointer)).matches();
    }

    /** A value as found in the document: {@code 150}, {@code the string 'fifty'}, {@code a list}. */
    static String value(Object value, boolean hidden) {
        if (value == null) {
            return "an empty value";
        }
        if (value instanceof Map<?, ?>) {
            return "a mapping";
        }
        if (value instanceof List<?>) {
            return "a list";
        }
        if (value instanceof String s) {
            return hidden ? "a string (not shown: it may be a credential)" : "the string " + quote(s);
        }
        return String.valueOf(value);
    }

    /** A value as a short quoted literal, {@code 'fifty'}, for messages that already say what kind of value it is. */
    static String literal(Object value, boolean hidden) {
        if (value instanceof String s) {
            return hidden ? "(not shown: it may be a credential)" : quote(s);
        }
        return value(value, hidden);
    }

    private static String quote(String s) {
        String shown = URL_USERINFO.matcher(s).replaceFirst("$1***@");
        if (AUTH_SCHEME.matcher(shown).matches()) {
            return "'(credentials, not shown)'";
        }
        shown = shown.replace("\n", "\\n");
        if (shown.length() > MAX_VALUE_CHARS) {
            shown = shown.substring(0, MAX_VALUE_CHARS - 1) + "…";
        }
        return "'" + shown + "'";
    }

    /** What a JSON Schema {@code type} keyword asks for, in words: {@code a whole number or a string}. */
    static String expected(JsonNode type) {
        List<String> names = new ArrayList<>();
        if (type == null) {
            return "of another type";
        }
        if (type.isArray()) {
            type.values().forEach(t -> names.add(typeName(t.asString())));
        } else {
            names.add(typeName(type.asString()));
        }
        return or(names);
    }

    static String typeName(String jsonType) {
        return switch (jsonType) {
            case "integer" -> "a whole number";
            case "number" -> "a number";
            case "string" -> "a string";
            case "boolean" -> "true or false";
            case "object" -> "a mapping (key: value)";
            case "array" -> "a list";
            case "null" -> "empty";
            default -> jsonType;
        };
    }

    /** {@code 'a'}, {@code 'a' or 'b'}, {@code 'a', 'b' or 'c'}. */
    static String quotedOr(List<String> names) {
        return or(names.stream().map(n -> "'" + n + "'").toList());
    }

    /** {@code 'a' and 'b'}, {@code 'a', 'b' and 'c'}. */
    static String quotedAnd(List<String> names) {
        return join(names.stream().map(n -> "'" + n + "'").toList(), " and ");
    }

    static String or(List<String> items) {
        return join(items, " or ");
    }

    private static String join(List<String> items, String lastSeparator) {
        if (items.isEmpty()) {
            return "";
        }
        if (items.size() == 1) {
            return items.get(0);
        }
        return String.join(", ", items.subList(0, items.size() - 1)) + lastSeparator + items.get(items.size() - 1);
    }
}
