package dev.stepwise.spec.model;

import dev.stepwise.spec.SpecDocument;
import dev.stepwise.spec.SpecKind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Entry point of the typed model: one document in, a typed value and findings out. Documents reaching here have
 * passed JSON Schema validation, but mapping still never throws on odd input: whatever it cannot read becomes a
 * located finding ({@code model.*}), and a document it cannot understand at all gives no value.
 */
public final class SpecModel {

    private SpecModel() {
    }

    /** An Argo {@code Rollout} or a Flagger {@code Canary} as a {@link RolloutSpec}. */
    public static ModelResult<RolloutSpec> rollout(SpecDocument doc) {
        SpecKind kind = doc.kind().orElse(null);
        if (kind == SpecKind.ROLLOUT) {
            return guarded(doc, () -> RolloutMapper.map(doc));
        }
        if (kind == SpecKind.CANARY) {
            return guarded(doc, () -> FlaggerMapper.map(doc));
        }
        return wrongKind(doc, "a Rollout or Canary");
    }

    /** An {@code AnalysisTemplate} or {@code ClusterAnalysisTemplate}. */
    public static ModelResult<AnalysisTemplateSpec> analysisTemplate(SpecDocument doc) {
        SpecKind kind = doc.kind().orElse(null);
        if (kind == SpecKind.ANALYSIS_TEMPLATE || kind == SpecKind.CLUSTER_ANALYSIS_TEMPLATE) {
            return guarded(doc, () -> AnalysisMapper.template(doc));
        }
        return wrongKind(doc, "an AnalysisTemplate or ClusterAnalysisTemplate");
    }

    /** A Flagger {@code MetricTemplate}. */
    public static ModelResult<MetricTemplateSpec> metricTemplate(SpecDocument doc) {
        if (doc.kind().orElse(null) != SpecKind.METRIC_TEMPLATE) {
            return wrongKind(doc, "a MetricTemplate");
        }
        return guarded(doc, () -> {
            Mapping m = new Mapping(doc);
            Node spec = m.root().get("spec");
            Node provider = spec.get("provider");
            Map<String, Object> config = new LinkedHashMap<>(provider.rawMap());
            Object type = config.remove("type");
            if (doc.name().isEmpty() || !(type instanceof String t) || t.isEmpty()) {
                m.error(doc.name().isEmpty() ? "/metadata" : provider.pointer(), "model.metric-template",
                        doc.describe() + " needs metadata.name and spec.provider.type");
                return ModelResult.failed(m.findings());
            }
            spec.get("query").text().ifPresent(q -> config.put("query", q));
            return ModelResult.of(new MetricTemplateSpec(doc.namespace(), doc.name(), doc.file(), new ProviderSpec(t, config)),
                    m.findings());
        });
    }

    /**
     * A bug in a mapper must not take the whole repository's model down with it: it becomes a finding on the document
     * (with the exception's type, never its data) and the other documents are still mapped.
     */
    private static <T> ModelResult<T> guarded(SpecDocument doc, java.util.function.Supplier<ModelResult<T>> mapper) {
        try {
            return mapper.get();
        } catch (RuntimeException e) {
            return ModelResult.failed(List.of(doc.finding(dev.stepwise.spec.Severity.ERROR, "", "model.internal",
                    "Stepwise could not read " + doc.describe() + " (" + e.getClass().getSimpleName()
                            + "); please report this with the document")));
        }
    }

    private static <T> ModelResult<T> wrongKind(SpecDocument doc, String expected) {
        return ModelResult.failed(List.of(doc.finding(dev.stepwise.spec.Severity.ERROR, "/kind", "model.kind",
                doc.describe() + " is not " + expected)));
    }
}
