package dev.stepwise.analysis.judge;

import java.util.Arrays;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.stat.inference.MannWhitneyUTest;
import org.apache.commons.math3.stat.ranking.NaNStrategy;
import org.apache.commons.math3.stat.ranking.TiesStrategy;

/**
 * The Mann-Whitney U test (Wilcoxon rank-sum) of a canary sample against a baseline sample.
 *
 * <p>The U statistic comes from commons-math3 ({@code MannWhitneyUTest.mannWhitneyU}, which gives max(U1, U2)); a
 * linear count over the sorted samples tells which of the two is the canary's. The p-values are computed here, from the normal approximation with the
 * tie correction of the variance and a continuity correction of 1/2 (what R's {@code wilcox.test(exact = FALSE)} and
 * SciPy's asymptotic method do): commons-math3 3.6.1's own p-value leaves out the tie correction, and tied values are
 * the normal case for the metrics a canary is judged on — an error count that is 0 in most steps of both versions.
 * Without the correction such a metric's variance is overstated and a canary erroring in a fifth of its steps looks
 * the same as a baseline that never errs (the situation of Kayenta issue #799).
 */
public final class MannWhitney {

    private static final NormalDistribution STANDARD_NORMAL = new NormalDistribution(null, 0, 1);

    private MannWhitney() {
    }

    /**
     * @param uCanary  U of the canary sample: the number of (canary, baseline) pairs where the canary is larger,
     *                 ties counting one half
     * @param z        the standardised U (tie-corrected variance, no continuity correction); 0 when all values are equal
     * @param pGreater one-sided p-value for "the canary is stochastically larger"
     * @param pLess    one-sided p-value for "the canary is stochastically smaller"
     * @param pTwoSided two-sided p-value
     */
    public record Result(int canarySize, int baselineSize, double uCanary, double uMax, double z, double pGreater,
                         double pLess, double pTwoSided) {
    }

    public static Result test(double[] canary, double[] baseline) {
        int n1 = canary.length;
        int n2 = baseline.length;
        if (n1 == 0 || n2 == 0) {
            throw new IllegalArgumentException("both samples need at least one value");
        }
        double[] x = canary.clone();
        double[] y = baseline.clone();
        Arrays.sort(x);
        Arrays.sort(y);
        double product = (double) n1 * n2;
        double counted = canaryU(x, y);
        // commons-math3's statistic is max(U1, U2): the canary's U is the larger one when it is above half the pairs
        double uMax = new MannWhitneyUTest(NaNStrategy.FAILED, TiesStrategy.AVERAGE).mannWhitneyU(canary, baseline);
        double u = counted >= product / 2 ? uMax : product - uMax;
        double[] all = new double[n1 + n2];
        System.arraycopy(x, 0, all, 0, n1);
        System.arraycopy(y, 0, all, n1, n2);
        double mean = product / 2.0;
        double variance = product / 12.0 * ((n1 + n2 + 1.0) - tieTerm(all) / ((double) (n1 + n2) * (n1 + n2 - 1.0)));
        if (variance <= 0 || n1 + n2 < 2) {
            return new Result(n1, n2, u, uMax, 0, 1, 1, 1); // every value equal: no evidence of any shift
        }
        double sd = Math.sqrt(variance);
        double z = (u - mean) / sd;
        double pGreater = 1 - STANDARD_NORMAL.cumulativeProbability((u - mean - 0.5) / sd);
        double pLess = STANDARD_NORMAL.cumulativeProbability((u - mean + 0.5) / sd);
        double pTwo = Math.min(1, 2 * Math.min(pGreater, pLess));
        return new Result(n1, n2, u, uMax, z, Math.min(1, pGreater), Math.min(1, pLess), pTwo);
    }

    /** Pairs where the canary is larger, ties counting one half; both arrays sorted ascending. */
    static double canaryU(double[] x, double[] y) {
        double u = 0;
        int below = 0; // baseline values < x[i]
        int upTo = 0;  // baseline values <= x[i]
        for (double v : x) {
            while (below < y.length && y[below] < v) {
                below++;
            }
            upTo = Math.max(upTo, below);
            while (upTo < y.length && y[upTo] == v) {
                upTo++;
            }
            u += below + (upTo - below) / 2.0;
        }
        return u;
    }

    /** Σ (t³ − t) over groups of tied values. */
    static double tieTerm(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double sum = 0;
        int i = 0;
        while (i < sorted.length) {
            int j = i + 1;
            while (j < sorted.length && sorted[j] == sorted[i]) {
                j++;
            }
            double t = j - i;
            sum += t * t * t - t;
            i = j;
        }
        return sum;
    }
}
