package dev.stepwise.validate;

import dev.stepwise.engine.analysis.MetricCondition;
import dev.stepwise.spec.Finding;
import dev.stepwise.spec.JsonPointer;
import dev.stepwise.spec.Location;
import dev.stepwise.spec.Severity;
import dev.stepwise.spec.SpecDocument;
import dev.stepwise.spec.SpecKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Compiles every {@code successCondition} and {@code failureCondition} of an analysis template, so that a condition
 * that cannot be read fails the pull request instead of failing the rollout at its analysis step.
 */
final class ConditionChecks {

    private ConditionChecks() {
    }

    static List<Finding> check(SpecDocument doc) {
        SpecKind kind = doc.kind().orElse(null);
        if (kind != SpecKind.ANALYSIS_TEMPLATE && kind != SpecKind.CLUSTER_ANALYSIS_TEMPLATE) {
            return List.of();
        }
        List<Finding> findings = new ArrayList<>();
        Object metrics = doc.at("/spec/metrics").orElse(List.of());
        if (!(metrics instanceof List<?> list)) {
            return findings;
        }
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> metric)) {
                continue;
            }
            for (String field : List.of("successCondition", "failureCondition")) {
                if (metric.get(field) instanceof String source) {
                    String pointer = JsonPointer.child(JsonPointer.child("/spec/metrics", i), field);
                    if (MetricCondition.compile(source) instanceof MetricCondition.Invalid invalid) {
                        Location at = doc.locate(pointer);
                        findings.add(new Finding(Severity.ERROR, at, pointer, "analysis.condition",
                                field + " of metric '" + metric.get("name") + "' is not a valid condition"
                                        + (invalid.column() > 0 ? " (at character " + invalid.column() + ")" : "")
                                        + ": " + invalid.message()));
                    }
                }
            }
        }
        return findings;
    }
}
