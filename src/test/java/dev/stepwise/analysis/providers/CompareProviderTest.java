package dev.stepwise.analysis.providers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.analysis.ConfigProblem;
import dev.stepwise.analysis.MeasureArgs;
import dev.stepwise.analysis.Measurement;
import dev.stepwise.analysis.MeasurementError;
import dev.stepwise.analysis.MeasurementError.Kind;
import dev.stepwise.analysis.MetricProvider;
import dev.stepwise.analysis.MetricProviders;
import dev.stepwise.analysis.Phase;
import dev.stepwise.analysis.ProviderSettings;
import dev.stepwise.spec.model.ProviderSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The stepwise-compare block: its configuration checks, and judging series served by a scripted provider. */
class CompareProviderTest {

    /** A "series" provider whose answer is the list of numbers named by its {@code series} field. */
    static final class SeriesProvider implements MetricProvider {
        final Map<String, List<Double>> series;

        SeriesProvider(Map<String, List<Double>> series) {
            this.series = series;
        }

        @Override
        public String type() {
            return "series";
        }

        @Override
        public List<ConfigProblem> check(ProviderSpec spec, MeasureArgs args) {
            return spec.config().containsKey("series") ? List.of() : List.of(new ConfigProblem("/series", "x", "series is required"));
        }

        @Override
        public Measurement measure(ProviderSpec spec, MeasureArgs args) {
            List<Double> s = series.get(String.valueOf(spec.config().get("series")));
            if (s == null) {
                return Measurement.ofError(MeasurementError.Kind.HTTP_STATUS, "HTTP 503", "q", Instant.EPOCH, Duration.ZERO);
            }
            return s.isEmpty() ? Measurement.ofError(Kind.NO_DATA, "empty", "q", Instant.EPOCH, Duration.ZERO)
                    : Measurement.ofValue(List.of(s), OptionalLong.of(s.size()), "series " + spec.config().get("series"), Instant.EPOCH, Duration.ZERO);
        }
    }

    private static List<Double> noise(long seed, double base, int n) {
        Random r = new Random(seed);
        return r.doubles(n).map(d -> base * (0.9 + 0.2 * d)).boxed().toList();
    }

    private static MetricProviders providers(Map<String, List<Double>> series) {
        MetricProviders p = new MetricProviders(ProviderSettings.defaults(Map.of()), Clock.systemUTC());
        p.register("series", r -> new SeriesProvider(series));
        p.register(CompareProvider.TYPE, r -> new CompareProvider(r, Clock.systemUTC()));
        return p;
    }

    private static Map<String, Object> metric(String name, String baseline, String canary, Map<String, Object> extra) {
        Map<String, Object> m = new java.util.LinkedHashMap<>(Map.of("name", name, "direction", "increase",
                "baseline", Map.of("series", Map.of("series", baseline)), "canary", Map.of("series", Map.of("series", canary))));
        m.putAll(extra);
        return m;
    }

    @Test
    void scoresAndJudgesAndKeepsTheEvidence() {
        MetricProviders p = providers(Map.of("stable", noise(1, 0.01, 30), "good", noise(2, 0.01, 30), "bad", noise(3, 0.05, 30)));
        Measurement half = p.measure(new ProviderSpec(CompareProvider.TYPE, Map.of("thresholds", Map.of("pass", 90, "marginal", 40),
                "metrics", List.of(metric("errors", "stable", "bad", Map.of()), metric("latency", "stable", "good", Map.of())))), MeasureArgs.NONE);
        assertThat(half.value()).contains(50.0);
        assertThat(half.providerPhase()).contains(Phase.INCONCLUSIVE);
        assertThat(half.sampleCount()).hasValue(30);
        assertThat(half.query()).contains("errors baseline: series stable").contains("errors canary: series bad");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> verdicts = (List<Map<String, Object>>) half.evidence().get("metrics");
        assertThat(verdicts.get(0)).containsEntry("classification", "High").containsKey("pValue").containsKey("shiftInterval");
    }

    @Test
    void noDataOnEverySideIsNoDataAndAnInnerErrorIsAnError() {
        MetricProviders p = providers(Map.of("stable", noise(1, 1, 30), "empty", List.of()));
        Measurement none = p.measure(new ProviderSpec(CompareProvider.TYPE, Map.of("metrics",
                List.of(metric("errors", "stable", "empty", Map.of())))), MeasureArgs.NONE);
        assertThat(none.error()).get().extracting(MeasurementError::kind).isEqualTo(Kind.NO_DATA);
        assertThat(none.evidence()).containsKey("metrics");
        Measurement broken = p.measure(new ProviderSpec(CompareProvider.TYPE, Map.of("metrics",
                List.of(metric("errors", "stable", "missing", Map.of())))), MeasureArgs.NONE);
        assertThat(broken.error()).get().extracting(MeasurementError::kind).isEqualTo(Kind.HTTP_STATUS);
        assertThat(broken.error().get().message()).isEqualTo("errors canary: HTTP 503");
    }

    @Test
    void configurationProblemsArePointedAt() {
        MetricProviders p = providers(Map.of());
        MetricProvider compare = p.forType(CompareProvider.TYPE).orElseThrow();
        assertThat(compare.check(new ProviderSpec(CompareProvider.TYPE, Map.of()), MeasureArgs.NONE))
                .extracting(ConfigProblem::pointer).containsExactly("/metrics");
        Map<String, Object> bad = Map.of("window", "soon", "metrics", List.of(
                Map.of("name", "a", "direction", "up", "baseline", Map.of("series", Map.of("series", "x")), "canary", Map.of("series", Map.of("series", "y"))),
                Map.of("name", "b", "baseline", Map.of("series", Map.of("series", "x"))),
                Map.of("name", "c", "baseline", Map.of("series", Map.of()), "canary", Map.of("nope", Map.of()))));
        List<ConfigProblem> problems = compare.check(new ProviderSpec(CompareProvider.TYPE, bad), MeasureArgs.NONE);
        assertThat(problems).extracting(ConfigProblem::pointer).contains("/window", "/metrics/0", "/metrics/1/canary");
        assertThat(problems).extracting(ConfigProblem::message).anyMatch(m -> m.contains("direction must be increase, decrease or either"));
        Map<String, Object> inner = Map.of("metrics", List.of(
                Map.of("name", "c", "baseline", Map.of("series", Map.of()), "canary", Map.of("nope", Map.of()))));
        assertThat(compare.check(new ProviderSpec(CompareProvider.TYPE, inner), MeasureArgs.NONE))
                .extracting(ConfigProblem::pointer).containsExactly("/metrics/0/baseline/series/series", "/metrics/0/canary");
    }

    @Test
    void prometheusSidesGetARangeOverTheWindow() {
        ProviderSpec withRange = CompareProvider.withRange(new ProviderSpec("prometheus", Map.of("address", "http://p", "query", "up")),
                new CompareProvider.Spec(Duration.ofMinutes(15), Duration.ofSeconds(20), dev.stepwise.analysis.judge.ScoreThresholds.DEFAULT,
                        Map.of(), List.of()));
        assertThat(withRange.config().get("rangeQuery")).isEqualTo(Map.of("start", "-15m", "end", "now()", "step", "20s"));
    }
}
