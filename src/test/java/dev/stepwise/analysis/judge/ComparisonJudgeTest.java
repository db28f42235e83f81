package dev.stepwise.analysis.judge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ComparisonJudgeTest {

    private static final ComparisonMetric ERRORS = ComparisonMetric.of("errors", Direction.INCREASE);

    /**
     * Kayenta issue #426 ("Mann-Whitney with sparse data"): canary [0, 1, 2, 1, 0, 0] against a baseline of six zeros
     * was classified Pass by Kayenta. Six points are too few for any verdict: with the default minSamples (10) the
     * metric has no data and the comparison is Inconclusive, never a pass.
     */
    @Test
    void kayenta426SparseDataIsInconclusiveNotAPass() {
        double[] canary = {0, 1, 2, 1, 0, 0};
        double[] baseline = {0, 0, 0, 0, 0, 0};
        MetricVerdict v = ComparisonJudge.classify(ERRORS, canary, baseline);
        assertThat(v.classification()).isEqualTo(Classification.NO_DATA);
        assertThat(v.reason()).contains("canary 6, baseline 6").contains("minSamples is 10");
        JudgeResult r = ComparisonJudge.judge(List.of(ERRORS), List.of(canary), List.of(baseline), Map.of(), ScoreThresholds.DEFAULT);
        assertThat(r.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(r.score()).isEmpty();
    }

    /**
     * The same data when the user accepts 5 samples: with the tie correction, U = 27 of 36, variance
     * 36/12 × (13 − 726/132) = 22.5, z = (27 − 18 − 0.5)/√22.5 = 1.79, one-sided p = 0.037 &lt; 0.05; the baseline's
     * mean is 0, so the effect size is infinite: High.
     */
    @Test
    void kayenta426WithFewerRequiredSamplesIsHigh() {
        MetricVerdict v = ComparisonJudge.classify(ERRORS.withMinSamples(5), new double[] {0, 1, 2, 1, 0, 0}, new double[6]);
        assertThat(v.classification()).isEqualTo(Classification.HIGH);
        assertThat(v.u()).isEqualTo(27.0);
        assertThat(v.pValue()).isBetween(0.036, 0.038);
        assertThat(v.effectSize()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(v.shift()).isEqualTo(0.5);
    }

    /**
     * Kayenta issue #799: the canary reports errors in 5 of 25 steps (NaN elsewhere), the baseline reports none (all
     * NaN). Removing NaNs leaves the baseline empty: no data, Inconclusive. Replacing them with 0 (no series means no
     * errors) gives 25 zeros against 20 zeros and 1, 2, 1, 2, 1: U = 375 of 625, and with ties accounted for,
     * z = (375 − 312.5 − 0.5)/26.8 = 2.31, one-sided p ≈ 0.010 — High. Without the tie correction (commons-math3's
     * p-value) z would be 1.21 and the canary would pass.
     */
    @Test
    void kayenta799CanaryErrorsAgainstAnEmptyBaseline() {
        double nan = Double.NaN;
        double[] canary = new double[25];
        Arrays.fill(canary, nan);
        canary[0] = 1;
        canary[5] = 2;
        canary[10] = 1;
        canary[15] = 2;
        canary[20] = 1;
        double[] baseline = new double[25];
        Arrays.fill(baseline, nan);

        MetricVerdict removed = ComparisonJudge.classify(ERRORS.withMinSamples(5), canary, baseline);
        assertThat(removed.classification()).isEqualTo(Classification.NO_DATA);
        assertThat(removed.baselineDropped()).isEqualTo(25);

        MetricVerdict replaced = ComparisonJudge.classify(ERRORS.withNanStrategy(NanStrategy.REPLACE), canary, baseline);
        assertThat(replaced.classification()).isEqualTo(Classification.HIGH);
        assertThat(replaced.u()).isEqualTo(375.0);
        assertThat(replaced.pValue()).isBetween(0.009, 0.012);
        assertThat(replaced.shift()).isZero(); // the typical step has no errors in either: the shift alone would miss it
    }

    /**
     * spinnaker/spinnaker#6278 (reported under "How to Overcome MannWhitney Judge Shortcomings", as Kayenta #780):
     * canary [100 ×7, 1 ×3] against ten 1s passed in Kayenta with allowedIncrease 1.05. Here U = 85 of 100,
     * tie-corrected z = 3.15, p ≈ 0.0008, effect size 70.3: High.
     */
    @Test
    void spinnaker6278ClearIncreaseIsHigh() {
        double[] canary = {100, 100, 100, 100, 100, 100, 100, 1, 1, 1};
        double[] baseline = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
        MetricVerdict v = ComparisonJudge.classify(ERRORS.withAllowed(1.05, 1.0), canary, baseline);
        assertThat(v.classification()).isEqualTo(Classification.HIGH);
        assertThat(v.u()).isEqualTo(85.0);
        assertThat(v.pValue()).isLessThan(0.001);
        assertThat(v.effectSize()).isCloseTo(70.3, org.assertj.core.api.Assertions.within(1e-9));
    }

    /**
     * Kayenta #780, case 1: a canary steady around 10–17.7 against a bimodal baseline (1–9 and 100–106). Kayenta
     * passes it; so does this judge. Mann-Whitney compares typical values, not spread: the canary is not
     * stochastically larger than the baseline. The reason says so, with the statistics.
     */
    @Test
    void kayenta780ChangeInSpreadIsNotALocationShift() {
        double[] canary = {10.0, 10.1, 10.2, 10.3, 10.4, 10.5, 10.6, 17.0, 17.1, 17.2, 17.3, 17.4, 17.5, 17.6, 17.7};
        double[] baseline = {1.0, 100.0, 4.0, 101.0, 5.0, 102.0, 6.0, 103.0, 7.0, 104.0, 8.0, 105.0, 9.0, 106.0, 17.0};
        MetricVerdict v = ComparisonJudge.classify(ComparisonMetric.of("latency", Direction.EITHER), canary, baseline);
        assertThat(v.classification()).isEqualTo(Classification.PASS);
        assertThat(v.reason()).startsWith("no significant change").contains("U=");
        assertThat(v.pValue()).isGreaterThan(0.5);
    }

    @Test
    void identicalDataPasses() {
        double[] values = new Random(1).doubles(30).map(d -> d * 10).toArray();
        MetricVerdict v = ComparisonJudge.classify(ComparisonMetric.of("x", Direction.EITHER), values, values.clone());
        assertThat(v.classification()).isEqualTo(Classification.PASS);
        assertThat(v.shift()).isZero();
        assertThat(v.u()).isEqualTo(450.0);
        assertThat(v.shiftLower()).isNegative();
        assertThat(v.shiftUpper()).isPositive();
        double[] constant = new double[20];
        Arrays.fill(constant, 3.0);
        MetricVerdict c = ComparisonJudge.classify(ComparisonMetric.of("c", Direction.EITHER), constant, constant.clone());
        assertThat(c.classification()).isEqualTo(Classification.PASS);
        assertThat(c.pValue()).isEqualTo(1.0);
        assertThat(c.effectSize()).isEqualTo(1.0);
    }

    @Test
    void aDecreaseOnlyFailsMetricsWhereDecreaseIsBad() {
        double[] baseline = new Random(5).doubles(40).map(d -> 100 + d).toArray();
        double[] canary = Arrays.stream(baseline).map(d -> d - 20).toArray();
        assertThat(ComparisonJudge.classify(ComparisonMetric.of("latency", Direction.INCREASE), canary, baseline).classification())
                .isEqualTo(Classification.PASS);
        assertThat(ComparisonJudge.classify(ComparisonMetric.of("throughput", Direction.DECREASE), canary, baseline).classification())
                .isEqualTo(Classification.LOW);
        // within the allowed decrease (80 % of the baseline is allowed down to 0.75): significant but tolerated
        MetricVerdict tolerated = ComparisonJudge.classify(ComparisonMetric.of("t", Direction.DECREASE).withAllowed(1.0, 0.75), canary, baseline);
        assertThat(tolerated.classification()).isEqualTo(Classification.PASS);
        assertThat(tolerated.reason()).startsWith("a significant change within the allowed effect size");
    }

    @Test
    void outliersCanBeDroppedPerSeries() {
        double[] baseline = new Random(9).doubles(30).map(d -> 10 + d).toArray();
        double[] canary = new Random(10).doubles(30).map(d -> 10 + d).toArray();
        canary[3] = 500;
        MetricVerdict kept = ComparisonJudge.classify(ComparisonMetric.of("x", Direction.INCREASE), canary, baseline);
        MetricVerdict dropped = ComparisonJudge.classify(ComparisonMetric.of("x", Direction.INCREASE).withOutliers(OutlierStrategy.IQR), canary, baseline);
        assertThat(kept.canarySamples()).isEqualTo(30);
        assertThat(dropped.canarySamples()).isEqualTo(29);
        assertThat(dropped.canaryDropped()).isEqualTo(1);
        assertThat(dropped.canaryMean()).isLessThan(kept.canaryMean());
    }

    @Test
    void scoreWeighsGroupsAndMapsToVerdicts() {
        MetricVerdict pass = verdict("a", "errors", Classification.PASS, false);
        MetricVerdict high = verdict("b", "latency", Classification.HIGH, false);
        MetricVerdict pass2 = verdict("c", "latency", Classification.PASS, false);
        JudgeResult r = ComparisonJudge.score(List.of(pass, high, pass2), Map.of("errors", 60.0, "latency", 40.0),
                new ScoreThresholds(90, 70));
        // errors 100 % × 60 + latency 50 % × 40 = 80 of 100
        assertThat(r.score()).hasValue(80.0);
        assertThat(r.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(r.groupScores()).containsEntry("latency", 50.0);
        assertThat(ComparisonJudge.score(List.of(pass, pass2), Map.of(), ScoreThresholds.DEFAULT).verdict()).isEqualTo(Verdict.SUCCESSFUL);
        assertThat(ComparisonJudge.score(List.of(high, verdict("d", "x", Classification.LOW, false)), Map.of(), ScoreThresholds.DEFAULT).verdict())
                .isEqualTo(Verdict.FAILED);
    }

    @Test
    void aCriticalFailureFailsWhateverTheScore() {
        double[] baseline = new Random(2).doubles(30).map(d -> 0.01 + d / 1000).toArray();
        double[] canary = Arrays.stream(baseline).map(d -> d * 4).toArray();
        ComparisonMetric critical = ComparisonMetric.of("errors", Direction.INCREASE).withCritical(OptionalDouble.of(2.0), OptionalDouble.empty());
        List<ComparisonMetric> metrics = List.of(critical, ComparisonMetric.of("a", Direction.EITHER), ComparisonMetric.of("b", Direction.EITHER));
        JudgeResult r = ComparisonJudge.judge(metrics, List.of(canary, baseline, baseline), List.of(baseline, baseline, baseline),
                Map.of(), new ScoreThresholds(60, 50));
        assertThat(r.verdict()).isEqualTo(Verdict.FAILED);
        assertThat(r.score()).hasValue(0.0);
        assertThat(r.reason()).contains("critical metric errors");
        assertThat(r.metrics().get(0).criticalFailure()).isTrue();
    }

    @Test
    void aCriticalMetricWithoutDataCannotPass() {
        double[] baseline = new Random(4).doubles(30).toArray();
        ComparisonMetric critical = ComparisonMetric.of("errors", Direction.INCREASE).withCritical(OptionalDouble.empty(), OptionalDouble.empty());
        JudgeResult r = ComparisonJudge.judge(List.of(critical, ComparisonMetric.of("a", Direction.EITHER)),
                List.of(new double[0], baseline), List.of(baseline, baseline), Map.of(), ScoreThresholds.DEFAULT);
        assertThat(r.score()).hasValue(100.0);
        assertThat(r.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(r.reason()).contains("critical metric errors had too little data");
    }

    private static MetricVerdict verdict(String name, String group, Classification c, boolean critical) {
        return new MetricVerdict(name, group, c, critical, "", 20, 20, 0, 0, 1, 0.5, 0, -1, 1, 0.95, 1, 1, 1);
    }
}
