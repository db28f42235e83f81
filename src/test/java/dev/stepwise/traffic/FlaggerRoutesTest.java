package dev.stepwise.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.spec.model.RolloutSpec;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlaggerRoutesTest {

    static RolloutSpec canary(String provider, String service) {
        String yaml = """
                apiVersion: flagger.app/v1beta1
                kind: Canary
                metadata: {name: web, namespace: shop}
                spec:
                  provider: %s
                  targetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
                  service: %s
                  analysis: {interval: 1m, threshold: 2, maxWeight: 50, stepWeight: 10}
                """.formatted(provider, service);
        return dev.stepwise.spec.model.RepositoryModel.of(dev.stepwise.spec.model.ModelCases.yaml("canary.yaml", yaml)).rollouts().get(0);
    }

    @Test
    void istioGetsAVirtualServiceAtFullPrimaryWithTheCanarysRouteOptions() {
        GenericKubernetesResource vs = FlaggerRoutes.desired(canary("istio",
                "{name: web-apex, port: 9898, hosts: [web.example.com], gateways: [mesh, public], timeout: 5s, retries: {attempts: 3}}")).orElseThrow();
        assertThat(vs.getKind()).isEqualTo("VirtualService");
        assertThat(vs.getMetadata().getName()).isEqualTo("web-apex");
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = (Map<String, Object>) vs.getAdditionalProperties().get("spec");
        assertThat(spec.get("hosts")).isEqualTo(List.of("web-apex", "web.example.com"));
        assertThat(spec.get("gateways")).isEqualTo(List.of("mesh", "public"));
        assertThat(spec.get("http")).isEqualTo(List.of(Map.of("timeout", "5s", "retries", Map.of("attempts", 3L), "route", List.of(
                Map.of("destination", Map.of("host", "web-apex-primary", "port", Map.of("number", 9898)), "weight", 100),
                Map.of("destination", Map.of("host", "web-apex-canary", "port", Map.of("number", 9898)), "weight", 0)))));
    }

    @Test
    void gatewayApiGetsAnHttpRouteWithTheCanarysParentRefsAndHostnames() {
        GenericKubernetesResource route = FlaggerRoutes.desired(canary("gatewayapi:v1",
                "{port: 80, hosts: [web.example.com], gatewayRefs: [{name: public, namespace: gw}]}")).orElseThrow();
        assertThat(route.getKind()).isEqualTo("HTTPRoute");
        assertThat(route.getApiVersion()).isEqualTo("gateway.networking.k8s.io/v1");
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = (Map<String, Object>) route.getAdditionalProperties().get("spec");
        assertThat(spec.get("parentRefs")).isEqualTo(List.of(Map.of("name", "public", "namespace", "gw")));
        assertThat(spec.get("hostnames")).isEqualTo(List.of("web.example.com"));
        assertThat(spec.get("rules")).isEqualTo(List.of(Map.of("backendRefs", List.of(
                Map.of("name", "web-primary", "port", 80, "weight", 100), Map.of("name", "web-canary", "port", 80, "weight", 0)))));
    }

    @Test
    void routersThatCreateTheirOwnObjectsOrNoRouterGetNothing() {
        // SMI's TrafficSplit and NGINX's canary Ingress are created by their routers; kubernetes has no router
        assertThat(FlaggerRoutes.desired(canary("linkerd", "{port: 80}"))).isEmpty();
        assertThat(FlaggerRoutes.desired(canary("kubernetes", "{port: 80}"))).isEmpty();
    }
}
