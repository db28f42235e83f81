package dev.stepwise.analysis;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Typed reads of a provider block as written in a template ({@link dev.stepwise.spec.model.ProviderSpec#config()}),
 * collecting {@link ConfigProblem}s with pointers relative to the block instead of throwing.
 */
public final class ProviderConfig {
    private final Map<String, Object> config;
    private final String base;

    public ProviderConfig(Map<String, Object> config) {
        this(config, "");
    }

    private ProviderConfig(Map<String, Object> config, String base) {
        this.config = config;
        this.base = base;
    }

    public Map<String, Object> raw() {
        return config;
    }

    public String pointer(String key) {
        return base + "/" + key;
    }

    public boolean has(String key) {
        return config.get(key) != null;
    }

    public Optional<String> string(String key) {
        Object v = config.get(key);
        if (v instanceof String s && !s.isBlank()) {
            return Optional.of(s);
        }
        if (v instanceof Number || v instanceof Boolean) {
            return Optional.of(String.valueOf(v));
        }
        return Optional.empty();
    }

    public String require(String key, List<ConfigProblem> problems, String what) {
        Optional<String> v = string(key);
        if (v.isEmpty()) {
            problems.add(new ConfigProblem(pointer(key), "analysis.provider.missing", what + " is required"));
            return "";
        }
        return v.get();
    }

    public Optional<Double> number(String key, List<ConfigProblem> problems) {
        Object v = config.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Number n) {
            return Optional.of(n.doubleValue());
        }
        if (v instanceof String s && !s.contains("{{")) {
            try {
                return Optional.of(Double.parseDouble(s.trim()));
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        problems.add(new ConfigProblem(pointer(key), "analysis.provider.number", key + " must be a number, not '" + v + "'"));
        return Optional.empty();
    }

    public boolean bool(String key) {
        Object v = config.get(key);
        return Boolean.TRUE.equals(v) || "true".equals(v);
    }

    @SuppressWarnings("unchecked")
    public Optional<ProviderConfig> map(String key) {
        Object v = config.get(key);
        return v instanceof Map<?, ?> m ? Optional.of(new ProviderConfig((Map<String, Object>) m, pointer(key))) : Optional.empty();
    }

    public List<?> list(String key) {
        Object v = config.get(key);
        return v instanceof List<?> l ? l : List.of();
    }

    /** Argo's {@code headers: [{key: X, value: Y}]} list as a map, in written order. */
    public Map<String, String> headerList(String key) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (Object o : list(key)) {
            if (o instanceof Map<?, ?> m && m.get("key") != null) {
                out.put(String.valueOf(m.get("key")), m.get("value") == null ? "" : String.valueOf(m.get("value")));
            }
        }
        return out;
    }
}
