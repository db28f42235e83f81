package dev.stepwise.analysis.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class MannWhitneyTest {

    /**
     * Conover's example as used in SciPy's {@code scipy.stats.mannwhitneyu} documentation: ages at diagnosis of five
     * men and four women. SciPy reports U = 17 for the men and, with the normal approximation and continuity
     * correction ({@code method="asymptotic"}), a two-sided p-value of 0.11134688653314041. There are no ties.
     */
    @Test
    void matchesScipysWorkedExampleWithoutTies() {
        double[] males = {19, 22, 16, 29, 24};
        double[] females = {20, 11, 17, 12};
        MannWhitney.Result r = MannWhitney.test(males, females);
        assertThat(r.uCanary()).isEqualTo(17.0);
        assertThat(r.uMax()).isEqualTo(17.0); // commons-math3's statistic agrees
        assertThat(r.pTwoSided()).isCloseTo(0.11134688653314041, within(1e-9));
    }

    /**
     * NAG Library example g08amc (nag_mann_whitney), "Example Program Results": group 1 of 16 and group 2 of 23
     * observations with many ties. NAG reports test statistic U = 86.0000, normal statistic −2.8039 (tie-corrected,
     * continuity-corrected) and approximate tail probability 0.0025.
     */
    @Test
    void matchesNagsWorkedExampleWithTies() {
        double[] group1 = {13, 6, 12, 7, 12, 7, 10, 7, 10, 7, 16, 7, 10, 8, 9, 8};
        double[] group2 = {17, 6, 10, 8, 15, 8, 15, 10, 15, 10, 14, 10, 14, 11, 14, 11, 13, 12, 13, 12, 13, 12, 12};
        MannWhitney.Result r = MannWhitney.test(group1, group2);
        assertThat(r.uCanary()).isEqualTo(86.0);
        assertThat(r.pLess()).isCloseTo(0.0025, within(0.00005));
        assertThat(r.pGreater()).isGreaterThan(0.99);
    }

    /** ClickHouse's mannWhitneyUTest('greater') documentation example: (10, 11, 12) against (1, 2, 3) gives U = 9, p = 0.0404. */
    @Test
    void matchesTheOneSidedExampleOfClickHousesDocumentation() {
        MannWhitney.Result r = MannWhitney.test(new double[] {10, 11, 12}, new double[] {1, 2, 3});
        assertThat(r.uCanary()).isEqualTo(9.0);
        assertThat(r.pGreater()).isCloseTo(0.04042779918503192, within(1e-9));
    }

    @Test
    void theCanarysUAgreesWithCommonsMathOnTiedData() {
        java.util.Random r = new java.util.Random(3);
        for (int round = 0; round < 50; round++) {
            double[] canary = r.ints(1 + r.nextInt(40), 0, 6).asDoubleStream().toArray();
            double[] baseline = r.ints(1 + r.nextInt(40), 0, 6).asDoubleStream().toArray();
            MannWhitney.Result result = MannWhitney.test(canary, baseline);
            double[] x = canary.clone();
            double[] y = baseline.clone();
            java.util.Arrays.sort(x);
            java.util.Arrays.sort(y);
            assertThat(result.uCanary()).isEqualTo(MannWhitney.canaryU(x, y));
            assertThat(Math.max(result.uCanary(), (double) canary.length * baseline.length - result.uCanary())).isEqualTo(result.uMax());
        }
    }

    @Test
    void allValuesEqualIsNoEvidenceOfAnyShift() {
        MannWhitney.Result r = MannWhitney.test(new double[] {5, 5, 5}, new double[] {5, 5, 5, 5});
        assertThat(r.pTwoSided()).isEqualTo(1.0);
        assertThat(r.pGreater()).isEqualTo(1.0);
        assertThat(r.z()).isZero();
    }
}
