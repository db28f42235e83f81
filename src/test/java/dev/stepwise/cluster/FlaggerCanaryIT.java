package dev.stepwise.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.engine.GateAction;
import dev.stepwise.engine.GateDecision;
import dev.stepwise.engine.Phase;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Flagger's model on the embedded API server: the Canary's target Deployment runs the canary, a generated
 * {@code <target>-primary} Deployment the stable version, and Flagger's three Services are pinned by whole selectors.
 * A new release is a new pod template in the target Deployment (the Canary document does not change).
 */
class FlaggerCanaryIT {
    static final String NS = "production";
    static final String CANARY = canary("istio");

    static String canary(String provider) {
        return """
                apiVersion: flagger.app/v1beta1
                kind: Canary
                metadata: {name: store-api, namespace: production}
                spec:
                  provider: %s
                  targetRef: {apiVersion: apps/v1, kind: Deployment, name: store-api}
                  progressDeadlineSeconds: 600
                  service:
                    port: 80
                    targetPort: 8080
                    hosts: [store.example.com]
                    gateways: [public-gateway]
                    gatewayRefs: [{name: public, namespace: istio-ingress}]
                  analysis:
                    interval: 1m
                    threshold: 5
                    maxWeight: 30
                    stepWeight: 10
                """.formatted(provider);
    }

    ClusterDrive drive;

    @BeforeEach
    void cluster() {
        drive = new ClusterDrive();
        objects(drive.client());
        drive.spec(CANARY);
    }

    /**
     * The user's objects: the target Deployment, nothing else. Flagger's three Services and its VirtualService are not
     * among them: Stepwise generates them from the Canary's {@code service} block, as Flagger does.
     */
    static void objects(io.fabric8.kubernetes.client.KubernetesClient c) {
        c.apps().deployments().inNamespace(NS).resource(target("store:1", 3)).create();
    }

    @AfterEach
    void stop() {
        drive.close();
    }

    static Deployment target(String image, int replicas) {
        return new DeploymentBuilder().withNewMetadata().withName("store-api").withNamespace(NS).endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().withMatchLabels(Map.of("app", "store-api")).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(Map.of("app", "store-api")).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage(image).endContainer().endSpec().endTemplate()
                .endSpec().build();
    }

    /** A release: the target Deployment gets a new image (what `kubectl apply` of the app's manifest does). */
    void release(String image) {
        release(drive.client(), image);
    }

    static void release(io.fabric8.kubernetes.client.KubernetesClient c, String image) {
        c.apps().deployments().inNamespace(NS).withName("store-api").edit(d -> new DeploymentBuilder(d)
                .editSpec().editTemplate().editSpec().editFirstContainer().withImage(image).endContainer().endSpec().endTemplate()
                .withReplicas(3).endSpec().build());
    }

    Deployment deployment(String name) {
        return drive.client().apps().deployments().inNamespace(NS).withName(name).get();
    }

