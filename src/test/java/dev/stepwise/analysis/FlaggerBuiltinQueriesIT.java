package dev.stepwise.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stepwise.bench.MetricsTarget;
import dev.stepwise.bench.PrometheusServer;
import dev.stepwise.spec.model.FlaggerQueries;
import dev.stepwise.spec.model.MetricSpec;
import dev.stepwise.spec.model.ModelCases;
import dev.stepwise.spec.model.ProviderSpec;
import dev.stepwise.spec.model.RepositoryModel;
import dev.stepwise.spec.model.RolloutSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Flagger Canary's builtin metrics, as Stepwise maps them, against a real Prometheus (Debian's package) scraping an
 * application whose sidecars report Istio's metrics: the primary {@code podinfo-primary} healthy, the canary
 * {@code podinfo} failing 8 % of its requests at ~300 ms. The canary is judged on its own traffic, and every builtin
 * query of every provider is PromQL that Prometheus accepts.
 */
class FlaggerBuiltinQueriesIT {

    private static MetricsTarget app;
    private static PrometheusServer prometheus;
    private static MetricProviders providers;

    @BeforeAll
    static void start() throws Exception {
        app = MetricsTarget.start(7).asIstioWorkloadsIn("test")
                .traffic("podinfo-primary", new MetricsTarget.Traffic(200, 0.0, 0.03))
                .traffic("podinfo", new MetricsTarget.Traffic(200, 0.08, 0.3));
        prometheus = PrometheusServer.start(List.of(app.target()), Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(prometheus::isReady);
        providers = MetricProviders.standard(ProviderSettings.defaults(Map.of()), Clock.systemUTC());
        // a rate over 10s needs a few scrapes of it
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            Measurement m = providers.measure(new ProviderSpec("prometheus", Map.of("address", prometheus.address(),
                    "query", "count_over_time(up[15s])", ProviderSpec.FLAGGER_VALUE, true)), MeasureArgs.NONE);
            return !m.isError() && (Double) m.value().orElseThrow() >= 12;
        });
    }

    @AfterAll
    static void stop() {
        if (providers != null) {
            providers.close();
        }
        if (prometheus != null) {
            prometheus.close();
        }
        if (app != null) {
            app.close();
        }
    }

    static RolloutSpec canary(String provider) {
        String yaml = """
                apiVersion: flagger.app/v1beta1
                kind: Canary
                metadata: {name: podinfo, namespace: test}
                spec:
                  provider: %s
                  metricsServer: %s
                  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
                  service: {port: 9898}
                  analysis:
                    interval: 1m
                    threshold: 5
                    maxWeight: 50
                    stepWeight: 10
                    metrics:
                      - {name: request-success-rate, thresholdRange: {min: 99}, interval: 10s}
                      - {name: request-duration, thresholdRange: {max: 500}, interval: 10s}
                """.formatted(provider, prometheus.address());
        return RepositoryModel.of(ModelCases.yaml("podinfo.yaml", yaml)).rollouts().get(0);
    }

    static Measurement measure(RolloutSpec r, String metric) {
        MetricSpec m = r.inlineTemplates().get("flagger-metrics").metric(metric).orElseThrow();
        return providers.measure(m.provider(), MeasureArgs.NONE);
    }

    @Test
    void theIstioBuiltinsJudgeTheCanaryOnItsOwnTraffic() {
        RolloutSpec r = canary("istio");
        Measurement success = measure(r, "request-success-rate");
        assertThat(success.error()).isEmpty();
        // 8 % (±20 %) errors on the canary alone; with the primary's clean traffic mixed in it would be above 95
        assertThat((Double) success.value().orElseThrow()).isBetween(88.0, 95.0);
        Measurement duration = measure(r, "request-duration");
        // every request in the 250–500 ms bucket: the p99 interpolates near its top
        assertThat((Double) duration.value().orElseThrow()).isBetween(250.0, 500.0);
        // and the Canary's condition, as the engine evaluates it, fails the success rate
        MetricSpec spec = r.inlineTemplates().get("flagger-metrics").metric("request-success-rate").orElseThrow();
        assertThat(spec.successCondition()).contains("result >= 99");
    }

    @Test
    void aCanaryWithoutTrafficHasNoValuesFound() {
        // a target no workload reports: Flagger's "no values found", a NO_DATA error here
        RolloutSpec r = RepositoryModel.of(ModelCases.yaml("other.yaml", """
                apiVersion: flagger.app/v1beta1
                kind: Canary
                metadata: {name: idle, namespace: test}
                spec:
                  provider: istio
                  metricsServer: %s
                  targetRef: {apiVersion: apps/v1, kind: Deployment, name: idle}
                  service: {port: 9898}
                  analysis: {interval: 1m, threshold: 2, maxWeight: 50, stepWeight: 10, metrics: [{name: request-success-rate, thresholdRange: {min: 99}}]}
                """.formatted(prometheus.address()))).rollouts().get(0);
        Measurement m = measure(r, "request-success-rate");
        assertThat(m.error()).get().extracting(MeasurementError::kind).isEqualTo(MeasurementError.Kind.NO_DATA);
    }

    @Test
    void everyBuiltinQueryOfEveryProviderIsPromqlPrometheusAccepts() {
        FlaggerQueries.Vars vars = new FlaggerQueries.Vars("podinfo", "test", "podinfo", "podinfo", "podinfo", "podinfo", "10s", Map.of());
        Map<String, String> refused = new LinkedHashMap<>();
        for (String observer : FlaggerQueries.observers()) {
            for (String metric : List.of("request-success-rate", "request-duration")) {
                String query = FlaggerQueries.render(FlaggerQueries.builtinTemplate(observer, metric).orElseThrow(), vars).query().orElseThrow();
                Measurement m = providers.measure(new ProviderSpec("prometheus", Map.of("address", prometheus.address(), "query", query,
                        ProviderSpec.FLAGGER_VALUE, true)), MeasureArgs.NONE);
                // the Istio ones find the app's series; the others evaluate to nothing, which is fine: a parse error is not
                boolean accepted = m.error().isEmpty() || m.error().get().kind() == MeasurementError.Kind.NO_DATA;
                if (!accepted) {
                    refused.put(observer + " " + metric, m.describe());
                }
            }
        }
        assertThat(refused).isEmpty();
    }
}
