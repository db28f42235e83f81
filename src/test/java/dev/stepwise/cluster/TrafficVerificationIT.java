package dev.stepwise.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.engine.Phase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The wait for a weight to be served has a bound, and a restarted process reads the routers back before deciding. */
class TrafficVerificationIT {
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

    void virtualService(String canaryHost) {
        Objects.generic(drive.client(), Objects.VS, NS, "api-vs", Map.of("http", List.of(Map.of("name", "primary",
                "route", List.of(Map.of("destination", Map.of("host", "api-stable"), "weight", 100),
                        Map.of("destination", Map.of("host", canaryHost), "weight", 0))))));
    }

    @Test
    void aWeightTheRouterNeverServesIsReportedAfterTheConfiguredTime() {
        // the VirtualService's canary destination names another host: the weight Stepwise writes never lands on it
        virtualService("api-canary-old");
        drive.target.verifyTimeout(Duration.ofSeconds(60));
        drive.spec(IstioCanaryIT.rollout("app:1", false)).runUntil(20, Phase.HEALTHY);
        drive.spec(IstioCanaryIT.rollout("app:2", false));
        var start = drive.now;
        boolean reported = false;
        for (int i = 0; i < 20 && !reported; i++) {
            drive.tick();
            var finding = drive.lastApply().findings().stream().filter(f -> f.code().equals(ClusterTarget.NOT_VERIFIED)).findFirst();
            if (finding.isPresent()) {
                reported = true;
                assertThat(finding.get().object()).isEqualTo("Rollout/shop/api");
                assertThat(finding.get().message()).startsWith("traffic weight 20 written since ")
                        .contains("limit 60s").endsWith("is not served: istio reads 0");
            }
        }
        assertThat(reported).isTrue();
        var firstAsked = drive.decisions.stream().filter(d -> d.desired().canaryWeight() == 20).findFirst().orElseThrow();
        int asked = drive.decisions.indexOf(firstAsked);
        // not before the limit: the applies of the first minute only say WeightNotVerified
        for (int i = asked; i < drive.applies.size() - 1; i++) {
            assertThat(drive.applies.get(i).findings()).noneMatch(f -> f.code().equals(ClusterTarget.NOT_VERIFIED));
        }
        assertThat(drive.now).isAfterOrEqualTo(start.plusSeconds(60));
        // the engine still waits for the weight: the step does not complete on an unserved weight
        assertThat(drive.status.stepIndex()).isZero();
        assertThat(drive.last().status().message()).contains("waiting for traffic weight 20 to be verified");
    }

    @Test
    void aMissingVirtualServiceHoldsTheStepUntilItExists() {
        drive.spec(IstioCanaryIT.rollout("app:1", false)).runUntil(20, Phase.HEALTHY);
        drive.spec(IstioCanaryIT.rollout("app:2", false));
        for (int i = 0; i < 10; i++) {
            drive.tick();
        }
        // weight 20 was asked for, but nothing serves it: the step does not complete, and the status says why
        assertThat(drive.last().desired().canaryWeight()).isEqualTo(20);
        assertThat(drive.status.stepIndex()).isZero();
        assertThat(drive.last().status().message())
                .isEqualTo("waiting for traffic weight 20 to be verified, the router cannot be read (istio reads nothing)");
        assertThat(drive.lastApply().findings()).anyMatch(f -> f.code().equals("WeightNotVerified"));

        virtualService("api-canary"); // the platform team applies it
        for (int i = 0; i < 10 && drive.status.stepIndex() == 0; i++) {
            drive.tick();
        }
        assertThat(drive.status.stepIndex()).isEqualTo(1);
        assertThat(drive.lastApply().verifiedWeight()).contains(20);
    }

    @Test
    void theVerifyTimeoutMustNotBeNegative() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> drive.target.verifyTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("zero or positive");
        assertThat(new ClusterTarget(drive.client()).verifyTimeout()).isEqualTo(ClusterTarget.DEFAULT_VERIFY_TIMEOUT);
    }

    @Test
    void theFirstObserveAfterARestartReadsTheRoutersWeight() {
        virtualService("api-canary");
        drive.spec(IstioCanaryIT.rollout("app:1", false)).runUntil(20, Phase.HEALTHY);
        drive.spec(IstioCanaryIT.rollout("app:2", false));
        for (int i = 0; i < 20 && drive.lastApply().verifiedWeight().orElse(0) != 20; i++) {
            drive.decide(); // no clock move: the first decision that writes 20 cannot complete the step yet
        }
        assertThat(drive.lastApply().verifiedWeight()).contains(20);
        assertThat(drive.status.stepIndex()).isZero();
        // a new process: nothing applied yet, but the observation already says what the router serves
        drive.log.clear();
        ClusterTarget restarted = new ClusterTarget(drive.cluster.newClient(b -> b.addOrReplaceInterceptor("log", drive.log)));
        ClusterObservation obs = restarted.observe(drive.spec, drive.now);
        assertThat(obs.traffic()).isEqualTo(new dev.stepwise.engine.TrafficReading.Served(20));
        assertThat(drive.log.all()).anyMatch(r -> r.method().equals("GET") && r.path().endsWith("/virtualservices/api-vs"));
        // and the engine, given it, completes setWeight 20 on its first decision instead of waiting for an apply
        drive.target = restarted;
        drive.tick();
        assertThat(drive.last().status().stepIndex()).isEqualTo(1);
        // a second observe reads nothing more: the read-back is known
        drive.log.clear();
        restarted.observe(drive.spec, drive.now);
        assertThat(drive.log.all()).noneMatch(r -> r.path().contains("virtualservices"));
    }
}
