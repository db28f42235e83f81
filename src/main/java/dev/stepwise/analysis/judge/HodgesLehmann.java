package dev.stepwise.analysis.judge;

import java.util.Arrays;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * The Hodges-Lehmann estimate of the shift between two samples — the median of all pairwise differences
 * {@code canary[i] − baseline[j]} — and its distribution-free confidence interval: the differences ranked
 * {@code C} from either end, where {@code C} comes from the null distribution of U (Hollander &amp; Wolfe,
 * <i>Nonparametric Statistical Methods</i>, §4.3; Bauer 1972). The interval is exact for continuous data with no
 * ties; with ties it is conservative.
 *
 * <p>Two series of 10,000 points have 10<sup>8</sup> differences, too many to sort. They are never materialised:
 * with both samples sorted, the differences form a matrix sorted along rows and columns, so how many differences
 * are at most {@code t} is counted in one linear pass, and the k-th smallest is found by bisection over the ordered
 * bit patterns of doubles (at most 64 passes). Because floating-point subtraction is monotone, the result is exactly
 * the k-th smallest computed difference.
 */
public final class HodgesLehmann {

    /** Above this many pairs, or with a sample above {@value #EXACT_MAX_SIZE}, {@code C} uses the normal approximation. */
    static final int EXACT_MAX_SIZE = 30;
    private static final NormalDistribution STANDARD_NORMAL = new NormalDistribution(null, 0, 1);

    private HodgesLehmann() {
    }

    /**
     * @param lower              lower end of the interval ({@code -Infinity} when the samples are too small for the
     *                           confidence asked)
     * @param achievedConfidence the interval's actual coverage (exact intervals cannot hit 95 % exactly)
     */
    public record Shift(double estimate, double lower, double upper, double achievedConfidence) {
    }

    public static Shift estimate(double[] canary, double[] baseline, double confidence) {
        double[] x = canary.clone();
        double[] y = baseline.clone();
        Arrays.sort(x);
        Arrays.sort(y);
        int n = x.length;
        int m = y.length;
        long total = (long) n * m;
        double median = total % 2 == 1 ? kth(x, y, (total + 1) / 2)
                : (kth(x, y, total / 2) + kth(x, y, total / 2 + 1)) / 2.0;
        long c;
        double achieved;
        double alpha = 1 - confidence;
        if (n <= EXACT_MAX_SIZE && m <= EXACT_MAX_SIZE) {
            double[] cdf = uCdf(n, m);
            c = 0;
            while (c < cdf.length && cdf[(int) c] <= alpha / 2) {
                c++; // largest C with P(U <= C-1) <= alpha/2
            }
            achieved = c == 0 ? 0 : 1 - 2 * cdf[(int) c - 1];
        } else {
            double z = STANDARD_NORMAL.inverseCumulativeProbability(1 - alpha / 2);
            c = (long) Math.floor(total / 2.0 - z * Math.sqrt(total * (n + m + 1.0) / 12.0));
            achieved = confidence;
        }
        if (c < 1) {
            return new Shift(median + 0.0, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, 1.0);
        }
        return new Shift(median + 0.0, kth(x, y, c) + 0.0, kth(x, y, total + 1 - c) + 0.0, achieved);
    }

    /** The k-th smallest (1-based) of {@code x[i] − y[j]}, both sorted ascending. */
    static double kth(double[] x, double[] y, long k) {
        long lo = key(x[0] - y[y.length - 1]);
        long hi = key(x[x.length - 1] - y[0]);
        while (lo < hi) {
            long mid = lo + ((hi - lo) >>> 1);
            if (mid < lo) { // overflow guard when the range spans the whole long space
                mid = lo / 2 + hi / 2;
            }
            if (countAtMost(x, y, fromKey(mid)) >= k) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return fromKey(lo);
    }

    /** How many {@code x[i] − y[j]} are at most {@code t}. */
    static long countAtMost(double[] x, double[] y, double t) {
        int m = y.length;
        int p = 0; // for each i, differences with j >= p are <= t; p only moves right as x[i] grows
        long count = 0;
        for (double xi : x) {
            while (p < m && xi - y[p] > t) {
                p++;
            }
            count += m - p;
        }
        return count;
    }

    /** Doubles mapped to longs that sort the same way (sign-magnitude to two's complement). */
    private static long key(double d) {
        long bits = Double.doubleToLongBits(d);
        return bits ^ ((bits >> 63) & Long.MAX_VALUE);
    }

    private static double fromKey(long k) {
        return Double.longBitsToDouble(k ^ ((k >> 63) & Long.MAX_VALUE));
    }

    /**
     * P(U <= u) for u = 0..nm under the null hypothesis, from the coefficients of the Gaussian binomial coefficient
     * [n+m choose n]_q, built one factor (1 − q^(m+i)) / (1 − q^i) at a time in exact integer arithmetic (the counts
     * fit a long up to 30 + 30 values).
     */
    static double[] uCdf(int n, int m) {
        int max = n * m;
        long[] coef = new long[max + 1];
        coef[0] = 1;
        for (int i = 1; i <= n; i++) {
            int up = m + i;
            for (int k = max; k >= up; k--) {
                coef[k] -= coef[k - up];
            }
            for (int k = i; k <= max; k++) {
                coef[k] += coef[k - i];
            }
        }
        double total = 0;
        for (long v : coef) {
            total += v;
        }
        double[] cdf = new double[max + 1];
        double running = 0;
        for (int u = 0; u <= max; u++) {
            running += coef[u];
            cdf[u] = running / total;
        }
        return cdf;
    }
}
