package dev.stepwise.analysis.judge;

import java.util.OptionalDouble;

/**
 * How one metric is compared. Effect sizes are ratios of the canary's mean to the baseline's, as in Kayenta:
 * {@code allowedIncrease: 1.1} tolerates a statistically significant rise of up to 10 %; {@code criticalIncrease: 2.0}
 * on a {@code critical} metric fails the whole comparison when the canary's mean doubles, whatever the other metrics
 * say. A significant change is only judged bad when it goes in the metric's bad {@link Direction}.
 *
 * @param minSamples      the fewest points (after NaN and outlier removal) either series may have; below it the
 *                        metric is {@link Classification#NO_DATA} rather than a verdict resting on almost nothing
 * @param confidenceLevel for the test and the shift's interval, e.g. 0.95
 */
public record ComparisonMetric(String name, String group, Direction direction, double allowedIncrease,
                               double allowedDecrease, OptionalDouble criticalIncrease, OptionalDouble criticalDecrease,
                               boolean critical, int minSamples, double confidenceLevel, NanStrategy nanStrategy,
                               OutlierStrategy outliers) {

    public static final int DEFAULT_MIN_SAMPLES = 10;
    public static final double DEFAULT_CONFIDENCE = 0.95;

    public ComparisonMetric {
        if (!(confidenceLevel > 0.5 && confidenceLevel < 1)) {
            throw new IllegalArgumentException("confidenceLevel must be between 0.5 and 1, not " + confidenceLevel);
        }
        if (allowedIncrease < 1 || allowedDecrease > 1 || allowedDecrease < 0) {
            throw new IllegalArgumentException("allowedIncrease must be at least 1 and allowedDecrease between 0 and 1");
        }
        if (minSamples < 1) {
            throw new IllegalArgumentException("minSamples must be at least 1");
        }
    }

    /** A metric with Kayenta's defaults: no effect-size tolerance beyond significance, 95 % confidence. */
    public static ComparisonMetric of(String name, Direction direction) {
        return new ComparisonMetric(name, "default", direction, 1.0, 1.0, OptionalDouble.empty(), OptionalDouble.empty(),
                false, DEFAULT_MIN_SAMPLES, DEFAULT_CONFIDENCE, NanStrategy.REMOVE, OutlierStrategy.KEEP);
    }

    public ComparisonMetric withMinSamples(int n) {
        return new ComparisonMetric(name, group, direction, allowedIncrease, allowedDecrease, criticalIncrease,
                criticalDecrease, critical, n, confidenceLevel, nanStrategy, outliers);
    }

    public ComparisonMetric withNanStrategy(NanStrategy s) {
        return new ComparisonMetric(name, group, direction, allowedIncrease, allowedDecrease, criticalIncrease,
                criticalDecrease, critical, minSamples, confidenceLevel, s, outliers);
    }

    public ComparisonMetric withAllowed(double increase, double decrease) {
        return new ComparisonMetric(name, group, direction, increase, decrease, criticalIncrease,
                criticalDecrease, critical, minSamples, confidenceLevel, nanStrategy, outliers);
    }

    public ComparisonMetric withCritical(OptionalDouble increase, OptionalDouble decrease) {
        return new ComparisonMetric(name, group, direction, allowedIncrease, allowedDecrease, increase,
                decrease, true, minSamples, confidenceLevel, nanStrategy, outliers);
    }

    public ComparisonMetric inGroup(String g) {
        return new ComparisonMetric(name, g, direction, allowedIncrease, allowedDecrease, criticalIncrease,
                criticalDecrease, critical, minSamples, confidenceLevel, nanStrategy, outliers);
    }

    public ComparisonMetric withOutliers(OutlierStrategy s) {
        return new ComparisonMetric(name, group, direction, allowedIncrease, allowedDecrease, criticalIncrease,
                criticalDecrease, critical, minSamples, confidenceLevel, nanStrategy, s);
    }
}
