package dev.stepwise.analysis.judge;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Judges a canary against a baseline measured over the same window, metric by metric, then scores the whole, in the
 * manner of Kayenta's NetflixACAJudge (learned from, not copied):
 *
 * <ol>
 *   <li>Clean each series: drop infinities, drop or zero NaNs ({@link NanStrategy}), optionally drop outliers
 *       ({@link OutlierStrategy}). Fewer than {@code minSamples} points left on either side: {@code NoData}.</li>
 *   <li>Test with Mann-Whitney U ({@link MannWhitney}): is the canary stochastically larger (or smaller) than the
 *       baseline? One-sided at level α = 1 − confidence for {@code increase}/{@code decrease}; α/2 per side for
 *       {@code either}.</li>
 *   <li>A significant change in the bad direction is {@code High} or {@code Low} only if its effect size (ratio of
 *       means) is beyond {@code allowedIncrease}/{@code allowedDecrease}; a {@code critical} metric beyond its
 *       critical effect size fails the comparison outright.</li>
 *   <li>Score: per group, the share of judged metrics that passed; groups weighted (equally unless given); metrics
 *       without data left out. No judged metric at all: Inconclusive, never a pass. A critical metric without data
 *       makes the comparison Inconclusive at best.</li>
 * </ol>
 *
 * The Hodges-Lehmann shift and its interval are reported with every verdict so a person can see how large the change
 * is, not only that it is significant.
 */
public final class ComparisonJudge {

    private ComparisonJudge() {
    }

    public static MetricVerdict classify(ComparisonMetric metric, double[] canaryRaw, double[] baselineRaw) {
        double[] canary = clean(canaryRaw, metric);
        double[] baseline = clean(baselineRaw, metric);
        int canaryDropped = canaryRaw.length - canary.length;
        int baselineDropped = baselineRaw.length - baseline.length;
        double canaryMean = mean(canary);
        double baselineMean = mean(baseline);
        if (canary.length < metric.minSamples() || baseline.length < metric.minSamples()) {
            String reason = String.format(Locale.ROOT, "too little data: canary %d, baseline %d points after cleaning; minSamples is %d",
                    canary.length, baseline.length, metric.minSamples());
            return new MetricVerdict(metric.name(), metric.group(), Classification.NO_DATA, false, reason, canary.length,
                    baseline.length, canaryDropped, baselineDropped, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN, metric.confidenceLevel(), Double.NaN, canaryMean, baselineMean);
        }
        MannWhitney.Result mw = MannWhitney.test(canary, baseline);
        HodgesLehmann.Shift shift = HodgesLehmann.estimate(canary, baseline, metric.confidenceLevel());
        double effect = effectSize(canaryMean, baselineMean);
        double alpha = 1 - metric.confidenceLevel();
        boolean either = metric.direction() == Direction.EITHER;
        double level = either ? alpha / 2 : alpha;
        boolean upBad = metric.direction() != Direction.DECREASE;
        boolean downBad = metric.direction() != Direction.INCREASE;
        boolean high = upBad && mw.pGreater() < level && effect > metric.allowedIncrease();
        boolean low = downBad && mw.pLess() < level && effect < metric.allowedDecrease();
        Classification c = high ? Classification.HIGH : low ? Classification.LOW : Classification.PASS;
        double p = high || (upBad && !downBad) ? mw.pGreater() : low || (downBad && !upBad) ? mw.pLess() : mw.pTwoSided();
        boolean critical = metric.critical() && (high && metric.criticalIncrease().orElse(metric.allowedIncrease()) <= effect
                || low && effect <= metric.criticalDecrease().orElse(metric.allowedDecrease()));
        String reason = reason(c, metric, p, level, effect, mw, shift, critical);
        return new MetricVerdict(metric.name(), metric.group(), c, critical, reason, canary.length, baseline.length,
                canaryDropped, baselineDropped, mw.uCanary(), p, shift.estimate(), shift.lower(), shift.upper(),
                shift.achievedConfidence(), effect, canaryMean, baselineMean);
    }

    private static String reason(Classification c, ComparisonMetric metric, double p, double level, double effect,
                                 MannWhitney.Result mw, HodgesLehmann.Shift shift, boolean critical) {
        String stats = String.format(Locale.ROOT, "U=%.1f, p=%.4g, shift %s [%s, %s], effect size %s",
                mw.uCanary(), p, fmt(shift.estimate()), fmt(shift.lower()), fmt(shift.upper()), fmt(effect));
        return switch (c) {
            case HIGH -> (critical ? "critical: " : "") + "the canary is significantly higher (" + stats + ")";
            case LOW -> (critical ? "critical: " : "") + "the canary is significantly lower (" + stats + ")";
            default -> {
                if (p < level) {
                    yield "a significant change within the allowed effect size (" + stats + ")";
                }
                yield "no significant " + switch (metric.direction()) {
                    case INCREASE -> "increase";
                    case DECREASE -> "decrease";
                    case EITHER -> "change";
                } + " (" + stats + ")";
            }
        };
    }

    /** Canary mean over baseline mean; 1 when both are 0, ±infinity when only the baseline's is 0 (Kayenta #510). */
    static double effectSize(double canaryMean, double baselineMean) {
        if (baselineMean == 0) {
            return canaryMean == 0 ? 1.0 : canaryMean > 0 ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        }
        return canaryMean / baselineMean;
    }

    /** Scores verdicts: groups weighted by {@code groupWeights} (missing groups weigh 1), then the thresholds. */
    public static JudgeResult score(List<MetricVerdict> verdicts, Map<String, Double> groupWeights, ScoreThresholds thresholds) {
        return score(verdicts, java.util.Set.of(), groupWeights, thresholds);
    }

