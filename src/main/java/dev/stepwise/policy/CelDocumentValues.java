package dev.stepwise.policy;

import dev.cel.common.values.NullValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hands a document's plain Java content to CEL without copying it when it can.
 *
 * <p>CEL's standard interpreter reads {@code Map}, {@code List}, {@code String}, {@code Long}, {@code Double} and
 * {@code Boolean} as they are, so a document is normally passed through untouched: converting a whole manifest into
 * CEL values for every evaluation would cost more than the rules themselves. Two things need fixing first. A Java
 * {@code null} (YAML {@code ~} or an empty value) is taken by the interpreter for an unknown and makes the whole rule
 * evaluate to an "unknown set" instead of true or false, so it becomes CEL's {@code null} value; and narrower numbers
 * from other sources ({@code Integer}, {@code Float}) are widened to CEL's int and double. Only the maps and lists on
 * the path to such a value are copied; everything else is shared.
 */
final class CelDocumentValues {
    private CelDocumentValues() {
    }

    /** {@code value} itself when it needs no change, otherwise a copy with the changes made. */
    static Object adapt(Object value) {
        if (value == null) {
            return NullValue.NULL_VALUE;
        }
        if (value instanceof Map<?, ?> map) {
            return adaptMap(map);
        }
        if (value instanceof List<?> list) {
            return adaptList(list);
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof Float f) {
            return f.doubleValue();
        }
        return value;
    }

    private static Object adaptMap(Map<?, ?> map) {
        Map<Object, Object> copy = null;
        for (Map.Entry<?, ?> e : map.entrySet()) {
            Object before = e.getValue();
            Object after = adapt(before);
            if (after != before && copy == null) {
                copy = new LinkedHashMap<>(map);
            }
            if (copy != null) {
                copy.put(e.getKey(), after);
            }
        }
        return copy == null ? map : copy;
    }

    private static Object adaptList(List<?> list) {
        List<Object> copy = null;
        for (int i = 0; i < list.size(); i++) {
            Object before = list.get(i);
            Object after = adapt(before);
            if (after != before && copy == null) {
                copy = new ArrayList<>(list);
            }
            if (copy != null) {
                copy.set(i, after);
            }
        }
        return copy == null ? list : copy;
    }
}
