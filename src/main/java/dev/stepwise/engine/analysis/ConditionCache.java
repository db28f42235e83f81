package dev.stepwise.engine.analysis;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Compiled success and failure conditions by their text. Compiling CEL is far dearer than evaluating it, and the same
 * few conditions serve every rollout that uses a template, so each text is compiled once per engine.
 */
public final class ConditionCache {
    private static final int MAX_ENTRIES = 10_000;

    private final ConcurrentHashMap<String, MetricCondition.Compiled> compiled = new ConcurrentHashMap<>();

    public MetricCondition.Compiled compile(String source) {
        MetricCondition.Compiled c = compiled.get(source);
        if (c != null) {
            return c;
        }
        if (compiled.size() >= MAX_ENTRIES) {
            compiled.clear(); // templates churn rarely; a full cache means something generates conditions, so start over
        }
        return compiled.computeIfAbsent(source, MetricCondition::compile);
    }
}
