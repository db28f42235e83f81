package dev.stepwise.analysis;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Short, readable text for measurement values: numbers without needless decimals, long lists cut. */
public final class ValueText {
    private static final int MAX_ITEMS = 8;

    private ValueText() {
    }

    public static String of(Object v) {
        if (v instanceof Double d) {
            return number(d);
        }
        if (v instanceof List<?> list) {
            String items = list.stream().limit(MAX_ITEMS).map(ValueText::of).collect(Collectors.joining(", "));
            return "[" + items + (list.size() > MAX_ITEMS ? ", … (" + list.size() + " items)" : "") + "]";
        }
        if (v instanceof Map<?, ?> map) {
            String items = map.entrySet().stream().limit(MAX_ITEMS).map(e -> e.getKey() + ": " + of(e.getValue()))
                    .collect(Collectors.joining(", "));
            return "{" + items + (map.size() > MAX_ITEMS ? ", …" : "") + "}";
        }
        if (v instanceof String s) {
            return s.length() > 200 ? s.substring(0, 200) + "…" : s;
        }
        return String.valueOf(v);
    }

    static String number(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return String.valueOf((long) d);
        }
        return String.format(java.util.Locale.ROOT, "%.6g", d).replaceAll("0+(e|$)", "$1").replaceAll("\\.(e|$)", "$1");
    }
}
