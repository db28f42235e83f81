package dev.stepwise.analysis.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HodgesLehmannTest {

    /**
     * The men/women example of SciPy's documentation (Conover). The 20 differences men − women, sorted:
     * −4, −1, −1, 2, 2, 4, 4, 5, 5, 7, 7, 8, 9, 10, 11, 12, 12, 13, 17, 18; their median is 7. For n = 5, m = 4,
     * the exact null distribution of U has P(U ≤ 1) = 2/126 ≤ 0.025 &lt; P(U ≤ 2) = 4/126 (the two-sided 5 % critical
     * value of U for sizes 4 and 5 is 1 in the usual tables), so C = 2 and the 95 % interval is [D(2), D(19)] =
     * [−1, 17] with actual coverage 1 − 4/126 = 0.968.
     */
    @Test
    void estimateAndExactIntervalOfTheWorkedExample() {
        HodgesLehmann.Shift s = HodgesLehmann.estimate(new double[] {19, 22, 16, 29, 24}, new double[] {20, 11, 17, 12}, 0.95);
        assertThat(s.estimate()).isEqualTo(7.0);
        assertThat(s.lower()).isEqualTo(-1.0);
        assertThat(s.upper()).isEqualTo(17.0);
        assertThat(s.achievedConfidence()).isCloseTo(1 - 4.0 / 126, within(1e-12));
    }

    @Test
    void theExactNullDistributionSumsToOneAndIsSymmetric() {
        double[] cdf = HodgesLehmann.uCdf(7, 9);
        assertThat(cdf[cdf.length - 1]).isCloseTo(1.0, within(1e-12));
        // P(U <= u) = P(U >= nm - u)
        assertThat(cdf[10]).isCloseTo(1 - cdf[63 - 11], within(1e-12));
        assertThat(HodgesLehmann.uCdf(4, 5)[1]).isCloseTo(2.0 / 126, within(1e-15));
    }

    @Test
    void kthDifferenceMatchesSortingEveryDifference() {
        Random r = new Random(7);
        double[] x = r.doubles(173).map(v -> Math.round(v * 50) / 10.0).toArray(); // with ties
        double[] y = r.doubles(131).map(v -> v * 4 - 1).toArray();
        double[] all = new double[x.length * y.length];
        int i = 0;
        for (double a : x) {
            for (double b : y) {
                all[i++] = a - b;
            }
        }
        Arrays.sort(all);
        double[] xs = x.clone();
        double[] ys = y.clone();
        Arrays.sort(xs);
        Arrays.sort(ys);
        for (long k : new long[] {1, 2, 500, all.length / 2, all.length / 2 + 1, all.length - 1, all.length}) {
            assertThat(HodgesLehmann.kth(xs, ys, k)).as("k=%d", k).isEqualTo(all[(int) k - 1]);
        }
        HodgesLehmann.Shift s = HodgesLehmann.estimate(x, y, 0.95);
        assertThat(all.length % 2).isOne(); // 173 × 131 differences: the median is the middle one
        assertThat(s.estimate()).isEqualTo(all[all.length / 2]);
        HodgesLehmann.Shift even = HodgesLehmann.estimate(x, Arrays.copyOf(y, 130), 0.95);
        double[] evenAll = new double[x.length * 130];
        int j = 0;
        for (double a : x) {
            for (int b = 0; b < 130; b++) {
                evenAll[j++] = a - y[b];
            }
        }
        Arrays.sort(evenAll);
        assertThat(even.estimate()).isEqualTo((evenAll[evenAll.length / 2 - 1] + evenAll[evenAll.length / 2]) / 2);
        assertThat(s.lower()).isLessThan(s.estimate());
        assertThat(s.upper()).isGreaterThan(s.estimate());
    }

    @Test
    void tooFewSamplesForTheConfidenceGiveAnUnboundedInterval() {
        HodgesLehmann.Shift s = HodgesLehmann.estimate(new double[] {1, 2}, new double[] {3, 4}, 0.95);
        assertThat(s.estimate()).isEqualTo(-2.0);
        assertThat(s.lower()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(s.upper()).isEqualTo(Double.POSITIVE_INFINITY);
    }

    @Test
    void aShiftedCopyIsEstimatedExactly() {
        double[] base = new Random(3).doubles(2000).map(v -> v * 100).toArray();
        double[] shifted = Arrays.stream(base).map(v -> v + 12.5).toArray();
        HodgesLehmann.Shift s = HodgesLehmann.estimate(shifted, base, 0.95);
        assertThat(s.estimate()).isCloseTo(12.5, within(1.0));
        assertThat(s.lower()).isLessThan(12.5);
        assertThat(s.upper()).isGreaterThan(12.5);
    }
}
