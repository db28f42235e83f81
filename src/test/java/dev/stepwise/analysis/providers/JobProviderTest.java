package dev.stepwise.analysis.providers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.analysis.MeasureArgs;
import dev.stepwise.analysis.Measurement;
import dev.stepwise.analysis.MeasurementError;
import dev.stepwise.analysis.MeasurementError.Kind;
import dev.stepwise.analysis.Pacer;
import dev.stepwise.analysis.Phase;
import dev.stepwise.spec.model.ProviderSpec;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The job provider against fabric8's Kubernetes mock server in CRUD mode. There is no Job controller in the mock, so
 * the test plays it: on the provider's second poll, it creates the Job's pod and sets the Job's status.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class JobProviderTest {

    static KubernetesClient client;
    static KubernetesMockServer server;

    private static final Map<String, Object> SMOKE = Map.of(
            "metadata", Map.of("labels", Map.of("team", "checkout")),
            "spec", Map.of("backoffLimit", 0, "template", Map.of("spec", Map.of("restartPolicy", "Never",
                    "containers", List.of(Map.of("name", "smoke", "image", "curlimages/curl:8.10.1",
                            "args", List.of("-fsS", "http://{{args.preview}}/healthz")))))));

    /** A pacer that acts as the Job controller on its second call: the Job finishes with {@code condition}. */
    private Pacer controller(String condition, String namespace, AtomicInteger calls) {
        return d -> {
            if (calls.incrementAndGet() == 2) {
                Job job = client.batch().v1().jobs().inNamespace(namespace).list().getItems().get(0);
                String name = job.getMetadata().getName();
                client.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName(name + "-x7k2p")
                        .addToLabels("job-name", name).endMetadata().build()).create();
                job.setStatus(new JobStatusBuilder().withConditions(new JobConditionBuilder().withType(condition)
                        .withStatus("True").build()).build());
                client.batch().v1().jobs().inNamespace(namespace).resource(job).updateStatus();
                server.expect().get().withPath("/api/v1/namespaces/" + namespace + "/pods/" + name + "-x7k2p/log?tailLines=20")
                        .andReturn(200, "GET /healthz 200\nsmoke test passed\n").always();
            }
            return true;
        };
    }

    @Test
    void aCompletedJobIsASuccessWithItsLogTail() {
        AtomicInteger calls = new AtomicInteger();
        JobProvider provider = new JobProvider(client, "checkout", Clock.systemUTC(), controller("Complete", "checkout", calls), Duration.ofSeconds(1));
        Measurement m = provider.measure(new ProviderSpec("job", SMOKE), MeasureArgs.of(Map.of("preview", "checkout-preview:8080")));
        assertThat(m.error()).isEmpty();
        assertThat(m.value()).contains("Complete");
        assertThat(m.providerPhase()).contains(Phase.SUCCESSFUL);
        assertThat((String) m.evidence().get("logTail")).contains("smoke test passed");
        assertThat(calls.get()).isEqualTo(2);
        // the Job is deleted once decided
        assertThat(client.batch().v1().jobs().inNamespace("checkout").list().getItems()).isEmpty();
    }

    @Test
    void aFailedJobIsAFailureNotAnError() {
        AtomicInteger calls = new AtomicInteger();
        JobProvider provider = new JobProvider(client, "payments", Clock.systemUTC(), d -> {
            if (calls.get() == 0) {
                // check what was created before the controller acts: arguments substituted, labels kept
                Job job = client.batch().v1().jobs().inNamespace("payments").list().getItems().get(0);
                assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs()).contains("http://pay:8080/healthz");
                assertThat(job.getMetadata().getLabels()).containsEntry("team", "checkout").containsEntry("app.kubernetes.io/managed-by", "stepwise");
            }
            return controller("Failed", "payments", calls).pause(d);
        }, Duration.ofSeconds(1));
        Measurement m = provider.measure(new ProviderSpec("job", SMOKE), MeasureArgs.of(Map.of("preview", "pay:8080")));
        assertThat(m.value()).contains("Failed");
        assertThat(m.providerPhase()).contains(Phase.FAILED);
    }

    @Test
    void aJobThatNeverFinishesTimesOut() {
        Map<String, Object> config = new java.util.HashMap<>(SMOKE);
        config.put("timeout", "3s");
        JobProvider provider = new JobProvider(client, "slow", Clock.systemUTC(), d -> true, Duration.ofSeconds(1));
        // the pacer does not wait, so the deadline is reached by the clock alone: bound the loop with a moving clock
        JobProvider bounded = new JobProvider(client, "slow", new TickingClock(Duration.ofSeconds(1)), d -> true, Duration.ofSeconds(1));
        MeasurementError e = bounded.measure(new ProviderSpec("job", config), MeasureArgs.of(Map.of("preview", "x"))).error().orElseThrow();
        assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(provider.type()).isEqualTo("job");
    }

    @Test
    void aPodTemplateThatKubernetesWouldRefuseIsAConfigurationProblem() {
        JobProvider provider = new JobProvider(client, "x", Clock.systemUTC(), d -> true, Duration.ofSeconds(1));
        Map<String, Object> always = Map.of("spec", Map.of("template", Map.of("spec", Map.of("restartPolicy", "Always",
                "containers", List.of(Map.of("name", "c", "image", "busybox"))))));
        assertThat(provider.check(new ProviderSpec("job", always), MeasureArgs.NONE)).extracting(p -> p.pointer())
                .containsExactly("/spec/template/spec/restartPolicy");
        assertThat(provider.measure(new ProviderSpec("job", Map.of()), MeasureArgs.NONE).error())
                .get().extracting(MeasurementError::kind).isEqualTo(Kind.MISCONFIGURED);
    }

    /** A clock that moves forward by {@code step} every time it is read. */
    static final class TickingClock extends Clock {
        private final Duration step;
        private java.time.Instant now = java.time.Instant.parse("2026-03-01T12:00:00Z");

        TickingClock(Duration step) {
            this.step = step;
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public synchronized java.time.Instant instant() {
            now = now.plus(step);
            return now;
        }
    }
}
