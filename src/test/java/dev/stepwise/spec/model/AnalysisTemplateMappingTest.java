package dev.stepwise.spec.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.spec.Finding;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AnalysisTemplateMappingTest {

    @Test
    void mapsArgsMetricsAndDefaults() {
        RepositoryModel model = ModelCases.model("canary-istio.yaml");
        AnalysisTemplateSpec t = model.templates().get("shop/success-rate");
        assertThat(t.clusterScope()).isFalse();
        assertThat(t.requiredArgs()).extracting(Arg::name).containsExactly("service", "hash");
        assertThat(t.arg("prometheus").orElseThrow().value()).contains("http://prometheus.monitoring:9090");
        MetricSpec m = t.metrics().get(0);
        assertThat(m.interval().orElseThrow().value()).contains(Duration.ofMinutes(1));
        assertThat(m.count().orElseThrow().value()).contains(5);
        assertThat(m.initialDelay().orElseThrow().value()).contains(Duration.ofSeconds(30));
        assertThat(m.successCondition()).contains("result[0] >= 0.95");
        assertThat(m.failureCondition()).contains("result[0] < 0.90");
        assertThat(m.failureLimit().value()).contains(1);
        assertThat(m.inconclusiveLimit().value()).contains(0);
        assertThat(m.consecutiveErrorLimit().value()).contains(4);
        assertThat(m.minSamples()).contains(3);
        assertThat(m.provider().type()).isEqualTo("prometheus");
        assertThat(m.provider().query().orElseThrow()).startsWith("sum(rate(http_requests_total");
        assertThat(m.effectiveCount()).contains(5);

        MetricSpec latency = model.templates().get("shop/latency").metrics().get(0);
        assertThat(latency.effectiveCount()).isEmpty();
        assertThat(latency.runsUntilStopped()).isTrue();
    }

    @Test
    void clusterTemplatesKeepPlaceholdersDryRunAndRetention() {
        RepositoryModel model = ModelCases.model("bluegreen.yaml");
        AnalysisTemplateSpec t = model.clusterTemplates().get("error-budget");
        assertThat(t.clusterScope()).isTrue();
        assertThat(t.qualifiedName()).isEqualTo("error-budget");
        MetricSpec m = t.metrics().get(0);
        assertThat(m.count().orElseThrow().raw()).isEqualTo("{{args.samples}}");
        assertThat(m.count().orElseThrow().isResolved()).isFalse();
        assertThat(m.interval().orElseThrow().raw()).isEqualTo("{{args.window}}");
        assertThat(m.dryRun()).isTrue();
        assertThat(m.measurementRetention()).contains(20);
        assertThat(m.consecutiveErrorLimit().value()).contains(2);
        assertThat(m.provider().config()).containsEntry("apiVersion", "v2");

        MetricSpec resolved = m.resolve(Map.of("samples", "4", "window", "5m"));
        assertThat(resolved.effectiveCount()).contains(4);
        assertThat(resolved.interval().orElseThrow().value()).contains(Duration.ofMinutes(5));
    }

    @Test
    void aBadCountIsALocatedError() {
        var set = ModelCases.yaml("t.yaml", "apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata: {name: t}\nspec:\n"
                + "  metrics:\n    - name: m\n      count: many\n      interval: 1x\n      provider: {web: {url: http://x}}\n");
        ModelResult<AnalysisTemplateSpec> r = SpecModel.analysisTemplate(set.documents().get(0));
        assertThat(r.findings()).extracting(Finding::toLine).containsExactly(
                "t.yaml:8:17: error: '1x' has unknown unit 'x': use ms, s, m or h (e.g. 500ms, 30s, 5m, 1h30m) (at /spec/metrics/0/interval) [model.duration]",
                "t.yaml:7:14: error: 'many' is neither a whole number nor an {{args.…}} placeholder (at /spec/metrics/0/count) [model.number]");
    }
}
