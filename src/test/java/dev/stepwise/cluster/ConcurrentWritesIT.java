package dev.stepwise.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.engine.Phase;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Optimistic concurrency of the patches that replace state read earlier (replica counts, Service selectors, NGINX
 * and ALB annotations): another writer changes the object between Stepwise's read and its patch. The patch carries
 * the resourceVersion read, so the server answers 409; Stepwise reads again and patches again, and both writes are
 * in the final object.
 */
class ConcurrentWritesIT {
    static final String NS = "shop";
    ClusterDrive drive;
    Race race;

    /**
     * An interceptor on Stepwise's client: before the first PATCH of each object, another client (no interceptor)
     * labels that object, which moves its resourceVersion on.
     */
    static final class Race implements Interceptor {
        final KubernetesClient other;
        /** path → the label value the other writer set. */
        final Map<String, String> struck = new LinkedHashMap<>();

        Race(KubernetesClient other) {
            this.other = other;
        }

        @Override
        public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
            String path = request.uri().getPath();
            if (!request.method().equals("PATCH") || struck.containsKey(path)) {
                return;
            }
            String name = path.substring(path.lastIndexOf('/') + 1);
            struck.put(path, "other-" + struck.size());
            String value = struck.get(path);
            if (path.contains("/replicasets/")) {
                other.apps().replicaSets().inNamespace(NS).withName(name).edit(o -> touch(o, value));
            } else if (path.contains("/services/")) {
                other.services().inNamespace(NS).withName(name).edit(o -> touch(o, value));
            } else if (path.contains("/ingresses/")) {
                other.network().v1().ingresses().inNamespace(NS).withName(name).edit(o -> touch(o, value));
            } else {
                struck.remove(path);
            }
        }

        static <T extends HasMetadata> T touch(T o, String value) {
            Map<String, String> labels = new LinkedHashMap<>(o.getMetadata().getLabels() == null ? Map.of() : o.getMetadata().getLabels());
            labels.put("touched-by", value);
            o.getMetadata().setLabels(labels);
            return o;
        }
    }

    @BeforeEach
    void cluster() {
        drive = new ClusterDrive();
        Objects.service(drive.client(), NS, "api-stable");
        Objects.service(drive.client(), NS, "api-canary");
        race = new Race(drive.cluster.newClient(b -> { }));
        drive.target = new ClusterTarget(drive.cluster.newClient(b -> b.addOrReplaceInterceptor("log", drive.log)
                .addOrReplaceInterceptor("race", race)));
    }

    @AfterEach
    void stop() {
        race.other.close();
        drive.close();
    }

    String label(HasMetadata o) {
        return o.getMetadata().getLabels() == null ? null : o.getMetadata().getLabels().get("touched-by");
    }

    @Test
    void replicaCountsAndSelectorsAreRetriedOnAConflictAndKeepTheOtherWrite() {
        drive.spec(ClusterBehaviourIT.basic("app:1", 600)).runUntil(20, Phase.HEALTHY);
        String v1 = drive.spec.podTemplateHash();
        drive.spec(ClusterBehaviourIT.basic("app:2", 600)).runUntil(40, Phase.HEALTHY);
        String v2 = drive.spec.podTemplateHash();
        drive.tick();

        // every object patched was changed by the other writer first: one 409 and one retry each
        assertThat(race.struck.keySet()).anyMatch(p -> p.endsWith("/replicasets/api-" + v1))
                .anyMatch(p -> p.endsWith("/services/api-canary")).anyMatch(p -> p.endsWith("/services/api-stable"));
        assertThat(drive.target.writes().conflicts()).isEqualTo(race.struck.size());
        long patches = drive.log.all().stream().filter(r -> r.method().equals("PATCH") && r.path().endsWith("/services/api-canary")).count();
        assertThat(patches).isGreaterThanOrEqualTo(2); // the refused one and the retry

        // Stepwise's write and the other writer's are both there
        var stable = drive.client().services().inNamespace(NS).withName("api-stable").get();
        assertThat(stable.getSpec().getSelector()).containsEntry(StepwiseLabels.HASH, v2);
        assertThat(label(stable)).startsWith("other-");
        var old = drive.client().apps().replicaSets().inNamespace(NS).withName("api-" + v1).get();
        assertThat(old.getSpec().getReplicas()).isZero();
        assertThat(label(old)).startsWith("other-");
        assertThat(old.getMetadata().getAnnotations()).containsEntry(StepwiseLabels.APPLIED_REPLICAS, "0");
        assertThat(Objects.replicaSets(drive.client(), NS)).containsEntry("api-" + v2, 4);
    }

    @Test
    void nginxAnnotationPatchesAreRetriedOnAConflict() {
        Objects.ingress(drive.client(), NS, "api-ingress", "api-stable", Map.of());
        String routing = "nginx: {stableIngress: api-ingress}";
        drive.spec(RoutersIT.rollout("app:1", routing)).runUntil(20, Phase.HEALTHY);
        drive.spec(RoutersIT.rollout("app:2", routing));
        for (int i = 0; i < 40 && drive.client().network().v1().ingresses().inNamespace(NS).withName("api-ingress-api-canary").get() == null; i++) {
            drive.tick();
        }
        drive.tick();
        drive.tick();
        assertThat(race.struck.keySet()).anyMatch(p -> p.endsWith("/ingresses/api-ingress-api-canary"));
        assertThat(drive.target.writes().conflicts()).isEqualTo(race.struck.size());
        var canary = drive.client().network().v1().ingresses().inNamespace(NS).withName("api-ingress-api-canary").get();
        assertThat(label(canary)).startsWith("other-");
        assertThat(canary.getMetadata().getAnnotations()).containsEntry("nginx.ingress.kubernetes.io/canary-weight", "20");
        assertThat(drive.lastApply().verifiedWeight()).contains(20);
    }

    @Test
    void albActionPatchesAreRetriedOnAConflict() {
        Objects.ingress(drive.client(), NS, "api-alb", "api-root", Map.of());
        String routing = "alb: {ingress: api-alb, servicePort: 443, rootService: api-root}";
        drive.spec(RoutersIT.rollout("app:1", routing)).runUntil(20, Phase.HEALTHY);
        drive.spec(RoutersIT.rollout("app:2", routing));
        for (int i = 0; i < 5; i++) {
            drive.tick();
        }
        assertThat(race.struck.keySet()).anyMatch(p -> p.endsWith("/ingresses/api-alb"));
        assertThat(drive.target.writes().conflicts()).isEqualTo(race.struck.size());
        var alb = drive.client().network().v1().ingresses().inNamespace(NS).withName("api-alb").get();
        assertThat(label(alb)).startsWith("other-");
        int weight = drive.lastApply().verifiedWeight().orElseThrow();
        assertThat(weight).isIn(20, 60);
        assertThat(alb.getMetadata().getAnnotations().get("alb.ingress.kubernetes.io/actions.api-root"))
                .contains("{\"serviceName\":\"api-canary\",\"servicePort\":\"443\",\"weight\":" + weight + "}");
    }
}
