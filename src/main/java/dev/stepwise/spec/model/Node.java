package dev.stepwise.spec.model;

import dev.stepwise.spec.JsonPointer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A value of a spec document and the JSON pointer it sits at. Mapping walks documents through nodes so that every
 * value it reads still knows where it was written, and every odd value can be reported at its place. A node whose
 * value is missing (or of the wrong shape) answers empty rather than throwing: the mapper decides what that means.
 */
final class Node {
    private final Object value;
    private final String pointer;
    private final Mapping mapping;

    Node(Object value, String pointer, Mapping mapping) {
        this.value = value;
        this.pointer = pointer;
        this.mapping = mapping;
    }

    Object value() {
        return value;
    }

    String pointer() {
        return pointer;
    }

    boolean isMissing() {
        return value == null;
    }

    boolean isPresent() {
        return value != null;
    }

    boolean isMap() {
        return value instanceof Map<?, ?>;
    }

    boolean has(String key) {
        return value instanceof Map<?, ?> map && map.get(key) != null;
    }

    Node get(String key) {
        Object child = value instanceof Map<?, ?> map ? map.get(key) : null;
        return new Node(child, JsonPointer.child(pointer, key), mapping);
    }

    /** The first of {@code keys} that is present (for fields with a deprecated alias), else the first key's node. */
    Node firstOf(String... keys) {
        for (String key : keys) {
            if (has(key)) {
                return get(key);
            }
        }
        return get(keys[0]);
    }

    List<Node> items() {
        if (!(value instanceof List<?> list)) {
            if (value != null) {
                mapping.odd(pointer, "expected a list here, found " + shape(value) + "; ignored");
            }
            return List.of();
        }
        List<Node> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            out.add(new Node(list.get(i), JsonPointer.child(pointer, i), mapping));
        }
        return out;
    }

    /** Entries of a mapping in the order written. */
    Map<String, Node> entries() {
        if (!(value instanceof Map<?, ?> map)) {
            if (value != null) {
                mapping.odd(pointer, "expected a mapping here, found " + shape(value) + "; ignored");
            }
            return Map.of();
        }
        Map<String, Node> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), new Node(v, JsonPointer.child(pointer, String.valueOf(k)), mapping)));
        return out;
    }

    Optional<String> string() {
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof String s) {
            return Optional.of(s);
        }
        if (value instanceof Number || value instanceof Boolean) {
            return Optional.of(String.valueOf(value)); // Kubernetes would have refused it; the value is still legible
        }
        mapping.odd(pointer, "expected a string here, found " + shape(value) + "; ignored");
        return Optional.empty();
    }

    String string(String fallback) {
        return string().orElse(fallback);
    }

    /** Non-empty strings only: Kubernetes treats "" like an absent optional field. */
    Optional<String> text() {
        return string().filter(s -> !s.isEmpty());
    }

    OptionalInt integer() {
        if (value == null) {
            return OptionalInt.empty();
        }
        if (value instanceof Long || value instanceof Integer) {
            long l = ((Number) value).longValue();
            if (l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
                return OptionalInt.of((int) l);
            }
        }
        if (value instanceof Double d && d == Math.rint(d) && Math.abs(d) < Integer.MAX_VALUE) {
            return OptionalInt.of(d.intValue());
        }
        if (value instanceof String s && s.matches("-?\\d{1,9}")) {
            return OptionalInt.of(Integer.parseInt(s));
        }
        mapping.odd(pointer, "expected a whole number here, found " + shape(value) + "; ignored");
        return OptionalInt.empty();
    }

    int integer(int fallback) {
        OptionalInt i = integer();
        return i.isPresent() ? i.getAsInt() : fallback;
    }

    Optional<Integer> optInt() {
        OptionalInt i = integer();
        return i.isPresent() ? Optional.of(i.getAsInt()) : Optional.empty();
    }

    Optional<Double> number() {
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof Number n) {
            return Optional.of(n.doubleValue());
        }
        if (value instanceof String s) {
            try {
                return Optional.of(Double.parseDouble(s.trim()));
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        mapping.odd(pointer, "expected a number here, found " + shape(value) + "; ignored");
        return Optional.empty();
    }

    boolean bool(boolean fallback) {
        if (value == null) {
            return fallback;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        if (value instanceof String s && (s.equals("true") || s.equals("false"))) {
            return Boolean.parseBoolean(s);
        }
        mapping.odd(pointer, "expected true or false here, found " + shape(value) + "; taken as " + fallback);
        return fallback;
    }

    /** A duration in Argo/Go syntax; an unreadable one is reported at this node and read as absent. */
    Optional<java.time.Duration> duration() {
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(ArgoDuration.parse(value));
        } catch (ArgoDuration.DurationFormatException e) {
            mapping.error(pointer, "model.duration", e.getMessage());
            return Optional.empty();
        }
    }

    /** Strings of a list (or a single string written where a list is usual). */
    List<String> strings() {
        if (value instanceof String s) {
            return List.of(s);
        }
        List<String> out = new ArrayList<>();
        for (Node n : items()) {
            n.text().ifPresent(out::add);
        }
        return out;
    }

    /** A string-to-string mapping, e.g. labels or annotations, in written order. */
    Map<String, String> stringMap() {
        Map<String, String> out = new LinkedHashMap<>();
        entries().forEach((k, n) -> out.put(k, n.value == null ? "" : String.valueOf(n.value)));
        return Collections.unmodifiableMap(out);
    }

    /** The raw value as plain data (for provider and plugin configuration, which their owners parse later). */
    @SuppressWarnings("unchecked")
    Map<String, Object> rawMap() {
        if (value instanceof Map<?, ?> map) {
            return Collections.unmodifiableMap(new LinkedHashMap<>((Map<String, Object>) map));
        }
        return Map.of();
    }

    static String shape(Object v) {
        if (v instanceof Map<?, ?>) {
            return "a mapping";
        }
        if (v instanceof List<?>) {
            return "a list";
        }
        if (v instanceof String s) {
            return "the string '" + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + "'";
        }
        if (v instanceof Boolean) {
            return "the boolean " + v;
        }
        return "the number " + v;
    }
}
