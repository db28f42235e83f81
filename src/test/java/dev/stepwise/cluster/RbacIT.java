package dev.stepwise.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.analysis.MeasureArgs;
import dev.stepwise.analysis.Measurement;
import dev.stepwise.analysis.Pacer;
import dev.stepwise.analysis.providers.JobProvider;
import dev.stepwise.cluster.embedded.EmbeddedCluster;
import dev.stepwise.engine.GateAction;
import dev.stepwise.engine.GateDecision;
import dev.stepwise.engine.Phase;
import dev.stepwise.spec.model.ProviderSpec;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Least privilege, proved: every request the cluster code sends in a run of every router and strategy (abort
 * included) must be allowed by the ClusterRole the base install deploys and by the Role of the namespaced install,
 * and every rule there must be used. The files are named here once: {@code DeployManifestsTest} checks that they are
 * the ones the kustomizations actually deploy, so this proof is about what gets installed.
 */
public class RbacIT {

    /** The ClusterRole of {@code kubectl apply -k deploy/base}. */
    public static final String CLUSTER_ROLE_FILE = "deploy/base/clusterrole.yaml";
    /** The Role of {@code kubectl apply -k deploy/overlays/namespaced} (same rules, no cluster scope). */
    public static final String NAMESPACED_ROLE_FILE = "deploy/overlays/namespaced/role.yaml";

    public record Permission(String group, String resource, String verb) {
    }

    static Permission permission(RequestLog.Request r) {
        String[] p = r.path().substring(1).split("/");
        int i;
        String group;
        if (p[0].equals("api")) {
            group = "";
            i = 2;
        } else {
            group = p[1];
            i = 3;
        }
        if (p.length > i && p[i].equals("namespaces") && p.length > i + 2) {
            i += 2;
        }
        String resource = p[i];
        boolean named = p.length > i + 1;
        if (p.length > i + 2) {
            resource += "/" + p[i + 2];
        }
        String verb = switch (r.method()) {
            case "GET" -> named ? "get" : (r.query() != null && r.query().contains("watch=true") ? "watch" : "list");
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> named ? "delete" : "deletecollection";
            default -> r.method();
        };
        return new Permission(group, resource, verb);
    }

    /** Every (group, resource, verb) a one-document Role or ClusterRole file grants; fails on wildcards and Secrets. */
    @SuppressWarnings("unchecked")
    public static Set<Permission> granted(String file) throws IOException {
        Map<String, Object> role = (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(Path.of(file)));
        Set<Permission> out = new LinkedHashSet<>();
        for (Object o : (List<Object>) role.get("rules")) {
            Map<String, Object> rule = (Map<String, Object>) o;
            for (Object g : (List<Object>) rule.get("apiGroups")) {
                for (Object res : (List<Object>) rule.get("resources")) {
                    for (Object v : (List<Object>) rule.get("verbs")) {
                        assertThat(List.of(g, res, v)).as("no wildcards").doesNotContain("*");
                        assertThat(res).as("no secrets").isNotEqualTo("secrets");
                        out.add(new Permission((String) g, (String) res, (String) v));
                    }
                }
            }
        }
        return out;
    }

