package dev.stepwise.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.engine.Phase;
import dev.stepwise.engine.RolloutStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WavePlanTest {
    static final List<List<String>> WAVES = List.of(List.of("staging"), List.of("prod-eu", "prod-us"));
    static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    static RolloutStatus healthy(String v) {
        return RolloutStatus.stable(v, 2, 2, T);
    }

    static RolloutStatus with(RolloutStatus s, Phase phase, boolean aborted, String canary) {
        return new RolloutStatus(phase, aborted, "", "", s.stableHash(), canary, "", 1, 0, T, T, null, false, false, false, 0,
                s.replicas(), null, 0, null, null, List.of(), List.of(), List.of(), List.of());
    }

    @Test
    void firstWaveNotHealthyOnTheVersionIsCurrent() {
        WavePlan p = WavePlan.of(WAVES, "v2", Map.of("staging", with(healthy("v1"), Phase.PROGRESSING, false, "v2")));
        assertThat(p.currentWave()).isZero();
        assertThat(p.active()).containsExactly("staging");
        assertThat(p.states()).containsExactly(Map.entry("staging", "Progressing"), Map.entry("prod-eu", "Pending"), Map.entry("prod-us", "Pending"));
    }

    @Test
    void aDegradedClusterAbortsItsWaveMatesAndSkipsLaterWaves() {
        WavePlan p = WavePlan.of(WAVES, "v2", Map.of("staging", healthy("v2"),
                "prod-eu", with(healthy("v1"), Phase.DEGRADED, true, "v2"),
                "prod-us", with(healthy("v1"), Phase.PAUSED, false, "v2")));
        assertThat(p.phase()).isEqualTo(Phase.DEGRADED);
        assertThat(p.currentWave()).isEqualTo(1);
        assertThat(p.toAbort()).containsExactly("prod-us");
        assertThat(p.status().toYamlMap()).containsEntry("phase", "Degraded");
    }

    @Test
    void allWavesHealthyOnTheVersionIsHealthy() {
        WavePlan p = WavePlan.of(WAVES, "v2", Map.of("staging", healthy("v2"), "prod-eu", healthy("v2"), "prod-us", healthy("v2")));
        assertThat(p.phase()).isEqualTo(Phase.HEALTHY);
        assertThat(p.active()).isEmpty();
        assertThat(p.currentWave()).isEqualTo(2);
    }
}