    /** As {@link #score(List, Map, ScoreThresholds)}; {@code criticalMetrics} names the metrics marked critical. */
    public static JudgeResult score(List<MetricVerdict> verdicts, java.util.Set<String> criticalMetrics,
                                    Map<String, Double> groupWeights, ScoreThresholds thresholds) {
        Map<String, int[]> byGroup = new LinkedHashMap<>(); // group -> {passed, judged}
        List<String> criticalFailures = new ArrayList<>();
        List<String> criticalNoData = new ArrayList<>();
        for (MetricVerdict v : verdicts) {
            int[] counts = byGroup.computeIfAbsent(v.group(), g -> new int[2]);
            if (v.isJudged()) {
                counts[1]++;
                if (v.classification() == Classification.PASS) {
                    counts[0]++;
                }
            }
            if (v.criticalFailure()) {
                criticalFailures.add(v.name());
            }
        }
        Map<String, Double> groupScores = new LinkedHashMap<>();
        double weighted = 0;
        double weights = 0;
        for (Map.Entry<String, int[]> e : byGroup.entrySet()) {
            int[] c = e.getValue();
            if (c[1] == 0) {
                continue;
            }
            double s = 100.0 * c[0] / c[1];
            double w = groupWeights.getOrDefault(e.getKey(), 1.0);
            groupScores.put(e.getKey(), s);
            weighted += w * s;
            weights += w;
        }
        if (!criticalFailures.isEmpty()) {
            return new JudgeResult(OptionalDouble.of(0), Verdict.FAILED, "critical metric " + String.join(", ", criticalFailures)
                    + " changed beyond its critical effect size", verdicts, groupScores);
        }
        if (weights == 0) {
            return new JudgeResult(OptionalDouble.empty(), Verdict.INCONCLUSIVE,
                    "no metric had enough data to judge; no data is never a pass", verdicts, groupScores);
        }
        double score = weighted / weights;
        Verdict verdict = score >= thresholds.pass() ? Verdict.SUCCESSFUL : score >= thresholds.marginal() ? Verdict.INCONCLUSIVE : Verdict.FAILED;
        long noData = verdicts.stream().filter(v -> !v.isJudged()).count();
        String reason = String.format(Locale.ROOT, "score %s (pass %s, marginal %s)", fmt(score), fmt(thresholds.pass()), fmt(thresholds.marginal()))
                + (noData > 0 ? "; " + noData + " metric(s) had too little data and were left out" : "");
        for (MetricVerdict v : verdicts) {
            // a critical metric is one the comparison must be able to vouch for
            if (!v.isJudged() && criticalMetrics.contains(v.name())) {
                criticalNoData.add(v.name());
            }
        }
        if (!criticalNoData.isEmpty() && verdict == Verdict.SUCCESSFUL) {
            return new JudgeResult(OptionalDouble.of(score), Verdict.INCONCLUSIVE, reason + "; critical metric "
                    + String.join(", ", criticalNoData) + " had too little data", verdicts, groupScores);
        }
        return new JudgeResult(OptionalDouble.of(score), verdict, reason, verdicts, groupScores);
    }

    /** Classifies every metric and scores them. */
    public static JudgeResult judge(List<ComparisonMetric> metrics, List<double[]> canary, List<double[]> baseline,
                                    Map<String, Double> groupWeights, ScoreThresholds thresholds) {
        List<MetricVerdict> verdicts = new ArrayList<>();
        java.util.Set<String> critical = new java.util.HashSet<>();
        for (int i = 0; i < metrics.size(); i++) {
            verdicts.add(classify(metrics.get(i), canary.get(i), baseline.get(i)));
            if (metrics.get(i).critical()) {
                critical.add(metrics.get(i).name());
            }
        }
        return score(verdicts, critical, groupWeights, thresholds);
    }

    static double[] clean(double[] raw, ComparisonMetric metric) {
        double[] out = new double[raw.length];
        int n = 0;
        for (double v : raw) {
            if (Double.isNaN(v)) {
                if (metric.nanStrategy() == NanStrategy.REPLACE) {
                    out[n++] = 0;
                }
            } else if (!Double.isInfinite(v)) {
                out[n++] = v;
            }
        }
        double[] kept = Arrays.copyOf(out, n);
        return metric.outliers() == OutlierStrategy.IQR ? withoutOutliers(kept) : kept;
    }

    static double[] withoutOutliers(double[] values) {
        if (values.length < 4) {
            return values;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double q1 = quantile(sorted, 0.25);
        double q3 = quantile(sorted, 0.75);
        double iqr = q3 - q1;
        double lo = q1 - 1.5 * iqr;
        double hi = q3 + 1.5 * iqr;
        return Arrays.stream(values).filter(v -> v >= lo && v <= hi).toArray();
    }

    /** Linear interpolation between closest ranks (R's type 7). */
    static double quantile(double[] sorted, double q) {
        double h = (sorted.length - 1) * q;
        int i = (int) Math.floor(h);
        return i + 1 < sorted.length ? sorted[i] + (h - i) * (sorted[i + 1] - sorted[i]) : sorted[i];
    }

    private static double mean(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double s = 0;
        for (double d : v) {
            s += d;
        }
        return s / v.length;
    }

    static String fmt(double d) {
        if (Double.isInfinite(d)) {
            return d > 0 ? "+Inf" : "-Inf";
        }
        if (Double.isNaN(d)) {
            return "n/a";
        }
        String s = String.format(Locale.ROOT, "%.4g", d);
        if (s.contains(".") && !s.contains("e")) {
            s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return s;
    }
}
