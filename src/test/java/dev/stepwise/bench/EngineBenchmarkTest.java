package dev.stepwise.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The engine benchmark runs end to end on a small scale and reports sane figures (the real figures need 10,000). */
class EngineBenchmarkTest {

    @Test
    void measuresDecisionsAndHeap() {
        EngineBenchmark.Figures f = EngineBenchmark.run(300, 2_000, 20_000, 7);
        assertThat(f.rollouts()).isEqualTo(300);
        assertThat(f.decisions()).isEqualTo(20_000);
        assertThat(f.decisionsPerSecond()).isPositive();
        assertThat(f.decisionsPerCpuSecond()).isPositive();
        assertThat(f.strategies().keySet()).anyMatch(k -> k.startsWith("blue-green"))
                .anyMatch(k -> k.startsWith("basic canary")).anyMatch(k -> k.contains("+background"));
        assertThat(f.strategies().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(300);
        assertThat(f.completed()).isPositive(); // rollouts run to the end and start again
        assertThat(f.aborted()).isPositive(); // one in ten sees its success rate fail
        assertThat(f.describe()).contains("decisions per second").contains("heap per status");
    }
}
