package dev.stepwise.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void growsExponentiallyUpToTheCap() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 2.0, 0.0);
        SplittableRandom r = new SplittableRandom(7);
        assertThat(b.delay(1, r)).isEqualTo(Duration.ofMillis(100));
        assertThat(b.delay(2, r)).isEqualTo(Duration.ofMillis(200));
        assertThat(b.delay(4, r)).isEqualTo(Duration.ofMillis(800));
        assertThat(b.delay(5, r)).isEqualTo(Duration.ofSeconds(1));
        assertThat(b.delay(500, r)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void jitterOnlyShortensAndSpreadsTheDelays() {
        Backoff b = new Backoff(Duration.ofMillis(1000), Duration.ofSeconds(10), 2.0, 0.5);
        SplittableRandom r = new SplittableRandom(3);
        java.util.Set<Duration> seen = new java.util.HashSet<>();
        for (int i = 0; i < 50; i++) {
            Duration d = b.delay(1, r);
            assertThat(d).isBetween(Duration.ofMillis(500), Duration.ofMillis(1000));
            seen.add(d);
        }
        assertThat(seen).hasSizeGreaterThan(10);
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 0)).hasMessageContaining("initial <= max");
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), 0.5, 0)).hasMessageContaining("multiplier");
    }
}
