package dev.stepwise.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.cluster.embedded.EmbeddedCluster;
import dev.stepwise.engine.Fixtures;
import dev.stepwise.engine.Phase;
import dev.stepwise.engine.RolloutEngine;
import dev.stepwise.engine.RolloutStatus;
import dev.stepwise.spec.model.RolloutSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** spec.waves over three embedded clusters: staging first, then prod-eu and prod-us together. */
class WavesIT {
    static final List<String> NAMES = List.of("staging", "prod-eu", "prod-us");
    final Map<String, EmbeddedCluster> clusters = new LinkedHashMap<>();
    final Map<String, ClusterTarget> targets = new LinkedHashMap<>();

    static RolloutSpec spec(String image) {
        return Fixtures.model("""
                apiVersion: argoproj.io/v1alpha1
                kind: Rollout
                metadata: {name: api, namespace: shop}
                spec:
                  replicas: 2
                  progressDeadlineSeconds: 60
                  progressDeadlineAbort: true
                  waves: [[staging], [prod-eu, prod-us]]
                  template: {spec: {containers: [{name: app, image: %s}]}}
                  strategy:
                    canary:
                      steps: [{setWeight: 50}, {pause: {duration: 30s}}]
                """.formatted(image)).rollouts().get(0);
    }

    @BeforeEach
    void start() {
        for (String n : NAMES) {
            EmbeddedCluster c = EmbeddedCluster.start(Duration.ZERO);
            clusters.put(n, c);
            targets.put(n, new ClusterTarget(c.client()));
        }
    }

    @AfterEach
    void stop() {
        clusters.values().forEach(EmbeddedCluster::close);
    }

    Map<String, RolloutStatus> statuses = new LinkedHashMap<>();
    Instant now = Instant.parse("2026-01-01T10:00:00Z");

    WaveCoordinator.Pass run(WaveCoordinator coordinator, RolloutSpec spec, int passes, java.util.function.Predicate<WaveCoordinator.Pass> until) {
        WaveCoordinator.Pass last = null;
        for (int i = 0; i < passes; i++) {
            clusters.values().forEach(c -> c.simulator().settle());
            last = coordinator.reconcile(spec, Map.of(), statuses, Map.of(), "rev", "commit", now);
            statuses = last.statuses();
            now = now.plusSeconds(10);
            if (until.test(last)) {
                return last;
            }
        }
        return last;
    }

    boolean hasVersion(String cluster, String version) {
        return clusters.get(cluster).client().apps().replicaSets().inNamespace("shop").withName("api-" + version).get() != null;
    }

    @Test
    void theNextWaveStartsOnlyWhenThePreviousIsHealthy() {
        WaveCoordinator coordinator = new WaveCoordinator(targets, new RolloutEngine());
        RolloutSpec v1 = spec("app:1");
        // the first version goes out wave by wave too
        WaveCoordinator.Pass p = run(coordinator, v1, 60, x -> x.waves().phase().equals("Healthy"));
        assertThat(p.waves().phase()).isEqualTo("Healthy");
        RolloutSpec v2 = spec("app:2");
        p = run(coordinator, v2, 1, x -> true);
        assertThat(hasVersion("staging", v2.podTemplateHash())).isTrue();
        assertThat(hasVersion("prod-eu", v2.podTemplateHash())).isFalse();
        assertThat(p.waves().clusters()).extracting(WaveStatus.ClusterProgress::state).containsExactly("Progressing", "Pending", "Pending");
        p = run(coordinator, v2, 60, x -> x.waves().currentWave() == 1);
        assertThat(statuses.get("staging").phase()).isEqualTo(Phase.HEALTHY);
        p = run(coordinator, v2, 60, x -> x.waves().phase().equals("Healthy"));
        assertThat(p.waves().phase()).isEqualTo("Healthy");
        assertThat(hasVersion("prod-us", v2.podTemplateHash())).isTrue();
        assertThat(p.waves().toYamlMap()).containsEntry("currentWave", 2).containsEntry("phase", "Healthy");
    }

    @Test
    void aFailingWaveStopsTheRest() {
        WaveCoordinator coordinator = new WaveCoordinator(targets, new RolloutEngine());
        run(coordinator, spec("app:1"), 60, x -> x.waves().phase().equals("Healthy"));
        RolloutSpec v2 = spec("app:2");
        clusters.get("staging").simulator().crashLoop(v2.podTemplateHash());
        WaveCoordinator.Pass p = run(coordinator, v2, 60, x -> x.waves().phase().equals("Degraded"));
        assertThat(p.waves().phase()).isEqualTo("Degraded");
        assertThat(p.waves().clusters()).extracting(WaveStatus.ClusterProgress::state).containsExactly("Degraded", "Skipped", "Skipped");
        run(coordinator, v2, 10, x -> false);
        assertThat(hasVersion("prod-eu", v2.podTemplateHash())).isFalse();
        assertThat(hasVersion("prod-us", v2.podTemplateHash())).isFalse();
    }
}