    String image(String name) {
        return deployment(name).getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    Map<String, String> selector(String service) {
        return drive.client().services().inNamespace(NS).withName(service).get().getSpec().getSelector();
    }

    @SuppressWarnings("unchecked")
    int weight(String host) {
        Map<String, Object> spec = Objects.spec(drive.client(), Objects.VS, NS, "store-api");
        Map<String, Object> route = (Map<String, Object>) Objects.list(spec.get("http")).get(0);
        for (Object d : Objects.list(route.get("route"))) {
            Map<String, Object> dest = (Map<String, Object>) d;
            if (host.equals(((Map<String, Object>) dest.get("destination")).get("host"))) {
                return ((Number) dest.get("weight")).intValue();
            }
        }
        throw new AssertionError("no destination " + host);
    }

    /** What one step looks like on the cluster. */
    record Seen(int canaryWeight, int primaryWeight, int targetReplicas, int primaryReplicas, String primaryImage) {
    }

    Seen seen() {
        return new Seen(weight("store-api-canary"), weight("store-api-primary"), deployment("store-api").getSpec().getReplicas(),
                deployment("store-api-primary").getSpec().getReplicas(), image("store-api-primary"));
    }

    void assertServicesAreFlaggers() {
        assertThat(selector("store-api")).containsExactlyEntriesOf(Map.of("app", "store-api-primary"));
        assertThat(selector("store-api-primary")).containsExactlyEntriesOf(Map.of("app", "store-api-primary"));
        assertThat(selector("store-api-canary")).containsExactlyEntriesOf(Map.of("app", "store-api"));
    }

    @Test
    void initialisesThePrimaryThenWalksEveryWeightAndPromotes() {
        drive.runUntil(20, Phase.HEALTHY);
        drive.tick();
        String v1 = drive.spec.podTemplateHash();
        Deployment primary = deployment("store-api-primary");
        assertThat(primary.getSpec().getSelector().getMatchLabels()).containsExactlyEntriesOf(Map.of("app", "store-api-primary"));
        assertThat(primary.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("app", "store-api-primary")
                .containsEntry(StepwiseLabels.HASH, v1);
        assertThat(primary.getMetadata().getAnnotations()).containsEntry(StepwiseLabels.VERSION, v1);
        assertThat(primary.getSpec().getReplicas()).isEqualTo(3);
        assertThat(primary.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
            assertThat(o.getKind()).isEqualTo("Deployment");
            assertThat(o.getName()).isEqualTo("store-api");
            assertThat(o.getUid()).isEqualTo(deployment("store-api").getMetadata().getUid()).isNotBlank();
            assertThat(o.getController()).isFalse();
        });
        assertThat(image("store-api-primary")).isEqualTo("store:1");
        // Flagger scales the target to zero once the primary serves
        assertThat(deployment("store-api").getSpec().getReplicas()).isZero();
        assertServicesAreFlaggers();
        assertThat(weight("store-api-canary")).isZero();

        List<Seen> steps = new ArrayList<>();
        drive.afterEach = d -> steps.add(seen());
        release("store:2");
        drive.runUntil(60, Phase.HEALTHY);
        drive.tick();
        String v2 = drive.spec.podTemplateHash();
        assertThat(v2).isNotEqualTo(v1);

        List<Seen> distinct = steps.stream().distinct().toList();
        // every weight of the Canary in order with the engine's canary scale (ceil(weight x 3 replicas)); the target at
        // full size before the promotion copies store:2 into the primary (untouched until then); then all traffic back
        // to the primary and the target to zero
        assertThat(distinct).containsExactly(
                new Seen(10, 90, 1, 3, "store:1"),
                new Seen(20, 80, 1, 3, "store:1"),
                new Seen(30, 70, 1, 3, "store:1"),
                new Seen(30, 70, 3, 3, "store:1"),
                new Seen(0, 100, 3, 3, "store:2"),
                new Seen(0, 100, 0, 3, "store:2"));
        assertThat(steps).allSatisfy(s -> assertThat(s.primaryReplicas()).isEqualTo(3));
        assertThat(distinct.get(distinct.size() - 1)).isEqualTo(new Seen(0, 100, 0, 3, "store:2"));
        assertThat(deployment("store-api-primary").getMetadata().getAnnotations()).containsEntry(StepwiseLabels.VERSION, v2);
        assertServicesAreFlaggers();
        assertThat(drive.applies).allSatisfy(a -> assertThat(a.findings()).noneMatch(f -> f.code().equals("Drift")));
    }

    @Test
    void flaggersThreeServicesAreGeneratedFromTheCanarysServiceBlock() {
        drive.tick();
        for (String name : List.of("store-api", "store-api-primary", "store-api-canary")) {
            io.fabric8.kubernetes.api.model.Service svc = drive.client().services().inNamespace(NS).withName(name).get();
            assertThat(svc).as(name).isNotNull();
            assertThat(svc.getSpec().getType()).isEqualTo("ClusterIP");
            assertThat(svc.getSpec().getPorts()).singleElement().satisfies(p -> {
                assertThat(p.getName()).isEqualTo("http");
                assertThat(p.getProtocol()).isEqualTo("TCP");
                assertThat(p.getPort()).isEqualTo(80);
                assertThat(p.getTargetPort().getIntVal()).isEqualTo(8080);
            });
            assertThat(svc.getMetadata().getLabels()).containsEntry(StepwiseLabels.MANAGED_BY, "stepwise");
        }
        assertServicesAreFlaggers();
        assertThat(drive.lastApply().findings()).noneMatch(f -> f.code().equals("MissingObject"));
        assertThat(drive.log.all()).filteredOn(r -> r.method().equals("POST") && r.path().endsWith("/services")).hasSize(3);

        // created once: the next decisions find them and send no second create
        drive.log.clear();
        drive.runUntil(20, Phase.HEALTHY);
        assertThat(drive.log.all()).noneMatch(r -> r.method().equals("POST") && r.path().endsWith("/services"));
    }

    @Test
    void theVirtualServiceIsGeneratedAtFullPrimaryWithTheCanarysHostsAndGateways() {
        drive.tick();
        Map<String, Object> spec = Objects.spec(drive.client(), Objects.VS, NS, "store-api");
        assertThat(spec.get("hosts")).isEqualTo(List.of("store-api", "store.example.com"));
        assertThat(spec.get("gateways")).isEqualTo(List.of("public-gateway"));
        assertThat(weight("store-api-primary")).isEqualTo(100);
        assertThat(weight("store-api-canary")).isZero();
        assertThat(drive.lastApply().operations()).contains("create VirtualService store-api");
        // looked for once: later applies do not ask for it again just to see that it exists
        drive.log.clear();
        drive.tick();
        assertThat(drive.log.all()).filteredOn(r -> r.method().equals("GET") && r.path().endsWith("/virtualservices/store-api"))
                .hasSizeLessThanOrEqualTo(2); // the weight's write and its read-back
        // deleted by hand: the read-back fails, and the next apply creates it again
        drive.client().genericKubernetesResources(Objects.VS).inNamespace(NS).withName("store-api").delete();
        drive.tick();
        drive.tick();
        assertThat(drive.client().genericKubernetesResources(Objects.VS).inNamespace(NS).withName("store-api").get()).isNotNull();
        // and the router drives it from then on: a release walks its weights
        drive.runUntil(20, Phase.HEALTHY);
        drive.tick();
        release("store:2");
        drive.spec(CANARY);
        for (int i = 0; i < 30 && weight("store-api-canary") < 10; i++) {
            drive.tick();
        }
        assertThat(weight("store-api-canary")).isEqualTo(10);
        assertThat(weight("store-api-primary")).isEqualTo(90);
    }

    @Test
    void aServiceTheUserAlreadyHasIsKeptAndOnlyItsSelectorIsFlaggers() {
        drive.client().services().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.ServiceBuilder()
                .withNewMetadata().withName("store-api").withNamespace(NS).addToLabels("team", "shop").endMetadata()
                .withNewSpec().withSelector(Map.of("app", "store-api-primary")).addNewPort().withName("web").withPort(8000).endPort()
                .endSpec().build()).create();
        drive.log.clear();
        drive.tick();
        io.fabric8.kubernetes.api.model.Service apex = drive.client().services().inNamespace(NS).withName("store-api").get();
        assertThat(apex.getSpec().getPorts()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(8000));
        assertThat(apex.getMetadata().getLabels()).containsEntry("team", "shop");
        assertThat(drive.log.all()).filteredOn(r -> r.method().equals("POST") && r.path().endsWith("/services")).hasSize(2);
    }

