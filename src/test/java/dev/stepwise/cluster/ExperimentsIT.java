package dev.stepwise.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.engine.Phase;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An experiment step's ReplicaSets on the cluster: created, observed for the engine, deleted when it ends. */
class ExperimentsIT {
    static final String NS = "shop";
    ClusterDrive drive;

    @BeforeEach
    void cluster() {
        drive = ClusterDrive.withServices("api-stable", "api-canary");
    }

    @AfterEach
    void stop() {
        drive.close();
    }

    static String rollout(String image) {
        return Objects.canaryRollout(image, "", """
                - setWeight: 25
                - experiment:
                    duration: 2m
                    templates:
                      - {name: baseline, specRef: stable}
                      - {name: candidate, specRef: canary, replicas: 2}
                - setWeight: 50
                - pause: {duration: 1m}
                """);
    }

    ReplicaSet rs(String name) {
        return drive.client().apps().replicaSets().inNamespace(NS).withName(name).get();
    }

    String image(ReplicaSet rs) {
        return rs.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    @Test
    void experimentReplicaSetsRunBesideTheRolloutAndAreDeletedWhenItEnds() {
        drive.spec(rollout("app:1")).runUntil(20, Phase.HEALTHY);
        String v1 = drive.spec.podTemplateHash();
        drive.spec(rollout("app:2"));
        String v2 = drive.spec.podTemplateHash();
        String baseline = "api-" + v2 + "-baseline";
        String candidate = "api-" + v2 + "-candidate";
        List<Integer> stepsWithExperiment = new ArrayList<>();
        drive.afterEach = d -> {
            if (rs(baseline) != null) {
                stepsWithExperiment.add(d.status.stepIndex());
            }
        };
        for (int i = 0; i < 40 && rs(baseline) == null; i++) {
            drive.tick();
        }
        ReplicaSet base = rs(baseline);
        ReplicaSet cand = rs(candidate);
        assertThat(base.getSpec().getReplicas()).isEqualTo(1);
        assertThat(cand.getSpec().getReplicas()).isEqualTo(2);
        assertThat(image(base)).isEqualTo("app:1");
        assertThat(image(cand)).isEqualTo("app:2");
        assertThat(base.getMetadata().getLabels()).containsEntry(StepwiseLabels.EXPERIMENT, "baseline")
                .containsEntry(StepwiseLabels.MANAGED_BY, "stepwise").containsEntry(StepwiseLabels.ROLLOUT, "api");
        // experiment pods have a hash of their own: the stable and canary Services never select them
        Map<String, String> podLabels = base.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(podLabels.get(StepwiseLabels.HASH)).isNotIn(v1, v2).isEqualTo(ReplicaSetModel.experimentHash(v1, "baseline"));
        assertThat(base.getSpec().getSelector().getMatchLabels()).isEqualTo(Map.of(StepwiseLabels.HASH, podLabels.get(StepwiseLabels.HASH),
                StepwiseLabels.EXPERIMENT, "baseline"));
        assertThat(Objects.selectedHash(drive.client(), NS, "api-stable")).isEqualTo(v1);

        // the engine sees them under its own keys
        drive.cluster.simulator().settle();
        var obs = drive.target.observe(drive.spec, drive.now);
        assertThat(obs.workloads()).containsKeys("experiment/baseline", "experiment/candidate");
        assertThat(obs.available("experiment/candidate")).isEqualTo(2);
        assertThat(obs.workloads()).containsKeys(v1, v2).hasSize(4);

        drive.runUntil(40, Phase.HEALTHY);
        drive.tick();
        assertThat(rs(baseline)).isNull();
        assertThat(rs(candidate)).isNull();
        assertThat(drive.applies).anySatisfy(a -> assertThat(a.operations()).contains("delete " + baseline + " (experiment ended)"));
        assertThat(stepsWithExperiment).isNotEmpty().allSatisfy(step -> assertThat(step).isBetween(1, 2));
        assertThat(Objects.replicaSets(drive.client(), NS)).containsOnlyKeys("api-" + v1, "api-" + v2);
    }

    @Test
    void theExperimentStepWaitsForItsReplicaSetsToBeAvailable() {
        drive.spec(rollout("app:1")).runUntil(20, Phase.HEALTHY);
        drive.spec(rollout("app:2"));
        String v2 = drive.spec.podTemplateHash();
        drive.cluster.simulator().crashLoop(ReplicaSetModel.experimentHash(v2, "candidate"));
        for (int i = 0; i < 40 && rs("api-" + v2 + "-candidate") == null; i++) {
            drive.tick();
        }
        for (int i = 0; i < 30; i++) {
            drive.tick(); // far past the experiment's 2m: it never started running
        }
        assertThat(drive.status.stepIndex()).isEqualTo(1);
        assertThat(drive.last().status().message()).contains("experiment's ReplicaSets to be available");
        assertThat(drive.target.observe(drive.spec, drive.now).available("experiment/candidate")).isZero();
    }
}
