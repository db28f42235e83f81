package dev.stepwise.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stepwise.analysis.FakeApi;
import dev.stepwise.analysis.FakeApi.Answer;
import dev.stepwise.analysis.MetricProviders;
import dev.stepwise.analysis.ProviderSettings;
import dev.stepwise.engine.MeasurementDue;
import dev.stepwise.engine.analysis.Measurement;
import dev.stepwise.git.RolloutKey;
import dev.stepwise.spec.model.FlaggerSource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Flagger Canary's webhooks outside the analysis, through the whole loop (Git, the embedded cluster, real HTTP to a
 * receiver in the test): {@code rollback} asked while a release is in flight and obeyed when it answers 200,
 * {@code event} told every event, {@code post-rollout} told how the release ended.
 */
class FlaggerWebhooksIT {

    @TempDir
    Path tmp;
    ReconcileFixture f;
    FakeApi receiver;
    MetricProviders providers;
    final AtomicBoolean rollBack = new AtomicBoolean(false);
    final AtomicBoolean approved = new AtomicBoolean(false);

    static final String NS = "shop";

    String canary() {
        return """
                apiVersion: flagger.app/v1beta1
                kind: Canary
                metadata: {name: store, namespace: shop}
                spec:
                  provider: istio
                  targetRef: {apiVersion: apps/v1, kind: Deployment, name: store}
                  service: {port: 80, targetPort: 8080}
                  analysis:
                    interval: 1m
                    threshold: 2
                    maxWeight: 30
                    stepWeight: 10
                    webhooks:
                      - {name: stop, type: rollback, url: "%1$s/rollback"}
                      - {name: audit, type: event, url: "%1$s/events"}
                      - {name: notify, type: post-rollout, url: "%1$s/post", metadata: {channel: releases}}
                      - {name: approve, type: confirm-promotion, url: "%1$s/gate"}
                """.formatted(receiver.url());
    }

    static Deployment target(String image) {
        return new DeploymentBuilder().withNewMetadata().withName("store").withNamespace(NS).endMetadata()
                .withNewSpec().withReplicas(3).withNewSelector().withMatchLabels(Map.of("app", "store")).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(Map.of("app", "store")).endMetadata()
                .withNewSpec().addNewContainer().withName("store").withImage(image).endContainer().endSpec().endTemplate()
                .endSpec().build();
    }

    @BeforeEach
    void start() throws Exception {
        receiver = new FakeApi();
        receiver.answer(r -> switch (r.path()) {
            case "/rollback" -> new Answer(rollBack.get() ? 200 : 404, Map.of(), "");
            case "/gate" -> new Answer(approved.get() ? 200 : 403, Map.of(), approved.get() ? "approved" : "closed");
            default -> new Answer(200, Map.of(), "");
        });
        f = new ReconcileFixture(tmp);
        providers = MetricProviders.standard(ProviderSettings.defaults(Map.of()), Clock.systemUTC());
        ProviderMeasurements http = new ProviderMeasurements(providers);
        MeasurementSource fixed = f.measurements;
        f.measurements = new MeasurementSource() {
            @Override
            public Measurement measure(RolloutKey rollout, String cluster, MeasurementDue due, Instant now) {
                return fixed.measure(rollout, cluster, due, now);
            }

            @Override
            public boolean webhookAgrees(RolloutKey rollout, FlaggerSource.Webhook hook, String phase) {
                return http.webhookAgrees(rollout, hook, phase);
            }

            @Override
            public void notify(RolloutKey rollout, FlaggerSource.Webhook hook, String phase, Map<String, String> metadata) {
                http.notify(rollout, hook, phase, metadata);
            }
        };
        f.cluster.client().apps().deployments().inNamespace(NS).resource(target("store:1")).create();
        f.alice.write("rollouts/store.yaml", canary()).commit("store canary");
        f.alice.push();
    }

