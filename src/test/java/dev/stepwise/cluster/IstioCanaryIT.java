package dev.stepwise.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.engine.Phase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import dev.stepwise.engine.GateAction;
import dev.stepwise.engine.GateDecision;

class IstioCanaryIT {
    static final String NS = "shop";

    static String rollout(String image, boolean subsets) {
        return Objects.canaryRollout(image, "istio:\n  virtualService: {name: api-vs, routes: [primary]}\n"
                + (subsets ? "  destinationRule: {name: api-dr, canarySubsetName: canary, stableSubsetName: stable}\n" : ""), """
                - setWeight: 20
                - pause: {duration: 1m}
                - setWeight: 50
                - pause: {duration: 1m}
                """);
    }

    ClusterDrive drive;

    @BeforeEach
    void cluster() {
        drive = ClusterDrive.withServices("api-stable", "api-canary");
        var c = drive.client();
        Objects.generic(c, Objects.VS, NS, "api-vs", Map.of("hosts", List.of("api"), "http", List.of(Map.of("name", "primary",
                "route", List.of(Map.of("destination", Map.of("host", "api-stable"), "weight", 100),
                        Map.of("destination", Map.of("host", "api-canary"), "weight", 0))))));
    }

    @AfterEach
    void stop() {
        drive.close();
    }

    @SuppressWarnings("unchecked")
    int vsCanaryWeight() {
        Map<String, Object> spec = Objects.spec(drive.client(), Objects.VS, NS, "api-vs");
        for (Object h : Objects.list(spec.get("http"))) {
            Map<String, Object> route = (Map<String, Object>) h;
            if ("primary".equals(route.get("name"))) {
                for (Object d : Objects.list(route.get("route"))) {
                    Map<String, Object> dest = (Map<String, Object>) d;
                    Map<String, Object> target = (Map<String, Object>) dest.get("destination");
                    if (target.get("host").equals("api-canary") || "canary".equals(target.get("subset"))) {
                        return ((Number) dest.get("weight")).intValue();
                    }
                }
            }
        }
        throw new AssertionError("no canary destination");
    }

    @Test
    void walksEveryStepWithVerifiedWeightsAndPinnedServices() {
        drive.spec(rollout("app:1", false)).runUntil(20, Phase.HEALTHY);
        String v1 = drive.spec.podTemplateHash();
        assertThat(Objects.replicaSets(drive.client(), NS)).containsEntry("api-" + v1, 4);
        assertThat(Objects.selectedHash(drive.client(), NS, "api-stable")).isEqualTo(v1);

        List<Integer> weights = new ArrayList<>();
        drive.afterEach = d -> weights.add(vsCanaryWeight());
        drive.spec(rollout("app:2", false)).runUntil(40, Phase.HEALTHY);
        String v2 = drive.spec.podTemplateHash();

        assertThat(weights).containsSubsequence(0, 20, 50, 0).doesNotContain(10);
        assertThat(weights.get(weights.size() - 1)).isZero();
        System.out.println("decisions " + drive.decisions.size() + " requests " + drive.log.size());
        assertThat(drive.applies).allSatisfy(a -> assertThat(a.trafficVerified()).isTrue());
        // the decision that asks for weight 20 cannot complete setWeight 20: the router still serves 0. The apply writes
        // and reads back 20, and the next decision, seeing that read-back, moves on to the pause
        int first = 0;
        while (drive.decisions.get(first).desired().canaryWeight() != 20) {
            first++;
        }
        var asked = drive.decisions.get(first);
        assertThat(asked.status().stepIndex()).isZero();
        assertThat(asked.status().message()).isEqualTo("waiting for traffic weight 20 to be verified, router reports 0");
        assertThat(drive.applies.get(first).verifiedWeight()).contains(20);
        assertThat(drive.decisions.get(first + 1).status().stepIndex()).isEqualTo(1);
        assertThat(Objects.selectedHash(drive.client(), NS, "api-stable")).isEqualTo(v2);
        assertThat(Objects.replicaSets(drive.client(), NS)).containsEntry("api-" + v2, 4);
        var rs = drive.client().apps().replicaSets().inNamespace(NS).withName("api-" + v2).get();
        assertThat(rs.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "stepwise")
                .containsEntry(StepwiseLabels.HASH, v2);
        assertThat(rs.getSpec().getSelector().getMatchLabels()).containsEntry(StepwiseLabels.HASH, v2);
        assertThat(rs.getSpec().getTemplate().getMetadata().getLabels()).containsEntry(StepwiseLabels.HASH, v2);
        assertThat(rs.getMetadata().getAnnotations()).containsEntry(StepwiseLabels.SPEC_REVISION, "rev-1")
                .containsEntry(StepwiseLabels.SOURCE_COMMIT, "commit-rev-1");
    }

