package dev.stepwise.analysis.providers;

import dev.stepwise.analysis.ConfigProblem;
import dev.stepwise.analysis.MeasureArgs;
import dev.stepwise.analysis.Measurement;
import dev.stepwise.analysis.MeasurementError;
import dev.stepwise.analysis.MeasurementError.Kind;
import dev.stepwise.analysis.MeasurementTimer;
import dev.stepwise.analysis.MetricProvider;
import dev.stepwise.analysis.MetricProviders;
import dev.stepwise.analysis.Phase;
import dev.stepwise.analysis.ProviderConfig;
import dev.stepwise.analysis.judge.ComparisonJudge;
import dev.stepwise.analysis.judge.ComparisonMetric;
import dev.stepwise.analysis.judge.Direction;
import dev.stepwise.analysis.judge.JudgeResult;
import dev.stepwise.analysis.judge.MetricVerdict;
import dev.stepwise.analysis.judge.NanStrategy;
import dev.stepwise.analysis.judge.OutlierStrategy;
import dev.stepwise.analysis.judge.ScoreThresholds;
import dev.stepwise.spec.model.ArgoDuration;
import dev.stepwise.spec.model.ProviderSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * {@code stepwise-compare}: Stepwise's canary-versus-baseline analysis. Each metric names a baseline and a canary
 * query (any provider whose result is a series; a Prometheus block without {@code rangeQuery} is given one over
 * {@code window} at {@code step}); both are fetched, and the {@link ComparisonJudge} classifies and scores them. The
 * measurement's value is the score (0–100) and its provider phase the judge's verdict, so a metric needs no condition
 * (one may still be written, e.g. {@code result >= 90}). Every metric's statistics are in the evidence.
 */
public final class CompareProvider implements MetricProvider {

    public static final String TYPE = "stepwise-compare";
    static final Duration DEFAULT_WINDOW = Duration.ofMinutes(10);
    static final Duration DEFAULT_STEP = Duration.ofSeconds(30);

    private final MetricProviders providers;
    private final Clock clock;