    @AfterEach
    void stop() {
        if (f != null) {
            f.close();
        }
        if (providers != null) {
            providers.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    List<FakeApi.Request> received(String path) {
        return receiver.requests().stream().filter(r -> r.path().equals(path)).toList();
    }

    RepositoryReconciler releaseStore2() {
        RepositoryReconciler reconciler = f.reconciler();
        for (int i = 0; i < 10 && !f.statusFile("store").contains("phase: Healthy"); i++) {
            f.cycle(reconciler, true);
        }
        assertThat(f.statusFile("store")).contains("phase: Healthy");
        assertThat(received("/rollback")).as("nothing in flight: nobody is asked").isEmpty();

        // a release: the target Deployment gets a new image
        f.cluster.client().apps().deployments().inNamespace(NS).withName("store")
                .edit(d -> new DeploymentBuilder(d).editSpec().editTemplate().editSpec().editFirstContainer().withImage("store:2")
                        .endContainer().endSpec().endTemplate().endSpec().build());
        return reconciler;
    }

    @Test
    void aConfirmPromotionWebhookHoldsTheGateUntilItSaysYes() {
        RepositoryReconciler reconciler = releaseStore2();
        for (int i = 0; i < 200 && !f.statusFile("store").contains("waiting for confirm-promotion webhook ''approve''"); i++) {
            f.cycle(reconciler, true);
        }
        assertThat(f.statusFile("store")).contains("phase: Paused").contains("weight: 30");
        for (int i = 0; i < 40; i++) {
            f.cycle(reconciler, true);
        }
        // asked (once per interval), said no: still waiting
        assertThat(received("/gate")).isNotEmpty();
        assertThat(received("/gate").get(0).body()).contains("\"phase\":\"Waiting\"");
        assertThat(f.statusFile("store")).contains("waiting for confirm-promotion webhook ''approve''");

        approved.set(true);
        for (int i = 0; i < 100 && !f.statusFile("store").contains("phase: Healthy"); i++) {
            f.cycle(reconciler, true);
        }
        String status = f.statusFile("store");
        assertThat(status).contains("phase: Healthy").contains("by: confirm-promotion webhook");
        assertThat(f.cluster.client().apps().deployments().inNamespace(NS).withName("store-primary").get()
                .getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("store:2");
        await().atMost(Duration.ofSeconds(10)).until(() -> !received("/post").isEmpty());
        assertThat(received("/post")).singleElement().satisfies(r -> assertThat(r.body()).contains("\"phase\":\"Succeeded\""));
    }

    @Test
    void aRollbackWebhookAbortsTheReleaseAndThePostRolloutHookHearsItFailed() {
        RepositoryReconciler reconciler = releaseStore2();
        for (int i = 0; i < 6 && !f.statusFile("store").contains("phase: Progressing"); i++) {
            f.cycle(reconciler, true);
        }
        for (int i = 0; i < 4; i++) {
            f.cycle(reconciler, true);
        }
        assertThat(received("/rollback")).as("asked while the release is in flight").isNotEmpty();
        assertThat(f.statusFile("store")).doesNotContain("aborted: true");
        assertThat(received("/rollback").get(0).body()).contains("\"name\":\"store\"", "\"namespace\":\"shop\"", "\"phase\":\"Progressing\"");

        rollBack.set(true); // someone says "roll back now"; the hooks are asked once per analysis interval (1m)
        Instant asked = f.clock.instant();
        for (int i = 0; i < 100 && !f.statusFile("store").contains("phase: Degraded"); i++) {
            f.cycle(reconciler, true);
        }
        String status = f.statusFile("store");
        assertThat(status).contains("phase: Degraded").contains("rollback webhook 'stop'");
        assertThat(f.clock.instant()).isBefore(asked.plusSeconds(75));
        // once per interval, not once per cycle
        assertThat(received("/rollback").size()).isLessThanOrEqualTo(3);

        await().atMost(Duration.ofSeconds(10)).until(() -> !received("/post").isEmpty());
        assertThat(received("/post")).singleElement().satisfies(r -> assertThat(r.body())
                .contains("\"phase\":\"Failed\"", "\"channel\":\"releases\""));
        await().atMost(Duration.ofSeconds(10)).until(() -> received("/events").stream().anyMatch(r -> r.body().contains("\"eventType\":\"Warning\"")));
        assertThat(received("/events")).allSatisfy(r -> assertThat(r.body()).contains("\"eventMessage\":", "\"timestamp\":"));
    }
}
