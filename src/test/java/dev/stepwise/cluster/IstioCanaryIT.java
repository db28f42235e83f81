package dev.stepwise.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.engine.Phase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IstioCanaryIT {
    static final String NS = "shop";

    static String rollout(String image, boolean subsets) {
        return """
                apiVersion: argoproj.io/v1alpha1
                kind: Rollout
                metadata: {name: api, namespace: shop}
                spec:
                  replicas: 4
                  template: {spec: {containers: [{name: app, image: %s}]}}
                  strategy:
                    canary:
                      canaryService: api-canary
                      stableService: api-stable
                      trafficRouting:
                        istio:
                          virtualService: {name: api-vs, routes: [primary]}
                %s
                      steps:
                        - setWeight: 20
                        - pause: {duration: 1m}
                        - setWeight: 50
                        - pause: {duration: 1m}
                """.formatted(image, subsets ? "          destinationRule: {name: api-dr, canarySubsetName: canary, stableSubsetName: stable}" : "");
    }

    ClusterDrive drive;

    @BeforeEach
    void cluster() {
        drive = new ClusterDrive();
        var c = drive.client();
        Objects.service(c, NS, "api-stable");
        Objects.service(c, NS, "api-canary");
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
                    if (((Map<String, Object>) dest.get("destination")).get("host").equals("api-canary")) {
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
}
