package dev.stepwise.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.engine.Decision;
import dev.stepwise.engine.Drive;
import dev.stepwise.engine.Fixtures;
import dev.stepwise.engine.GateAction;
import dev.stepwise.spec.model.Gate;
import dev.stepwise.spec.model.ModelCases;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Which confirm gates a Flagger Canary waits at, for the webhooks to be asked: blue/green's two, and none between. */
class FlaggerConfirmGatesTest {

    @Test
    void blueGreenWaitsAtItsConfirmRolloutThenItsConfirmPromotionGate() {
        Fixtures.Rollout r = Fixtures.rollout(ModelCases.model("flagger-bluegreen.yaml"));
        Drive d = r.drive();
        Decision first = d.decide();
        assertThat(RepositoryReconciler.waitingAt(r.spec(), first.status())).extracting(Gate::kind)
                .containsExactly(Gate.Kind.CONFIRM_ROLLOUT);
        Decision started = d.gate(GateAction.PROMOTE, "gate").after(Duration.ofSeconds(5)).decide();
        assertThat(RepositoryReconciler.waitingAt(r.spec(), started.status())).isEmpty();
        Decision last = started;
        for (int i = 0; i < 60 && RepositoryReconciler.waitingAt(r.spec(), last.status()).isEmpty(); i++) {
            last = d.podsReady().after(Duration.ofSeconds(30)).measure("request-duration", 120.0).decide();
        }
        assertThat(RepositoryReconciler.waitingAt(r.spec(), last.status())).extracting(Gate::kind)
                .containsExactly(Gate.Kind.CONFIRM_PROMOTION);
    }

    @Test
    void aCanaryWaitsAtItsGateStepAndAtNoneOnceItIsOpened() {
        Fixtures.Rollout r = Fixtures.rollout(ModelCases.model("flagger-canary.yaml"));
        Drive d = r.drive();
        Decision first = d.decide();
        // flagger-canary.yaml opens with a confirm-rollout gate
        assertThat(RepositoryReconciler.waitingAt(r.spec(), first.status())).extracting(Gate::webhook).containsExactly("approve-start");
        Decision next = d.gate(GateAction.PROMOTE, "gate").after(Duration.ofSeconds(5)).decide();
        assertThat(RepositoryReconciler.waitingAt(r.spec(), next.status())).isEmpty();
    }
}
