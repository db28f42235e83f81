package dev.stepwise.webhook;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Request headers by case-insensitive name, first value only (a second signature header is not a second chance). */
public final class Headers {

    private final Map<String, String> values = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

    private Headers() {
    }

    public static Headers of(Map<String, String> map) {
        Headers h = new Headers();
        map.forEach((k, v) -> {
            if (k != null && v != null) {
                h.values.putIfAbsent(k, v);
            }
        });
        return h;
    }

    static Headers ofMultiValued(Map<String, List<String>> map) {
        Headers h = new Headers();
        map.forEach((k, v) -> {
            if (k != null && v != null && !v.isEmpty()) {
                h.values.putIfAbsent(k, v.get(0));
            }
        });
        return h;
    }

    public Optional<String> get(String name) {
        return Optional.ofNullable(values.get(name)).map(String::strip);
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    Optional<String> lower(String name) {
        return get(name).map(v -> v.toLowerCase(Locale.ROOT));
    }
}