    public CompareProvider(MetricProviders providers, Clock clock) {
        this.providers = providers;
        this.clock = clock;
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** One metric of the comparison as configured. */
    record Entry(ComparisonMetric metric, ProviderSpec baseline, ProviderSpec canary) {
    }

    /** The whole block as configured. */
    record Spec(Duration window, Duration step, ScoreThresholds thresholds, Map<String, Double> weights, List<Entry> entries) {
    }

    @Override
    public List<ConfigProblem> check(ProviderSpec spec, MeasureArgs args) {
        List<ConfigProblem> problems = new ArrayList<>();
        Optional<Spec> parsed = parse(spec, problems);
        parsed.ifPresent(s -> {
            for (int i = 0; i < s.entries().size(); i++) {
                Entry e = s.entries().get(i);
                for (String side : List.of("baseline", "canary")) {
                    ProviderSpec inner = side.equals("baseline") ? e.baseline() : e.canary();
                    if (inner.type().equals(TYPE)) {
                        problems.add(new ConfigProblem("/metrics/" + i + "/" + side, "analysis.compare.nested", "a comparison cannot nest another"));
                        continue;
                    }
                    Optional<MetricProvider> p = providers.forType(inner.type());
                    if (p.isEmpty()) {
                        problems.add(new ConfigProblem("/metrics/" + i + "/" + side, "analysis.provider.unknown",
                                "Stepwise has no '" + inner.type() + "' provider"));
                        continue;
                    }
                    String at = "/metrics/" + i + "/" + side + "/" + inner.type();
                    for (ConfigProblem inside : p.get().check(withRange(inner, s), args)) {
                        problems.add(new ConfigProblem(at + inside.pointer(), inside.code(), side + ": " + inside.message()));
                    }
                }
            }
        });
        return problems;
    }

    @Override
    public Measurement measure(ProviderSpec spec, MeasureArgs args) {
        MeasurementTimer timer = MeasurementTimer.start(clock, args.redactor());
        try {
            List<ConfigProblem> problems = check(spec, args);
            if (!problems.isEmpty()) {
                return timer.error(Kind.MISCONFIGURED, problems.get(0).message() + " (at " + problems.get(0).pointer() + ")");
            }
            Spec s = parse(spec, new ArrayList<>()).orElseThrow();
            List<ComparisonMetric> metrics = new ArrayList<>();
            List<double[]> canary = new ArrayList<>();
            List<double[]> baseline = new ArrayList<>();
            List<String> queries = new ArrayList<>();
            for (Entry e : s.entries()) {
                Series b = fetch(e.metric().name(), "baseline", withRange(e.baseline(), s), args);
                if (b.error != null) {
                    return timer.query(String.join("\n", queries)).error(b.error);
                }
                Series c = fetch(e.metric().name(), "canary", withRange(e.canary(), s), args);
                if (c.error != null) {
                    return timer.query(String.join("\n", queries)).error(c.error);
                }
                queries.add(e.metric().name() + " baseline: " + b.query);
                queries.add(e.metric().name() + " canary: " + c.query);
                metrics.add(e.metric());
                baseline.add(b.values);
                canary.add(c.values);
            }
            timer.query(String.join("\n", queries));
            JudgeResult result = ComparisonJudge.judge(metrics, canary, baseline, s.weights(), s.thresholds());
            Map<String, Object> evidence = new LinkedHashMap<>();
            evidence.put("verdict", result.reason());
            evidence.put("groupScores", result.groupScores());
            evidence.put("metrics", result.metrics().stream().map(MetricVerdict::toMap).toList());
            long samples = result.metrics().stream().mapToLong(v -> Math.min(v.canarySamples(), v.baselineSamples())).min().orElse(0);
            if (result.score().isEmpty()) {
                return timer.error(Kind.NO_DATA, result.reason()).withEvidence(evidence);
            }
            Phase phase = switch (result.verdict()) {
                case SUCCESSFUL -> Phase.SUCCESSFUL;
                case INCONCLUSIVE -> Phase.INCONCLUSIVE;
                case FAILED -> Phase.FAILED;
            };
            return timer.value(result.score().getAsDouble(), OptionalLong.of(samples)).withProviderPhase(phase).withEvidence(evidence);
        } catch (RuntimeException e) {
            return timer.error(Kind.GARBAGE, "the comparison could not be computed (" + e.getClass().getSimpleName() + ")");
        }
    }

    private record Series(double[] values, String query, MeasurementError error) {
    }

    private Series fetch(String metric, String side, ProviderSpec inner, MeasureArgs args) {
        Measurement m = providers.measure(inner, args);
        if (m.isError()) {
            MeasurementError e = m.error().orElseThrow();
            if (e.kind() == Kind.NO_DATA) {
                return new Series(new double[0], m.query(), null); // the judge says NoData for this metric
            }
            return new Series(null, m.query(), new MeasurementError(e.kind(), metric + " " + side + ": " + e.message(), e.retryAfter()));
        }
        Object v = m.value().orElseThrow();
        if (v instanceof List<?> outer && outer.size() == 1 && outer.get(0) instanceof List<?> single) {
            v = single;
        }
        if (v instanceof Double d) {
            return new Series(new double[] {d}, m.query(), null);
        }
        if (v instanceof List<?> list && list.stream().allMatch(x -> x instanceof Double)) {
            return new Series(list.stream().mapToDouble(x -> (Double) x).toArray(), m.query(), null);
        }
        String shape = v instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof List<?> ? l.size() + " series" : "a " + v.getClass().getSimpleName();
        return new Series(null, m.query(), MeasurementError.of(Kind.GARBAGE, metric + " " + side + ": the query returned "
                + shape + "; a comparison needs exactly one series (aggregate it, e.g. with sum(...) or avg(...))"));
    }

    /** A Prometheus block without rangeQuery gets one covering the window, so both sides are series over the same time. */
    static ProviderSpec withRange(ProviderSpec inner, Spec s) {
        if (!inner.type().equals(PrometheusProvider.TYPE) || inner.config().containsKey("rangeQuery")) {
            return inner;
        }
        Map<String, Object> config = new LinkedHashMap<>(inner.config());
        config.put("rangeQuery", Map.of("start", "-" + ArgoDuration.format(s.window()), "end", "now()",
                "step", ArgoDuration.format(s.step())));
        return new ProviderSpec(inner.type(), config);
    }

    @SuppressWarnings("unchecked")
    static Optional<Spec> parse(ProviderSpec spec, List<ConfigProblem> problems) {
        ProviderConfig c = new ProviderConfig(spec.config());
        Duration window = duration(c, "window", DEFAULT_WINDOW, problems);
        Duration step = duration(c, "step", DEFAULT_STEP, problems);
        ScoreThresholds thresholds = ScoreThresholds.DEFAULT;
        Optional<ProviderConfig> t = c.map("thresholds");
        if (t.isPresent()) {
            double pass = t.get().number("pass", problems).orElse(ScoreThresholds.DEFAULT.pass());
            double marginal = t.get().number("marginal", problems).orElse(ScoreThresholds.DEFAULT.marginal());
            try {
                thresholds = new ScoreThresholds(pass, marginal);
            } catch (IllegalArgumentException e) {
                problems.add(new ConfigProblem(t.get().pointer("pass"), "analysis.compare.thresholds", e.getMessage()));
            }
        }
        Map<String, Double> weights = new LinkedHashMap<>();
        c.map("groupWeights").ifPresent(w -> w.raw().forEach((k, v) -> {
            if (v instanceof Number n && n.doubleValue() >= 0) {
                weights.put(k, n.doubleValue());
            } else {
                problems.add(new ConfigProblem(w.pointer(k), "analysis.compare.weight", "a group weight must be a number of 0 or more"));
            }
        }));
        Map<String, Object> defaults = c.raw().get("defaults") instanceof Map<?, ?> d ? (Map<String, Object>) d : Map.of();
        List<?> list = c.list("metrics");
        if (list.isEmpty()) {
            problems.add(new ConfigProblem("/metrics", "analysis.compare.no-metrics", "a comparison needs at least one metric "
                    + "with a baseline and a canary query"));
            return Optional.empty();
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String at = "/metrics/" + i;
            if (!(list.get(i) instanceof Map<?, ?> raw)) {
                problems.add(new ConfigProblem(at, "analysis.compare.metric", "each metric is a mapping"));
                continue;
            }
            ProviderConfig m = new ProviderConfig((Map<String, Object>) raw);
            int before = problems.size();
            String name = m.string("name").orElse("metric-" + (i + 1));
            Optional<ComparisonMetric> metric = metric(m, name, at, problems);
            Optional<ProviderSpec> baseline = side(m, "baseline", at, defaults, problems);
            Optional<ProviderSpec> canary = side(m, "canary", at, defaults, problems);
            if (problems.size() == before && metric.isPresent() && baseline.isPresent() && canary.isPresent()) {
                entries.add(new Entry(metric.get(), baseline.get(), canary.get()));
            }
        }
        return problems.isEmpty() ? Optional.of(new Spec(window, step, thresholds, weights, entries)) : Optional.empty();
    }

    private static Optional<ComparisonMetric> metric(ProviderConfig m, String name, String at, List<ConfigProblem> problems) {
        try {
            Direction direction = Direction.parse(m.string("direction").orElse("either"));
            double allowedIncrease = m.number("allowedIncrease", problems).orElse(1.0);
            double allowedDecrease = m.number("allowedDecrease", problems).orElse(1.0);
            OptionalDouble criticalIncrease = m.number("criticalIncrease", problems).map(OptionalDouble::of).orElse(OptionalDouble.empty());
            OptionalDouble criticalDecrease = m.number("criticalDecrease", problems).map(OptionalDouble::of).orElse(OptionalDouble.empty());
            int minSamples = m.number("minSamples", problems).map(Double::intValue).orElse(ComparisonMetric.DEFAULT_MIN_SAMPLES);
            double confidence = m.number("confidenceLevel", problems).orElse(ComparisonMetric.DEFAULT_CONFIDENCE);
            NanStrategy nan = NanStrategy.parse(m.string("nanStrategy").orElse("remove"));
            OutlierStrategy outliers = OutlierStrategy.parse(m.string("outliers").orElse("keep"));
            return Optional.of(new ComparisonMetric(name, m.string("group").orElse("default"), direction, allowedIncrease,
                    allowedDecrease, criticalIncrease, criticalDecrease, m.bool("critical"), minSamples, confidence, nan, outliers));
        } catch (IllegalArgumentException e) {
            problems.add(new ConfigProblem(at, "analysis.compare.metric", "metric '" + name + "': " + e.getMessage()));
            return Optional.empty();
        }
    }

    @SuppressWarnings("unchecked")
    private static Optional<ProviderSpec> side(ProviderConfig m, String side, String at, Map<String, Object> defaults,
                                               List<ConfigProblem> problems) {
        Optional<ProviderConfig> block = m.map(side);
        if (block.isEmpty() || block.get().raw().size() != 1) {
            problems.add(new ConfigProblem(at + "/" + side, "analysis.compare.side", side + " needs exactly one provider "
                    + "block, e.g. " + side + ": {prometheus: {address: …, query: …}}"));
            return Optional.empty();
        }
        Map.Entry<String, Object> e = block.get().raw().entrySet().iterator().next();
        if (!(e.getValue() instanceof Map<?, ?> inner)) {
            problems.add(new ConfigProblem(at + "/" + side + "/" + e.getKey(), "analysis.compare.side", "the provider block must be a mapping"));
            return Optional.empty();
        }
        Map<String, Object> config = new LinkedHashMap<>();
        if (defaults.get(e.getKey()) instanceof Map<?, ?> d) {
            config.putAll((Map<String, Object>) d);
        }
        config.putAll((Map<String, Object>) inner);
        return Optional.of(new ProviderSpec(e.getKey(), config));
    }

    private static Duration duration(ProviderConfig c, String key, Duration fallback, List<ConfigProblem> problems) {
        if (!c.has(key)) {
            return fallback;
        }
        Optional<Duration> d = ArgoDuration.tryParse(c.raw().get(key)).filter(x -> !x.isZero() && !x.isNegative());
        if (d.isEmpty()) {
            problems.add(new ConfigProblem(c.pointer(key), "analysis.compare.duration", key + " must be a duration such as 10m"));
        }
        return d.orElse(fallback);
    }
}
