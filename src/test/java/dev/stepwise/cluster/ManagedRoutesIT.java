package dev.stepwise.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.engine.GateAction;
import dev.stepwise.engine.GateDecision;
import dev.stepwise.engine.Phase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * setHeaderRoute and setMirrorRoute on the routers that can do them (Gateway API here; Istio and NGINX elsewhere),
 * an UnsupportedRoute finding on those that cannot (SMI, ALB), and managed routes removed when the rollout completes,
 * aborts, or a restarted process finds routes the desired state no longer has.
 */
class ManagedRoutesIT {
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
        return Objects.canaryRollout(image, "managedRoutes: [{name: hdr}, {name: mir}]\n" + routing, """
                - setWeight: 20
                - setHeaderRoute: {name: hdr, match: [{headerName: X-Canary, headerValue: {exact: 'yes'}}, {headerName: X-Beta, headerValue: {prefix: 'on'}}]}
                - setMirrorRoute: {name: mir, percentage: 35, match: [{method: {exact: GET}, path: {prefix: /api}}]}
                - pause: {duration: 1m}
                - setWeight: 60
                - pause: {duration: 1m}
                """);
    }

    void httpRoute() {
        Objects.generic(drive.client(), Objects.ROUTE, NS, "api-route", Map.of("rules", List.of(Map.of(
                "matches", List.of(Map.of("path", Map.of("type", "PathPrefix", "value", "/"))),
                "backendRefs", List.of(Map.of("name", "api-stable", "port", 8080, "weight", 100),
                        Map.of("name", "api-canary", "port", 8080, "weight", 0))))));
    }

    static final String GATEWAY = "plugins:\n  argoproj-labs/gatewayAPI: {httpRoute: api-route, namespace: shop}";

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> rules() {
        return (List<Map<String, Object>>) (Object) Objects.list(Objects.spec(drive.client(), Objects.ROUTE, NS, "api-route").get("rules"));
    }

    List<Object> ruleNames() {
        return rules().stream().map(r -> r.get("name")).toList();
    }

    @Test
    @SuppressWarnings("unchecked")
    void gatewayApiHeaderAndMirrorRulesAreWrittenThenRemovedWhenTheRolloutCompletes() {
        httpRoute();
        drive.spec(rollout("app:1", GATEWAY)).runUntil(20, Phase.HEALTHY);
        drive.spec(rollout("app:2", GATEWAY));
        List<List<Object>> seen = new ArrayList<>();
        drive.afterEach = d -> seen.add(ruleNames());
        for (int i = 0; i < 40 && rules().size() < 3; i++) {
            drive.tick();
        }
        assertThat(ruleNames()).containsExactly("stepwise-hdr", "stepwise-mir", null);
        Map<String, Object> header = rules().get(0);
        assertThat(header.get("matches")).isEqualTo(List.of(
                Map.of("headers", List.of(Map.of("type", "Exact", "name", "X-Canary", "value", "yes"))),
                Map.of("headers", List.of(Map.of("type", "RegularExpression", "name", "X-Beta", "value", "^\\Qon\\E.*")))));
        assertThat(header.get("backendRefs")).isEqualTo(List.of(Map.of("name", "api-canary", "port", 8080, "weight", 1)));
        Map<String, Object> mirror = rules().get(1);
        assertThat(mirror.get("matches")).isEqualTo(List.of(Map.of("method", "GET", "path", Map.of("type", "PathPrefix", "value", "/api"))));
        assertThat(mirror.get("filters")).isEqualTo(List.of(Map.of("type", "RequestMirror",
                "requestMirror", Map.of("backendRef", Map.of("name", "api-canary", "port", 8080), "percent", 35))));
        assertThat(mirror.get("backendRefs")).isEqualTo(List.of(Map.of("name", "api-stable", "port", 8080, "weight", 1)));
        // the weight is on the user's rule only, and reads back from it
        Map<String, Object> users = rules().get(2);
        assertThat((List<Map<String, Object>>) users.get("backendRefs")).extracting(b -> b.get("weight")).containsExactly(80, 20);
        assertThat(drive.lastApply().verifiedWeight()).contains(20);

        drive.runUntil(40, Phase.HEALTHY);
        drive.tick();
        assertThat(ruleNames()).containsExactly((Object) null);
        assertThat(drive.applies).anySatisfy(a -> assertThat(a.operations()).contains("gatewayAPI remove managed routes"));
        assertThat(drive.applies).allSatisfy(a -> assertThat(a.trafficVerified()).isTrue());
    }

    @Test
    void anAbortRemovesTheManagedRoutesBeforeAnyPodIsTouched() {
        httpRoute();
        drive.spec(rollout("app:1", GATEWAY)).runUntil(20, Phase.HEALTHY);
        drive.spec(rollout("app:2", GATEWAY));
        for (int i = 0; i < 40 && rules().size() < 3; i++) {
            drive.tick();
        }
        assertThat(ruleNames()).hasSize(3);
        drive.gates.add(GateDecision.of("abort-1", GateAction.ABORT, "alice", drive.now));
        drive.tick();
        assertThat(ruleNames()).containsExactly((Object) null);
        List<String> ops = drive.lastApply().operations();
        int removed = ops.indexOf("gatewayAPI remove managed routes");
        assertThat(removed).isGreaterThanOrEqualTo(0);
        assertThat(ops.subList(0, removed)).noneMatch(o -> o.startsWith("scale") || o.startsWith("create"));
        assertThat(drive.lastApply().verifiedWeight()).contains(0);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aRestartedProcessRemovesRoutesTheDesiredStateNoLongerHas() {
        drive.spec(IstioCanaryIT.rollout("app:1", false));
        Objects.generic(drive.client(), Objects.VS, NS, "api-vs", Map.of("http", List.of(
                Map.of("name", "stepwise-hdr", "match", List.of(Map.of("headers", Map.of("X-Canary", Map.of("exact", "yes")))),
                        "route", List.of(Map.of("destination", Map.of("host", "api-canary")))),
                Map.of("name", "primary", "route", List.of(Map.of("destination", Map.of("host", "api-stable"), "weight", 100),
                        Map.of("destination", Map.of("host", "api-canary"), "weight", 0))))));
        drive.tick();
        var http = Objects.list(Objects.spec(drive.client(), Objects.VS, NS, "api-vs").get("http"));
        assertThat(http).extracting(h -> ((Map<String, Object>) h).get("name")).containsExactly("primary");
        assertThat(drive.lastApply().operations()).first().isEqualTo("istio remove managed routes");
    }

    @Test
    @SuppressWarnings("unchecked")
    void albHeaderRoutesAreActionAndConditionAnnotationsWithAnIngressPathThenRemoved() {
        Objects.ingress(drive.client(), NS, "api-alb", "api-root", Map.of("alb.ingress.kubernetes.io/scheme", "internal"));
        String routing = "alb: {ingress: api-alb, servicePort: 443, rootService: api-root}";
        drive.spec(rollout("app:1", routing)).runUntil(20, Phase.HEALTHY);
        drive.spec(rollout("app:2", routing));
        var ingresses = drive.client().network().v1().ingresses().inNamespace(NS);
        for (int i = 0; i < 40 && !ingresses.withName("api-alb").get().getMetadata().getAnnotations()
                .containsKey("alb.ingress.kubernetes.io/conditions.hdr"); i++) {
            drive.tick();
        }
        var alb = ingresses.withName("api-alb").get();
        Map<String, String> a = alb.getMetadata().getAnnotations();
        var ser = drive.client().getKubernetesSerialization();
        assertThat(ser.unmarshal(a.get("alb.ingress.kubernetes.io/actions.hdr"), Map.class)).isEqualTo(Map.of("type", "forward",
                "forwardConfig", Map.of("targetGroups", List.of(Map.of("serviceName", "api-canary", "servicePort", "443", "weight", 100)))));
        assertThat(ser.unmarshal(a.get("alb.ingress.kubernetes.io/conditions.hdr"), List.class)).isEqualTo(List.of(
                Map.of("field", "http-header", "httpHeaderConfig", Map.of("httpHeaderName", "X-Canary", "values", List.of("yes"))),
                Map.of("field", "http-header", "httpHeaderConfig", Map.of("httpHeaderName", "X-Beta", "values", List.of("on*")))));
        assertThat(a).containsEntry("alb.ingress.kubernetes.io/scheme", "internal").containsEntry("stepwise.dev/managed-routes.api", "hdr");
        var paths = alb.getSpec().getRules().get(0).getHttp().getPaths();
        assertThat(paths).extracting(p -> p.getBackend().getService().getName()).containsExactly("hdr", "api-root");
        assertThat(paths.get(0).getBackend().getService().getPort().getName()).isEqualTo("use-annotation");
        assertThat(paths.get(0).getPath()).isEqualTo("/");
        // the weight's own action is untouched by the header route
        assertThat(a.get("alb.ingress.kubernetes.io/actions.api-root")).contains("\"serviceName\":\"api-canary\"");
        assertThat(drive.lastApply().findings()).filteredOn(f -> f.code().equals("UnsupportedRoute")).extracting(ClusterFinding::message)
                .containsExactly("traffic router 'alb' cannot mirror requests: setMirrorRoute is not applied there");

        drive.runUntil(40, Phase.HEALTHY);
        drive.tick();
        alb = ingresses.withName("api-alb").get();
        assertThat(alb.getMetadata().getAnnotations()).doesNotContainKeys("alb.ingress.kubernetes.io/actions.hdr",
                "alb.ingress.kubernetes.io/conditions.hdr", "stepwise.dev/managed-routes.api").containsKey("alb.ingress.kubernetes.io/actions.api-root");
        assertThat(alb.getSpec().getRules().get(0).getHttp().getPaths()).extracting(p -> p.getBackend().getService().getName())
                .containsExactly("api-root");
        assertThat(drive.applies).anySatisfy(x -> assertThat(x.operations()).contains("alb remove managed routes"));
    }

    @Test
    void smiAndAlbReportWhatTheyCannotRoute() {
        Objects.ingress(drive.client(), NS, "api-alb", "api-root", Map.of());
        String routing = "smi: {trafficSplitName: api-split}\nalb: {ingress: api-alb, servicePort: 443, rootService: api-root}";
        drive.spec(rollout("app:1", routing)).runUntil(20, Phase.HEALTHY);
        drive.spec(rollout("app:2", routing));
        for (int i = 0; i < 40 && drive.lastApply().findings().stream().noneMatch(f -> f.message().contains("mirror")); i++) {
            drive.tick();
        }
        assertThat(drive.lastApply().findings()).filteredOn(f -> f.code().equals("UnsupportedRoute"))
                .extracting(ClusterFinding::message).containsExactlyInAnyOrder(
                        "traffic router 'smi' cannot route by header: setHeaderRoute is not applied there, traffic follows the weight",
                        "traffic router 'smi' cannot mirror requests: setMirrorRoute is not applied there",
                        "traffic router 'alb' cannot mirror requests: setMirrorRoute is not applied there");
        // the weight still moves on both and is verified
        assertThat(drive.lastApply().verifiedWeight()).contains(20);
    }

    @Test
    void albCannotMatchAHeaderByRegex() {
        Objects.ingress(drive.client(), NS, "api-alb", "api-root", Map.of());
        String routing = "alb: {ingress: api-alb, servicePort: 443, rootService: api-root}";
        drive.spec(rollout("app:1", routing).replace("{prefix: 'on'}", "{regex: 'o.+'}")).runUntil(20, Phase.HEALTHY);
        drive.spec(rollout("app:2", routing).replace("{prefix: 'on'}", "{regex: 'o.+'}"));
        for (int i = 0; i < 40 && drive.lastApply().findings().stream().noneMatch(f -> f.message().contains("regex")); i++) {
            drive.tick();
        }
        assertThat(drive.lastApply().findings()).extracting(ClusterFinding::message)
                .contains("traffic router 'alb' cannot match a header by regex: header route 'hdr' is not applied");
        assertThat(drive.client().network().v1().ingresses().inNamespace(NS).withName("api-alb").get().getMetadata().getAnnotations())
                .doesNotContainKey("alb.ingress.kubernetes.io/conditions.hdr");
    }
}