    @SuppressWarnings("unchecked")
    Map<String, String> subsets() {
        Map<String, String> out = new java.util.TreeMap<>();
        for (Object o : Objects.list(Objects.spec(drive.client(), Objects.DR, NS, "api-dr").get("subsets"))) {
            Map<String, Object> s = (Map<String, Object>) o;
            out.put((String) s.get("name"), String.valueOf(((Map<String, Object>) s.get("labels")).get(StepwiseLabels.HASH)));
        }
        return out;
    }

    /** Aborts after {@code steps} decisions of the new version: traffic back first, then scaling; stable never shrinks. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4})
    void abortAtEachStepMovesTrafficFirstThenScales(int steps) {
        Objects.generic(drive.client(), Objects.DR, NS, "api-dr", Map.of("host", "api", "subsets", List.of(
                Map.of("name", "stable", "labels", Map.of("app", "api")), Map.of("name", "canary", "labels", Map.of("app", "api")))));
        drive.client().genericKubernetesResources(Objects.VS).inNamespace(NS).withName("api-vs").delete();
        org.awaitility.Awaitility.await().until(() -> drive.client().genericKubernetesResources(Objects.VS).inNamespace(NS).withName("api-vs").get() == null);
        Objects.generic(drive.client(), Objects.VS, NS, "api-vs", Map.of("hosts", List.of("api"), "http", List.of(Map.of("name", "primary",
                "route", List.of(Map.of("destination", Map.of("host", "api", "subset", "stable"), "weight", 100),
                        Map.of("destination", Map.of("host", "api", "subset", "canary"), "weight", 0))))));
        drive.spec(rollout("app:1", true)).runUntil(20, Phase.HEALTHY);
        String v1 = drive.spec.podTemplateHash();
        drive.spec(rollout("app:2", true));
        String v2 = drive.spec.podTemplateHash();
        for (int i = 0; i < steps; i++) {
            drive.tick();
        }
        assertThat(subsets()).containsEntry("stable", v1).containsEntry("canary", v2);
        int stableBefore = Objects.replicaSets(drive.client(), NS).get("api-" + v1);
        List<Integer> stableCounts = new ArrayList<>();
        drive.afterEach = d -> stableCounts.add(Objects.replicaSets(drive.client(), NS).get("api-" + v1));
        int weightBefore = vsCanaryWeight();
        drive.gates.add(GateDecision.of("abort-1", GateAction.ABORT, "alice", drive.now));
        drive.tick();
        List<String> ops = drive.lastApply().operations();
        assertThat(vsCanaryWeight()).isZero();
        assertThat(drive.lastApply().trafficVerified()).isTrue();
        // the weight change is the first thing sent; any scaling comes after it
        int weightAt = ops.indexOf("istio weight 0");
        if (weightBefore > 0) { // (at 0 already, there is no weight to move: an apply writes nothing it need not)
            assertThat(weightAt).isGreaterThanOrEqualTo(0);
            assertThat(ops.subList(0, weightAt)).noneMatch(o -> o.startsWith("scale") || o.startsWith("create"));
            assertThat(ops.get(0)).startsWith("istio subsets"); // the subset switch comes before any weight change
        }
        drive.runUntil(20, Phase.DEGRADED, Phase.HEALTHY);
        for (int i = 0; i < 10; i++) {
            drive.tick(); // past abortScaleDownDelaySeconds
        }
        assertThat(stableCounts).allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(stableBefore));
        assertThat(Objects.replicaSets(drive.client(), NS).get("api-" + v2)).isZero();
        assertThat(Objects.selectedHash(drive.client(), NS, "api-stable")).isEqualTo(v1);
        assertThat(subsets()).containsEntry("stable", v1);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aHandEditedWeightIsReportedAsDriftAndCorrected() {
        drive.spec(rollout("app:1", false)).runUntil(20, Phase.HEALTHY);
        drive.spec(rollout("app:2", false));
        drive.tick();
        drive.tick();
        assertThat(vsCanaryWeight()).isEqualTo(20);
        var vs = drive.client().genericKubernetesResources(Objects.VS).inNamespace(NS).withName("api-vs").get();
        Map<String, Object> route = (Map<String, Object>) Objects.list(((Map<String, Object>) vs.getAdditionalProperties().get("spec")).get("http")).get(0);
        ((Map<String, Object>) Objects.list(route.get("route")).get(1)).put("weight", 90);
        drive.client().genericKubernetesResources(Objects.VS).inNamespace(NS).resource(vs).update();
        drive.decide();
        assertThat(drive.lastApply().findings()).anySatisfy(f -> assertThat(f.code()).isEqualTo("Drift"));
        assertThat(vsCanaryWeight()).isEqualTo(20);
        assertThat(drive.lastApply().trafficVerified()).isTrue();
    }
}