    @Test
    void everyRequestIsCoveredByTheRolesInDeploy() throws IOException {
        List<RequestLog.Request> requests = new ArrayList<>();
        requests.addAll(run(d -> {
            Objects.generic(d.client(), Objects.DR, "shop", "api-dr", Map.of("subsets", List.of(Map.of("name", "stable"), Map.of("name", "canary"))));
            Objects.generic(d.client(), Objects.VS, "shop", "api-vs", Map.of("http", List.of(Map.of("name", "primary",
                    "route", List.of(Map.of("destination", Map.of("host", "api", "subset", "stable"), "weight", 100),
                            Map.of("destination", Map.of("host", "api", "subset", "canary"), "weight", 0))))));
        }, IstioCanaryIT.rollout("app:1", true), IstioCanaryIT.rollout("app:2", true)));
        requests.addAll(run(d -> Objects.ingress(d.client(), "shop", "api-ingress", "api-stable", Map.of()),
                RoutersIT.rollout("app:1", "nginx: {stableIngress: api-ingress}"), RoutersIT.rollout("app:2", "nginx: {stableIngress: api-ingress}")));
        requests.addAll(run(d -> { }, RoutersIT.rollout("app:1", "smi: {trafficSplitName: s}"), RoutersIT.rollout("app:2", "smi: {trafficSplitName: s}")));
        requests.addAll(run(d -> Objects.ingress(d.client(), "shop", "api-alb", "api-root", Map.of()),
                RoutersIT.rollout("app:1", "alb: {ingress: api-alb, servicePort: 80}"), RoutersIT.rollout("app:2", "alb: {ingress: api-alb, servicePort: 80}")));
        String gw = "plugins:\n  argoproj-labs/gatewayAPI: {httpRoute: r}\n";
        requests.addAll(run(d -> Objects.generic(d.client(), Objects.ROUTE, "shop", "r", Map.of("rules", List.of(Map.of("backendRefs", List.of(
                        Map.of("name", "api-stable", "weight", 100), Map.of("name", "api-canary", "weight", 0)))))),
                RoutersIT.rollout("app:1", gw), RoutersIT.rollout("app:2", gw)));
        requests.addAll(run(d -> { }, ClusterBehaviourIT.blueGreen("app:1"), ClusterBehaviourIT.blueGreen("app:2")));
        // header and mirror routes written, then removed by the abort
        requests.addAll(run(d -> Objects.generic(d.client(), Objects.ROUTE, "shop", "api-route", Map.of("rules", List.of(Map.of("backendRefs",
                        List.of(Map.of("name", "api-stable", "weight", 100), Map.of("name", "api-canary", "weight", 0)))))),
                ManagedRoutesIT.rollout("app:1", ManagedRoutesIT.GATEWAY), ManagedRoutesIT.rollout("app:2", ManagedRoutesIT.GATEWAY), 6, d -> { }));
        // experiment ReplicaSets created, then deleted when the experiment ends
        requests.addAll(run(d -> { }, ExperimentsIT.rollout("app:1"), ExperimentsIT.rollout("app:2"), 6, d -> { }));
        // Flagger: the primary created from the target, a release in the target, the abort
        requests.addAll(run(d -> FlaggerCanaryIT.objects(d.client()), FlaggerCanaryIT.CANARY, FlaggerCanaryIT.CANARY, 4,
                d -> FlaggerCanaryIT.release(d.client(), "store:2")));
        // the same on Gateway API: Stepwise generates the HTTPRoute
        String gatewayCanary = FlaggerCanaryIT.canary("gatewayapi:v1");
        requests.addAll(run(d -> FlaggerCanaryIT.objects(d.client()), gatewayCanary, gatewayCanary, 4,
                d -> FlaggerCanaryIT.release(d.client(), "store:2")));

        requests.addAll(jobMeasurement());

        Set<Permission> used = new LinkedHashSet<>();
        requests.forEach(r -> used.add(permission(r)));
        for (String file : List.of(CLUSTER_ROLE_FILE, NAMESPACED_ROLE_FILE)) {
            Set<Permission> granted = granted(file);
            assertThat(granted).as(file + " must allow every request the code sent").containsAll(used);
        }
        // and nothing is granted "just in case" beyond what the code can send (Deployments: workloadRef and Flagger paths)
        Set<Permission> unused = new LinkedHashSet<>(granted(CLUSTER_ROLE_FILE));
        unused.removeAll(used);
        assertThat(unused).allSatisfy(p -> assertThat(p.resource() + " " + p.verb()).isIn("deployments update"));
    }

    /**
     * One measurement of the {@code job} metric provider, through a recording client. The test's own client plays the
     * Job controller (the pod, the Job's Complete condition) and is not recorded: that is not Stepwise's doing.
     */
    static List<RequestLog.Request> jobMeasurement() {
        RequestLog log = new RequestLog();
        try (EmbeddedCluster cluster = EmbeddedCluster.start(Duration.ZERO);
             KubernetesClient recorded = cluster.newClient(b -> b.addOrReplaceInterceptor("log", log))) {
            KubernetesClient controller = cluster.client();
            Pacer actAsJobController = d -> {
                Job job = controller.batch().v1().jobs().inNamespace("shop").list().getItems().get(0);
                String name = job.getMetadata().getName();
                controller.pods().inNamespace("shop").resource(new PodBuilder().withNewMetadata().withName(name + "-x")
                        .addToLabels("job-name", name).endMetadata().build()).create();
                job.setStatus(new JobStatusBuilder().withConditions(new JobConditionBuilder().withType("Complete")
                        .withStatus("True").build()).build());
                controller.batch().v1().jobs().inNamespace("shop").resource(job).updateStatus();
                return true;
            };
            Map<String, Object> smoke = Map.of("spec", Map.of("template", Map.of("spec", Map.of("restartPolicy", "Never",
                    "containers", List.of(Map.of("name", "smoke", "image", "curlimages/curl:8.10.1"))))));
            Measurement m = new JobProvider(recorded, "shop", java.time.Clock.systemUTC(), actAsJobController, Duration.ofSeconds(1))
                    .measure(new ProviderSpec("job", smoke), MeasureArgs.NONE);
            assertThat(m.value()).contains("Complete");
            assertThat(log.all()).extracting(RequestLog.Request::method).contains("POST", "GET", "DELETE");
            return log.all();
        }
    }

    /** Runs v1 then v2 to Healthy, then v2's abort path is exercised by a retry on v1 (a rollback). */
    static List<RequestLog.Request> run(java.util.function.Consumer<ClusterDrive> setup, String v1, String v2) {
        return run(setup, v1, v2, 2, d -> { });
    }

    /** As above, with {@code ticks} decisions of v2 before the abort and {@code release} run before v2 starts. */
    static List<RequestLog.Request> run(java.util.function.Consumer<ClusterDrive> setup, String v1, String v2, int ticks,
                                        java.util.function.Consumer<ClusterDrive> release) {
        try (ClusterDrive d = new ClusterDrive()) {
            for (String s : List.of("api-stable", "api-canary", "api-active", "api-preview")) {
                Objects.service(d.client(), "shop", s);
            }
            setup.accept(d);
            d.log.clear(); // the test's own setup (the user's objects) is not Stepwise's doing
            d.spec(v1).runUntil(20, Phase.HEALTHY);
            release.accept(d);
            d.spec(v2);
            for (int i = 0; i < ticks; i++) {
                d.tick();
            }
            d.gates.add(GateDecision.of("abort", GateAction.ABORT, "test", d.now));
            d.runUntil(20, Phase.DEGRADED);
            return d.log.all();
        }
    }
}
