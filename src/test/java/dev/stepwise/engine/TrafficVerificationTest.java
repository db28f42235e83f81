package dev.stepwise.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A setWeight step is complete only once the router reads back its weight (Argo's rule): an unverified weight holds the
 * step, a verified one lets it advance, no read-back at all behaves as before, and an abort never waits for it.
 */
class TrafficVerificationTest {

    private static final String STEPS = """
                    - setWeight: 20
                    - pause: {duration: 1m}
                    - setWeight: 50
                    - pause: {}
            """;

    private static Drive drive() {
        return Fixtures.rollout(Fixtures.istioCanary("app", 4, "", STEPS)).drive();
    }

    @Test
    void anUnverifiedWeightHoldsTheStepUntilTheRouterServesIt() {
        Drive d = drive();
        d.decide();
        Decision held = d.podsReady().routerServes(0).after(Duration.ofSeconds(20)).decide();
        assertThat(held.desired().canaryWeight()).isEqualTo(20); // the weight is still asked for
        assertThat(held.status().stepIndex()).isZero();
        assertThat(held.status().message()).isEqualTo("waiting for traffic weight 20 to be verified, router reports 0");
        assertThat(held.reasons()).contains("waiting for traffic weight 20 to be verified, router reports 0");
        assertThat(held.events()).extracting(EngineEvent::reason).contains(Reasons.WEIGHT_CHANGED, Reasons.TRAFFIC_NOT_VERIFIED)
                .doesNotContain(Reasons.STEP_COMPLETED);
        assertThat(held.requeueAt()).contains(d.now.plusSeconds(5));

        // the router still lags: the step keeps waiting, without a second event for the same wait
        Decision still = d.atRequeue().decide();
        assertThat(still.status().stepIndex()).isZero();
        assertThat(still.desired().canaryWeight()).isEqualTo(20);
        assertThat(still.events()).isEmpty();
        assertThat(still.requeueAt()).contains(d.now.plusSeconds(5));

        Decision verified = d.routerServes(20).atRequeue().decide();
        assertThat(verified.status().stepIndex()).isEqualTo(1); // on to the pause
        assertThat(verified.status().phase()).isEqualTo(Phase.PAUSED);
        assertThat(verified.status().message()).doesNotContain("verified");
        assertThat(verified.events()).extracting(EngineEvent::reason).contains(Reasons.STEP_COMPLETED)
                .doesNotContain(Reasons.TRAFFIC_NOT_VERIFIED);
    }

    @Test
    void aRouterThatCannotBeReadServesNothingAndTheStepWaitsSayingWhy() {
        // e.g. the VirtualService does not exist: writing a weight into it changed nothing, so no step may count it
        Drive d = drive();
        d.decide();
        Decision held = d.podsReady().routerUnreadable().after(Duration.ofSeconds(20)).decide();
        assertThat(held.desired().canaryWeight()).isEqualTo(20);
        assertThat(held.status().stepIndex()).isZero();
        assertThat(held.status().message())
                .isEqualTo("waiting for traffic weight 20 to be verified, the router cannot be read (istio reads nothing)");
        assertThat(held.events()).extracting(EngineEvent::reason).contains(Reasons.TRAFFIC_NOT_VERIFIED)
                .doesNotContain(Reasons.STEP_COMPLETED);
        assertThat(held.requeueAt()).contains(d.now.plusSeconds(5));

        // the object appears (created by someone, or by Stepwise for a Flagger Canary) and serves the weight
        Decision verified = d.routerServes(20).atRequeue().decide();
        assertThat(verified.status().stepIndex()).isEqualTo(1);
    }

    @Test
    void eachSetWeightWaitsForItsOwnWeight() {
        Drive d = drive();
        d.decide();
        d.podsReady().routerServes(20).after(Duration.ofSeconds(20)).decide(); // served at once: on to the pause
        assertThat(d.status.stepIndex()).isEqualTo(1);
        d.atRequeue().decide(); // the pause ends; setWeight 50 wants more canary pods first
        Decision fifty = d.podsReady().after(Duration.ofSeconds(20)).decide();
        assertThat(fifty.desired().canaryWeight()).isEqualTo(50);
        assertThat(fifty.status().stepIndex()).isEqualTo(2);
        assertThat(fifty.status().message()).isEqualTo("waiting for traffic weight 50 to be verified, router reports 20");
        Decision paused = d.routerServes(50).atRequeue().decide();
        assertThat(paused.status().stepIndex()).isEqualTo(3);
        assertThat(paused.status().phase()).isEqualTo(Phase.PAUSED);
        assertThat(paused.status().message()).isEqualTo("paused until promoted");
    }

    @Test
    void withoutAReadBackTheStepAdvancesAsBefore() {
        Drive d = drive();
        d.decide();
        Decision moved = d.podsReady().after(Duration.ofSeconds(20)).decide();
        assertThat(moved.desired().canaryWeight()).isEqualTo(20);
        assertThat(moved.status().stepIndex()).isEqualTo(1);
        assertThat(moved.events()).extracting(EngineEvent::reason).doesNotContain(Reasons.TRAFFIC_NOT_VERIFIED);
    }

    @Test
    void anAbortIsNeverHeldByAnUnverifiedWeight() {
        Drive d = drive();
        d.decide();
        d.podsReady().routerServes(0).after(Duration.ofSeconds(20)).decide(); // weight 20, not yet served
        Decision aborted = d.gate(GateAction.ABORT, "alice").after(Duration.ofSeconds(5)).decide();
        assertThat(aborted.status().aborted()).isTrue();
        assertThat(aborted.status().phase()).isEqualTo(Phase.DEGRADED);
        assertThat(aborted.desired().canaryWeight()).isZero(); // back to stable at once, whatever the router says
        assertThat(aborted.events()).extracting(EngineEvent::reason).contains(Reasons.ABORTED)
                .doesNotContain(Reasons.TRAFFIC_NOT_VERIFIED);
        // the router still reports the canary weight: the aborted rollout does not wait for it either
        Decision after = d.routerServes(20).after(Duration.ofSeconds(5)).decide();
        assertThat(after.desired().canaryWeight()).isZero();
        assertThat(after.status().message()).startsWith("aborted: ");
        assertThat(after.events()).extracting(EngineEvent::reason).doesNotContain(Reasons.TRAFFIC_NOT_VERIFIED);
    }
}
