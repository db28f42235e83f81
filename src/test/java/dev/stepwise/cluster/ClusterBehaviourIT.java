package dev.stepwise.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.engine.Phase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Blue-green, basic canary, a version that never gets ready, a restart, a concurrent writer, a hand edit. */
class ClusterBehaviourIT {
    static final String NS = "shop";
    ClusterDrive drive;

    @BeforeEach
    void cluster() {
        drive = ClusterDrive.withServices("api-active", "api-preview", "api-stable", "api-canary");
    }

    @AfterEach
    void stop() {
        drive.close();
    }

    static String blueGreen(String image) {
        return """
                apiVersion: argoproj.io/v1alpha1
                kind: Rollout
                metadata: {name: api, namespace: shop}
                spec:
                  replicas: 3
                  template: {spec: {containers: [{name: app, image: %s}]}}
                  strategy:
                    blueGreen:
                      activeService: api-active
                      previewService: api-preview
                      autoPromotionSeconds: 30
                      scaleDownDelaySeconds: 60
                """.formatted(image);
    }

    static String basic(String image, int deadline) {
        return """
                apiVersion: argoproj.io/v1alpha1
                kind: Rollout
                metadata: {name: api, namespace: shop}
                spec:
                  replicas: 4
                  progressDeadlineSeconds: %d
                  progressDeadlineAbort: true
                  template: {spec: {containers: [{name: app, image: %s}]}}
                  strategy:
                    canary:
                      stableService: api-stable
                      canaryService: api-canary
                      steps:
                        - setWeight: 25
                        - pause: {duration: 1m}
                        - setWeight: 50
                        - pause: {duration: 1m}
                """.formatted(deadline, image);
    }

    @Test
    void blueGreenSwitchesActiveAndKeepsOldVersionForTheDelay() {
        drive.spec(blueGreen("app:1")).runUntil(20, Phase.HEALTHY);
        String v1 = drive.spec.podTemplateHash();
        assertThat(Objects.selectedHash(drive.client(), NS, "api-active")).isEqualTo(v1);
        List<String> active = new ArrayList<>();
        List<String> preview = new ArrayList<>();
        drive.afterEach = d -> {
            active.add(Objects.selectedHash(d.client(), NS, "api-active"));
            preview.add(Objects.selectedHash(d.client(), NS, "api-preview"));
        };
        drive.spec(blueGreen("app:2"));
        String v2 = drive.spec.podTemplateHash();
        drive.runUntil(40, Phase.HEALTHY);
        assertThat(preview).contains(v2);
        assertThat(active).containsSubsequence(v1, v2);
        // the switch happened before the old version was scaled down: it was kept for scaleDownDelaySeconds
        int switchedAt = active.indexOf(v2);
        assertThat(drive.decisions.get(drive.decisions.size() - active.size() + switchedAt).desired().replicasOf(v1)).isEqualTo(3);
        for (int i = 0; i < 10; i++) {
            drive.tick();
        }
        assertThat(Objects.replicaSets(drive.client(), NS)).containsEntry("api-" + v1, 0).containsEntry("api-" + v2, 3);
    }

    @Test
    void basicCanaryMovesTrafficByReplicaCounts() {
        drive.spec(basic("app:1", 600)).runUntil(20, Phase.HEALTHY);
        String v1 = drive.spec.podTemplateHash();
        List<Map<String, Integer>> counts = new ArrayList<>();
        drive.afterEach = d -> counts.add(Objects.replicaSets(d.client(), NS));
        drive.spec(basic("app:2", 600));
        String v2 = drive.spec.podTemplateHash();
        drive.runUntil(40, Phase.HEALTHY);
        assertThat(counts).anySatisfy(m -> assertThat(m).containsEntry("api-" + v2, 1).containsEntry("api-" + v1, 3));
        assertThat(counts).anySatisfy(m -> assertThat(m).containsEntry("api-" + v2, 2).containsEntry("api-" + v1, 2));
        assertThat(counts.get(counts.size() - 1)).containsEntry("api-" + v2, 4);
        // no workloadRef: nothing on the cluster owns the rollout's versions (the spec lives in Git); labels find them
        var rs = drive.client().apps().replicaSets().inNamespace(NS).withName("api-" + v2).get();
        assertThat(rs.getMetadata().getOwnerReferences()).isEmpty();
        assertThat(rs.getMetadata().getLabels()).containsEntry(StepwiseLabels.MANAGED_BY, "stepwise")
                .containsEntry(StepwiseLabels.ROLLOUT, "api");
    }

