package dev.stepwise.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.engine.Phase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every other router driven through a whole canary, its objects read at every step. */
class RoutersIT {
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

    static String rollout(String image, String routing) {
        return Objects.canaryRollout(image, routing, """
                - setWeight: 20
                - pause: {duration: 1m}
                - setWeight: 60
                - pause: {duration: 1m}
                """);
    }

    /** Deploys app:1, rolls out app:2, returns the weight read from the router's object after every decision. */
    List<Integer> walk(String routing, Function<ClusterDrive, Integer> weight) {
        drive.spec(rollout("app:1", routing)).runUntil(20, Phase.HEALTHY);
        List<Integer> weights = new ArrayList<>();
        drive.afterEach = d -> weights.add(weight.apply(d));
        drive.spec(rollout("app:2", routing)).runUntil(40, Phase.HEALTHY);
        assertThat(drive.applies).allSatisfy(a -> assertThat(a.trafficVerified()).as(a.toString()).isTrue());
        assertThat(Objects.selectedHash(drive.client(), NS, "api-stable")).isEqualTo(drive.spec.podTemplateHash());
        return weights;
    }

    @Test
    void nginxCanaryIngressCarriesWeightAndHeaderAnnotations() {
        Objects.ingress(drive.client(), NS, "api-ingress", "api-stable", Map.of("nginx.ingress.kubernetes.io/rewrite-target", "/"));
        String routing = """
                nginx:
                  stableIngress: api-ingress
                  annotationPrefix: custom.nginx.io
                  additionalIngressAnnotations: {canary-by-header: X-Canary}
                """;
        List<Integer> weights = walk(routing, d -> {
            var ing = d.client().network().v1().ingresses().inNamespace(NS).withName("api-ingress-api-canary").get();
            return Integer.parseInt(ing.getMetadata().getAnnotations().get("custom.nginx.io/canary-weight"));
        });
        assertThat(weights).containsSubsequence(20, 60).endsWith(0);
        var canary = drive.client().network().v1().ingresses().inNamespace(NS).withName("api-ingress-api-canary").get();
        assertThat(canary.getMetadata().getAnnotations()).containsEntry("custom.nginx.io/canary", "true")
                .containsEntry("custom.nginx.io/canary-by-header", "X-Canary")
                .containsEntry("nginx.ingress.kubernetes.io/rewrite-target", "/");
        assertThat(canary.getSpec().getRules().get(0).getHttp().getPaths().get(0).getBackend().getService().getName()).isEqualTo("api-canary");
        var stable = drive.client().network().v1().ingresses().inNamespace(NS).withName("api-ingress").get();
        assertThat(stable.getMetadata().getAnnotations()).doesNotContainKey("custom.nginx.io/canary");
        // the canary Ingress is owned by the stable Ingress it was copied from, for garbage collection only
        assertThat(canary.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
            assertThat(o.getKind()).isEqualTo("Ingress");
            assertThat(o.getApiVersion()).isEqualTo("networking.k8s.io/v1");
            assertThat(o.getName()).isEqualTo("api-ingress");
            assertThat(o.getUid()).isEqualTo(stable.getMetadata().getUid()).isNotBlank();
            assertThat(o.getController()).isFalse();
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void smiTrafficSplitBackends() {
        Objects.service(drive.client(), NS, "api");
        List<Integer> weights = walk("smi: {rootService: api, trafficSplitName: api-split}", d -> {
            Map<String, Object> spec = Objects.spec(d.client(), Objects.SPLIT, NS, "api-split");
            assertThat(spec).containsEntry("service", "api");
            Map<String, Object> canary = (Map<String, Object>) Objects.list(spec.get("backends")).get(0);
            assertThat(canary).containsEntry("service", "api-canary");
            return ((Number) canary.get("weight")).intValue();
        });
        assertThat(weights).containsSubsequence(20, 60).endsWith(0);
        // Stepwise created the TrafficSplit: it is owned by the root Service it splits
        var split = drive.client().genericKubernetesResources(Objects.SPLIT).inNamespace(NS).withName("api-split").get();
        String uid = drive.client().services().inNamespace(NS).withName("api").get().getMetadata().getUid();
        assertThat(split.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
            assertThat(o.getKind()).isEqualTo("Service");
            assertThat(o.getName()).isEqualTo("api");
            assertThat(o.getUid()).isEqualTo(uid).isNotBlank();
            assertThat(o.getController()).isFalse();
        });
        assertThat(split.getMetadata().getLabels()).containsEntry(StepwiseLabels.MANAGED_BY, "stepwise");
    }

    @Test
    @SuppressWarnings("unchecked")
    void albActionAnnotation() {
        Objects.ingress(drive.client(), NS, "api-alb", "api-root", Map.of());
        List<Integer> weights = walk("alb: {ingress: api-alb, servicePort: 443, rootService: api-root}", d -> {
            String json = d.client().network().v1().ingresses().inNamespace(NS).withName("api-alb").get()
                    .getMetadata().getAnnotations().get("alb.ingress.kubernetes.io/actions.api-root");
            Map<String, Object> action = d.client().getKubernetesSerialization().unmarshal(json, Map.class);
            Map<String, Object> canary = (Map<String, Object>) ((List<Object>) ((Map<String, Object>) action.get("forwardConfig"))
                    .get("targetGroups")).get(0);
            assertThat(canary).containsEntry("serviceName", "api-canary").containsEntry("servicePort", "443");
            return ((Number) canary.get("weight")).intValue();
        });
        assertThat(weights).containsSubsequence(20, 60).endsWith(0);
    }

    @Test
    @SuppressWarnings("unchecked")
    void gatewayApiHttpRouteBackendRefs() {
        Objects.generic(drive.client(), Objects.ROUTE, NS, "api-route", Map.of("rules", List.of(Map.of("backendRefs", List.of(
                Map.of("name", "api-stable", "port", 80, "weight", 100), Map.of("name", "api-canary", "port", 80, "weight", 0))))));
        String routing = """
                plugins:
                  argoproj-labs/gatewayAPI: {httpRoute: api-route, namespace: shop}
                """;
        List<Integer> weights = walk(routing, d -> {
            Map<String, Object> rule = (Map<String, Object>) Objects.list(Objects.spec(d.client(), Objects.ROUTE, NS, "api-route").get("rules")).get(0);
            Map<String, Object> canary = (Map<String, Object>) Objects.list(rule.get("backendRefs")).get(1);
            Map<String, Object> stable = (Map<String, Object>) Objects.list(rule.get("backendRefs")).get(0);
            assertThat(((Number) stable.get("weight")).intValue() + ((Number) canary.get("weight")).intValue()).isEqualTo(100);
            return ((Number) canary.get("weight")).intValue();
        });
        assertThat(weights).containsSubsequence(20, 60).endsWith(0);
    }
}