    @Test
    void aHandEditedFlaggerServiceIsRestoredWithoutRemovingKeys() {
        drive.runUntil(20, Phase.HEALTHY);
        drive.client().services().inNamespace(NS).withName("store-api-canary")
                .edit(s -> { s.getSpec().setSelector(new java.util.HashMap<>(Map.of("app", "store-api-primary", "team", "shop"))); return s; });
        drive.log.clear(); // the edit above is the user's request, not Stepwise's
        drive.tick();
        assertThat(drive.lastApply().findings()).anySatisfy(f -> {
            assertThat(f.code()).isEqualTo("Drift");
            assertThat(f.object()).isEqualTo("Service/production/store-api-canary");
        });
        // the key Stepwise owns is back; the user's extra key stays, and no key is ever set to null
        assertThat(selector("store-api-canary")).containsExactlyInAnyOrderEntriesOf(Map.of("app", "store-api", "team", "shop"));
        assertThat(selector("store-api-canary").values()).doesNotContainNull();
        assertThat(drive.log.all()).filteredOn(r -> r.method().equals("PATCH") && r.path().endsWith("/services/store-api-canary")).hasSize(1);
    }

    @Test
    void anAbortSendsTrafficBackToThePrimaryAndScalesTheTargetToZero() {
        drive.runUntil(20, Phase.HEALTHY);
        drive.tick();
        release("store:2");
        drive.spec(CANARY);
        for (int i = 0; i < 30 && weight("store-api-canary") < 20; i++) {
            drive.tick();
        }
        assertThat(weight("store-api-canary")).isEqualTo(20);
        assertThat(deployment("store-api").getSpec().getReplicas()).isEqualTo(1);
        assertThat(deployment("store-api").getStatus().getAvailableReplicas()).isEqualTo(1);
        List<Seen> after = new ArrayList<>();
        drive.afterEach = d -> after.add(seen());
        drive.gates.add(GateDecision.of("abort-1", GateAction.ABORT, "alice", drive.now));
        drive.tick();
        assertThat(weight("store-api-canary")).isZero();
        assertThat(drive.lastApply().trafficVerified()).isTrue();
        drive.runUntil(20, Phase.DEGRADED);
        for (int i = 0; i < 5; i++) {
            drive.tick();
        }
        assertThat(after).allSatisfy(s -> assertThat(s).extracting(Seen::primaryReplicas, Seen::primaryImage).containsExactly(3, "store:1"));
        assertThat(seen()).isEqualTo(new Seen(0, 100, 0, 3, "store:1"));
        assertServicesAreFlaggers();
    }
}