    @Test
    void aVersionThatNeverGetsReadyHitsTheProgressDeadline() {
        drive.spec(basic("app:1", 120)).runUntil(20, Phase.HEALTHY);
        String v1 = drive.spec.podTemplateHash();
        drive.spec(basic("app:2", 120));
        String v2 = drive.spec.podTemplateHash();
        drive.cluster.simulator().crashLoop(v2);
        drive.tick();
        drive.tick();
        var obs = drive.target.observe(drive.spec, drive.now);
        assertThat(obs.workloads().get(v2).available()).isZero();
        assertThat(obs.notReadySince()).containsKey(v2);
        drive.runUntil(40, Phase.DEGRADED);
        assertThat(drive.status.abortReason()).containsIgnoringCase("deadline");
        for (int i = 0; i < 10; i++) {
            drive.tick();
        }
        assertThat(Objects.replicaSets(drive.client(), NS)).containsEntry("api-" + v1, 4).containsEntry("api-" + v2, 0);
    }

    @Test
    void aRestartRebuildsStateFromTheObjectsAndContinues() {
        drive.spec(basic("app:1", 600)).runUntil(20, Phase.HEALTHY);
        drive.spec(basic("app:2", 600));
        String v2 = drive.spec.podTemplateHash();
        drive.tick();
        drive.tick();
        int step = drive.status.stepIndex();
        int creates = (int) drive.log.all().stream().filter(r -> r.method().equals("POST") && r.path().endsWith("/replicasets")).count();
        // a new process: new client, new target; the status comes from Git, everything else from the cluster
        drive.target = new ClusterTarget(drive.cluster.newClient(b -> b.addOrReplaceInterceptor("log", drive.log)));
        RecoveredState recovered = drive.target.recover(drive.spec);
        assertThat(recovered.replicas()).containsEntry(v2, drive.status.replicasOf(v2));
        assertThat(recovered.specRevision()).isEqualTo("rev-1");
        assertThat(recovered.sourceCommit()).isEqualTo("commit-rev-1");
        List<Integer> canaryCounts = new ArrayList<>();
        drive.afterEach = d -> canaryCounts.add(Objects.replicaSets(d.client(), NS).get("api-" + v2));
        drive.tick();
        assertThat(drive.status.stepIndex()).isGreaterThanOrEqualTo(step);
        drive.runUntil(40, Phase.HEALTHY);
        long createsAfter = drive.log.all().stream().filter(r -> r.method().equals("POST") && r.path().endsWith("/replicasets")).count();
        assertThat(createsAfter).isEqualTo(creates); // no second ReplicaSet for the same version
        assertThat(canaryCounts).isSorted(); // never scaled up twice and back
    }

    @Test
    @SuppressWarnings("unchecked")
    void aConcurrentWriterCausesAConflictThatIsRetried() {
        Objects.generic(drive.client(), Objects.VS, NS, "api-vs", Map.of("http", List.of(Map.of("name", "primary",
                "route", List.of(Map.of("destination", Map.of("host", "api-stable"), "weight", 100),
                        Map.of("destination", Map.of("host", "api-canary"), "weight", 0))))));
        String spec = IstioCanaryIT.rollout("app:1", false);
        drive.spec(spec).runUntil(20, Phase.HEALTHY);
        // someone else (a mesh controller, a person) writes the VirtualService between our read and our write, once
        boolean[] struck = {false};
        drive.target.writes().beforeWrite(() -> {
            if (!struck[0]) {
                struck[0] = true;
                var vs = drive.client().genericKubernetesResources(Objects.VS).inNamespace(NS).withName("api-vs").get();
                vs.getMetadata().setLabels(Map.of("touched", "yes"));
                drive.client().genericKubernetesResources(Objects.VS).inNamespace(NS).resource(vs).update();
            }
        });
        drive.spec(IstioCanaryIT.rollout("app:2", false));
        drive.tick();
        drive.tick();
        assertThat(drive.target.writes().conflicts()).isEqualTo(1);
        var vs = drive.client().genericKubernetesResources(Objects.VS).inNamespace(NS).withName("api-vs").get();
        assertThat(vs.getMetadata().getLabels()).containsEntry("touched", "yes"); // their write kept
        assertThat(drive.lastApply().trafficVerified()).isTrue();
        assertThat(drive.lastApply().verifiedWeight()).contains(20);
    }

    @Test
    void aHandEditIsReportedAndCorrected() {
        drive.spec(basic("app:1", 600)).runUntil(20, Phase.HEALTHY);
        String v1 = drive.spec.podTemplateHash();
        drive.client().apps().replicaSets().inNamespace(NS).withName("api-" + v1)
                .edit(rs -> { rs.getSpec().setReplicas(7); return rs; });
        drive.client().services().inNamespace(NS).withName("api-stable")
                .edit(s -> { s.getSpec().getSelector().put(StepwiseLabels.HASH, "someoneelse"); return s; });
        var obs = drive.target.observe(drive.spec, drive.now);
        assertThat(obs.findings()).anySatisfy(f -> assertThat(f.code()).isEqualTo("Drift"));
        drive.tick();
        assertThat(drive.lastApply().findings()).extracting(ClusterFinding::object)
                .contains("ReplicaSet/api-" + v1, "Service/shop/api-stable");
        assertThat(Objects.replicaSets(drive.client(), NS)).containsEntry("api-" + v1, 4);
        assertThat(Objects.selectedHash(drive.client(), NS, "api-stable")).isEqualTo(v1);
    }
}
