package dev.stepwise.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stepwise.analysis.MeasurementError.Kind;
import dev.stepwise.analysis.providers.CompareProvider;
import dev.stepwise.bench.MetricsTarget;
import dev.stepwise.bench.PrometheusServer;
import dev.stepwise.cli.Main;
import dev.stepwise.spec.model.ProviderSpec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The Prometheus provider, the comparison judge and {@code stepwise analyze} against a real Prometheus (Debian's
 * package) scraping a target this test controls: a "stable" version (1 % errors, ~30 ms), a "canary-good" version
 * behaving the same, and a "canary-bad" version (8 % errors, ~300 ms). One minute-long collection serves every test.
 */
class PrometheusAnalysisIT {

    private static MetricsTarget target;
    private static PrometheusServer prometheus;
    private static MetricProviders providers;

    private static final String SUCCESS_RATE = "sum(rate(http_requests_total{version=\"%s\",code!~\"5..\"}[5s])) "
            + "/ sum(rate(http_requests_total{version=\"%s\"}[5s]))";
    private static final String P99 = "histogram_quantile(0.99, sum(rate(http_request_duration_seconds_bucket{version=\"%s\"}[5s])) by (le))";

    @BeforeAll
    static void start() throws Exception {
        target = MetricsTarget.start(42)
                .traffic("stable", new MetricsTarget.Traffic(200, 0.01, 0.03))
                .traffic("canary-good", new MetricsTarget.Traffic(200, 0.01, 0.03))
                .traffic("canary-bad", new MetricsTarget.Traffic(200, 0.08, 0.3));
        prometheus = PrometheusServer.start(List.of(target.target()), Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(prometheus::isReady);
        providers = MetricProviders.standard(ProviderSettings.defaults(Map.of()), Clock.systemUTC());
        // rates over 5s need a few scrapes; the comparison reads 20s of history at a 1s step
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            Measurement m = measure("count_over_time(up{job=\"app\"}[30s])", Map.of());
            return !m.isError() && ((List<?>) m.value().orElseThrow()).get(0) instanceof Double d && d >= 22;
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
        if (target != null) {
            target.close();
        }
    }

    private static Measurement measure(String query, Map<String, Object> extra) {
        Map<String, Object> config = new java.util.LinkedHashMap<>();
        config.put("address", prometheus.address());
        config.put("query", query);
        config.putAll(extra);
        return providers.measure(new ProviderSpec("prometheus", config), MeasureArgs.NONE);
    }

    @Test
    void successRateIsAVectorOfOneValueWithTheRequestCountAsSamples() {
        Measurement m = measure(String.format(SUCCESS_RATE, "stable", "stable"),
                Map.of("sampleCountQuery", "sum(increase(http_requests_total{version=\"stable\"}[5s]))"));
        assertThat(m.error()).isEmpty();
        List<?> values = (List<?>) m.value().orElseThrow();
        assertThat(values).hasSize(1);
        assertThat((Double) values.get(0)).isBetween(0.97, 1.0);
        // 200 requests a second over 5 seconds
        assertThat(m.sampleCount().getAsLong()).isBetween(600L, 1400L);
        assertThat(m.query()).contains("version=\"stable\"");
        assertThat(m.evidence()).containsKey("sampleCountQuery");
    }

    @Test
    void p99LatencyFromHistogramBucketsSeparatesTheVersions() {
        double stable = (Double) ((List<?>) measure(String.format(P99, "stable"), Map.of()).value().orElseThrow()).get(0);
        double bad = (Double) ((List<?>) measure(String.format(P99, "canary-bad"), Map.of()).value().orElseThrow()).get(0);
        // all observations fall in one bucket; histogram_quantile interpolates 99 % of the way through it
        assertThat(stable).isBetween(0.025, 0.05);
        assertThat(bad).isBetween(0.25, 0.5);
    }

    @Test
    void argumentsAreEscapedForPromqlStringLiterals() {
        Map<String, Object> config = Map.of("address", prometheus.address(),
                "query", "sum(rate(http_requests_total{version=\"{{args.version}}\"}[5s]))");
        // a value that would close the literal and add a matcher of its own
        Measurement injected = providers.measure(new ProviderSpec("prometheus", config),
                MeasureArgs.of(Map.of("version", "stable\"} or vector(1) or x{a=\"")));
        assertThat(injected.error()).get().extracting(MeasurementError::kind).isEqualTo(Kind.NO_DATA);
        Measurement ok = providers.measure(new ProviderSpec("prometheus", config), MeasureArgs.of(Map.of("version", "stable")));
        assertThat(ok.error()).isEmpty();
    }

    @Test
    void rangeQueryGivesAMatrixOfSeries() {
        Measurement m = measure(String.format(SUCCESS_RATE, "stable", "stable"),
                Map.of("rangeQuery", Map.of("start", "now() - duration(\"15s\")", "end", "now()", "step", "1s")));
        assertThat(m.error()).isEmpty();
        List<?> series = (List<?>) m.value().orElseThrow();
        assertThat(series).hasSize(1);
        assertThat((List<?>) series.get(0)).hasSizeBetween(10, 16);
        assertThat(m.sampleCount().getAsLong()).isEqualTo(((List<?>) series.get(0)).size());
    }

    @Test
    void emptyVectorsAndNaNAreNoDataNeverValues() {
        Measurement empty = measure("sum(rate(http_requests_total{version=\"absent\"}[5s]))", Map.of());
        assertThat(empty.error()).get().extracting(MeasurementError::kind).isEqualTo(Kind.NO_DATA);
        assertThat(empty.error().get().message()).contains("no series");
        Measurement nan = measure("vector(0) / vector(0)", Map.of());
        assertThat(nan.error()).get().extracting(MeasurementError::kind).isEqualTo(Kind.NO_DATA);
        assertThat(nan.error().get().message()).contains("NaN");
        Measurement scalarNan = measure("scalar(vector(0) / vector(0))", Map.of());
        assertThat(scalarNan.error()).get().extracting(MeasurementError::kind).isEqualTo(Kind.NO_DATA);
    }

    @Test
    void prometheusErrorBodiesAreSurfacedInTheMessage() {
        Measurement m = measure("sum(rate(http_requests_total[5s]", Map.of());
        assertThat(m.error()).get().extracting(MeasurementError::kind).isEqualTo(Kind.HTTP_STATUS);
        assertThat(m.error().get().message()).contains("HTTP 400").contains("bad_data").contains("parse error");
    }

    @Test
    void comparisonFailsTheBadCanaryAndPassesTheGoodOne() {
        Measurement bad = compare("canary-bad");
        assertThat(bad.providerPhase()).contains(Phase.FAILED);
        assertThat((Double) bad.value().orElseThrow()).isEqualTo(0.0);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> verdicts = (List<Map<String, Object>>) bad.evidence().get("metrics");
        assertThat(verdicts).extracting(v -> v.get("classification")).containsExactly("High", "High");
        assertThat((Integer) verdicts.get(0).get("canarySamples")).isGreaterThanOrEqualTo(10);

        Measurement good = compare("canary-good");
        assertThat(good.providerPhase()).contains(Phase.SUCCESSFUL);
        assertThat((Double) good.value().orElseThrow()).isEqualTo(100.0);
    }

    private Measurement compare(String canary) {
        String errorRatio = "sum(rate(http_requests_total{version=\"%s\",code=~\"5..\"}[5s])) / sum(rate(http_requests_total{version=\"%s\"}[5s]))";
        Map<String, Object> defaults = Map.of("prometheus", Map.of("address", prometheus.address()));
        Map<String, Object> config = Map.of(
                "window", "20s", "step", "1s",
                "defaults", defaults,
                "metrics", List.of(
                        Map.of("name", "error-ratio", "direction", "increase", "allowedIncrease", 1.5, "critical", true,
                                "criticalIncrease", 3,
                                "baseline", Map.of("prometheus", Map.of("query", String.format(errorRatio, "stable", "stable"))),
                                "canary", Map.of("prometheus", Map.of("query", String.format(errorRatio, canary, canary)))),
                        Map.of("name", "p99", "direction", "increase", "allowedIncrease", 1.2,
                                "baseline", Map.of("prometheus", Map.of("query", String.format(P99, "stable"))),
                                "canary", Map.of("prometheus", Map.of("query", String.format(P99, canary))))));
        return providers.measure(new ProviderSpec(CompareProvider.TYPE, config), MeasureArgs.NONE);
    }

    @Test
    void analyzeRunsATemplateEndToEnd(@TempDir Path dir) throws Exception {
        Path template = dir.resolve("success-rate.yaml");
        Files.writeString(template, """
                apiVersion: argoproj.io/v1alpha1
                kind: AnalysisTemplate
                metadata:
                  name: success-rate
                  namespace: production
                spec:
                  args:
                    - name: prometheus
                    - name: version
                  metrics:
                    - name: success-rate
                      count: 2
                      interval: 1s
                      successCondition: result[0] >= 0.95
                      minSamples: 100
                      provider:
                        prometheus:
                          address: "{{args.prometheus}}"
                          query: sum(rate(http_requests_total{version="{{args.version}}",code!~"5.."}[5s])) / sum(rate(http_requests_total{version="{{args.version}}"}[5s]))
                          sampleCountQuery: sum(increase(http_requests_total{version="{{args.version}}"}[5s]))
                    - name: p99-latency
                      successCondition: result[0] < 0.1
                      provider:
                        prometheus:
                          address: "{{args.prometheus}}"
                          query: histogram_quantile(0.99, sum(rate(http_request_duration_seconds_bucket{version="{{args.version}}"}[5s])) by (le))
                """);
        Result good = analyze(template.toString(), "--arg", "prometheus=" + prometheus.address(), "--arg", "version=stable",
                "--format", "json");
        assertThat(good.exit).as(good.err).isZero();
        JsonNode json = tools.jackson.databind.json.JsonMapper.builder().build().readTree(good.out);
        assertThat(json.path("phase").asString()).isEqualTo("Successful");
        assertThat(json.path("metrics").get(0).path("measurements")).hasSize(2);
        assertThat(json.path("metrics").get(0).path("measurements").get(0).path("sampleCount").asLong()).isGreaterThan(100);
        assertThat(json.path("metrics").get(1).path("measurements").get(0).path("value").get(0).asDouble()).isLessThan(0.1);

        Result bad = analyze(template.toString(), "--arg", "prometheus=" + prometheus.address(), "--arg", "version=canary-bad",
                "--count", "1");
        assertThat(bad.exit).as(bad.err).isEqualTo(1);
        assertThat(bad.out).contains("analysis production/success-rate: Failed")
                .contains("metric p99-latency: Failed")
                .contains("successCondition 'result[0] < 0.1' is false");

        Result missing = analyze(template.toString(), "--arg", "version=stable");
        assertThat(missing.exit).isEqualTo(2);
        assertThat(missing.err).contains("success-rate.yaml:8:7").contains("argument 'prometheus' has no value");
    }

    record Result(int exit, String out, String err) {
    }

    static Result analyze(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] full = new String[args.length + 1];
        full[0] = "analyze";
        System.arraycopy(args, 0, full, 1, args.length);
        int exit = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), full);
        return new Result(exit, out.toString(), err.toString());
    }

}
