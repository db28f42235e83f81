package dev.stepwise.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.engine.CanaryReplicas.Budget;
import dev.stepwise.engine.CanaryReplicas.Counts;
import dev.stepwise.spec.model.IntOrPercent;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The worked examples of {@link CanaryReplicas}'s comment, and the rules behind them over many cases. */
class CanaryReplicasTest {

    @Test
    void trafficRoutedCanaryRoundsPodsUp() {
        assertThat(CanaryReplicas.forWeight(10, 25, 100)).isEqualTo(3);
        assertThat(CanaryReplicas.forWeight(10, 5, 100)).isEqualTo(1);
        assertThat(CanaryReplicas.forWeight(10, 0, 100)).isZero();
        assertThat(CanaryReplicas.forWeight(10, 100, 100)).isEqualTo(10);
        assertThat(CanaryReplicas.forWeight(4, 1, 1000)).isEqualTo(1);
    }

    @Test
    void dynamicStableKeepsTheLargerStableShare() {
        // 10 replicas going from 20 to 60: the stable keeps 8 until the router applies 60, then goes to 4
        assertThat(CanaryReplicas.dynamicStable(10, 60, 20, 100)).isEqualTo(8);
        assertThat(CanaryReplicas.dynamicStable(10, 60, 60, 100)).isEqualTo(4);
        // back from 60 to 20: it grows to 8 before traffic comes back
        assertThat(CanaryReplicas.dynamicStable(10, 20, 60, 100)).isEqualTo(8);
    }

    @Test
    void basicTargetsNeverExceedTheWeight() {
        assertThat(CanaryReplicas.basicTarget(10, 25, 100, 3)).isEqualTo(new Counts(2, 8));
        assertThat(CanaryReplicas.basicTarget(10, 95, 100, 1)).isEqualTo(new Counts(10, 1));
        assertThat(CanaryReplicas.basicTarget(10, 5, 100, 3)).isEqualTo(new Counts(1, 10));
        assertThat(CanaryReplicas.basicTarget(1, 50, 100, 0)).isEqualTo(new Counts(0, 1));
        assertThat(CanaryReplicas.basicTarget(10, 0, 100, 3)).isEqualTo(new Counts(0, 10));
        assertThat(CanaryReplicas.basicTarget(10, 100, 100, 3)).isEqualTo(new Counts(10, 0));
        assertThat(CanaryReplicas.basicTarget(4, 30, 100, 0)).isEqualTo(new Counts(1, 3));
    }

    @Test
    void rollingWithSurgeAddsCanaryPodsThenRemovesStablePods() {
        Budget budget = Budget.of(10, IntOrPercent.percent(25), IntOrPercent.of(0));
        assertThat(budget).isEqualTo(new Budget(3, 0));
        Counts target = new Counts(2, 8);
        Counts first = CanaryReplicas.rollingStep(10, target, new Counts(0, 10), new Counts(0, 10), budget);
        assertThat(first).isEqualTo(new Counts(2, 10));
        Counts second = CanaryReplicas.rollingStep(10, target, first, new Counts(2, 10), budget);
        assertThat(second).isEqualTo(target);
    }

    @Test
    void rollingWithoutSurgeTakesOnePodAtATime() {
        Budget budget = Budget.of(10, IntOrPercent.of(0), IntOrPercent.of(0));
        assertThat(budget).isEqualTo(new Budget(0, 1)); // Kubernetes' rule: both 0 would never move
        Counts target = new Counts(2, 8);
        Counts c = new Counts(0, 10);
        Counts a = new Counts(0, 10);
        c = CanaryReplicas.rollingStep(10, target, c, a, budget);
        assertThat(c).isEqualTo(new Counts(0, 9));
        c = CanaryReplicas.rollingStep(10, target, c, new Counts(0, 9), budget);
        assertThat(c).isEqualTo(new Counts(1, 9));
        c = CanaryReplicas.rollingStep(10, target, c, new Counts(1, 9), budget);
        assertThat(c).isEqualTo(new Counts(1, 8));
        c = CanaryReplicas.rollingStep(10, target, c, new Counts(1, 8), budget);
        assertThat(c).isEqualTo(new Counts(2, 8));
    }

    @Test
    void unavailablePodsCanAlwaysGo() {
        Budget budget = new Budget(0, 0);
        // 3 canary pods asked for, none available: going back to 0 costs nothing
        assertThat(CanaryReplicas.rollingStep(10, new Counts(0, 10), new Counts(3, 10), new Counts(0, 10), budget))
                .isEqualTo(new Counts(0, 10));
    }

    static java.util.stream.Stream<Integer> seeds() {
        return java.util.stream.IntStream.range(0, 400).boxed();
    }

    /**
     * Over random shapes: the target never gives the canary more than the weight (but for its one-pod minimum), the
     * rolling moves never exceed the surge nor drop below the availability budget, and they always arrive.
     */
    @ParameterizedTest
    @MethodSource("seeds")
    void rollingConvergesWithinBudget(int seed) {
        Random r = new Random(seed);
        int replicas = 1 + r.nextInt(40);
        IntOrPercent surge = r.nextBoolean() ? IntOrPercent.percent(r.nextInt(60)) : IntOrPercent.of(r.nextInt(4));
        IntOrPercent unavailable = r.nextBoolean() ? IntOrPercent.percent(r.nextInt(60)) : IntOrPercent.of(r.nextInt(4));
        Budget budget = Budget.of(replicas, surge, unavailable);
        int weight = r.nextInt(101);
        Counts target = CanaryReplicas.basicTarget(replicas, weight, 100, budget.maxSurge());
        assertThat(target.total()).isBetween(replicas, replicas + Math.min(1, budget.maxSurge()));
        if (target.canary() > 1) {
            assertThat(target.canary() * 100).isLessThanOrEqualTo(weight * target.total());
        }
        Counts current = new Counts(0, replicas);
        Counts available = current;
        for (int i = 0; i < 4 * replicas + 10 && !current.equals(target); i++) {
            Counts next = CanaryReplicas.rollingStep(replicas, target, current, available, budget);
            assertThat(next.total()).isLessThanOrEqualTo(Math.max(replicas + budget.maxSurge(), target.total()));
            int stillAvailable = Math.min(available.canary(), next.canary()) + Math.min(available.stable(), next.stable());
            assertThat(stillAvailable).isGreaterThanOrEqualTo(Math.min(replicas - budget.maxUnavailable(),
                    available.total()));
            current = next;
            available = next; // pods come up before the next move
        }
        assertThat(current).isEqualTo(target);
    }
}
