package dev.stepwise.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.engine.analysis.Measurement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** examples-repo's store-api (a Flagger Canary: stepWeight 10 up to 50, threshold 5) on the engine. */
class FlaggerCanaryTest {

    private static Drive store() {
        return Fixtures.rollout(Fixtures.examples("rollouts/store-api-canary.yaml", "analysis/flagger-error-rate.yaml")).drive();
    }

    /** Every due check: success rate {@code rate}, latency, error rate and the load-test webhook. */
    private static Drive checks(Drive d, double rate) {
        d.measure("request-success-rate", rate).measure("request-duration", 120.0).measure("error-rate", 0.1);
        for (MeasurementDue due : d.last.measurementsDue()) {
            if (due.metric().equals("load-test") && !due.due().isAfter(d.now)) {
                d.add(Measurement.concluded(due.runId(), "load-test", true, "HTTP 200", d.now));
            }
        }
        return d;
    }

    @Test
    void aFailedCheckHoldsTheWeightUntilOnePasses() {
        Drive d = store();
        assertThat(d.spec.canary().orElseThrow().steps()).extracting(s -> s.describe()).startsWith("setWeight 10", "pause 1m");
        d.decide();
        d.podsReady().after(Duration.ofSeconds(20)).decide();
        assertThat(d.last.desired().canaryWeight()).isEqualTo(10);
        assertThat(d.last.desired().services()).containsEntry("store-api-primary", d.previous)
                .containsEntry("store-api-canary", d.canary());
        checks(d, 99.9).decide(); // the first checks, at once
        // one interval on: the success rate check fails; the weight holds
        checks(d.atRequeue(), 97.0).decide();
        assertThat(d.status.stepIndex()).isEqualTo(1);
        assertThat(d.status.message()).contains("holding the weight: the last check of request-success-rate failed");
        assertThat(d.last.desired().canaryWeight()).isEqualTo(10);
        // the next check passes: on to weight 20 (a Canary's one pod carries it already) and its interval
        checks(d.atRequeue(), 99.9).decide();
        assertThat(d.status.stepIndex()).isEqualTo(3);
        assertThat(d.last.desired().canaryWeight()).isEqualTo(20);
    }

    @Test
    void thresholdFailedChecksRollBack() {
        Drive d = store();
        d.decide();
        d.podsReady().after(Duration.ofSeconds(20)).decide();
        checks(d, 99.9).decide();
        for (int i = 0; i < 4; i++) {
            checks(d.atRequeue(), 90.0).decide();
            assertThat(d.status.aborted()).as("after %d failed checks", i + 1).isFalse();
        }
        Decision rollback = checks(d.atRequeue(), 90.0).decide();
        assertThat(rollback.status().aborted()).isTrue();
        assertThat(rollback.status().abortReason()).contains("5 failed > failureLimit 4");
        assertThat(rollback.desired().canaryWeight()).isZero();
        // Flagger scales the canary down right after routing everything to the primary (no delay)
        assertThat(rollback.scaleDowns()).extracting(ScaleDownDeadline::at).containsExactly(d.now);
        Decision scaled = d.decide();
        assertThat(scaled.desired().replicas()).doesNotContainKey(d.canary());
    }

    @Test
    void failedChecksAcrossMetricsCountTowardsOneThreshold() {
        Drive d = store();
        d.decide();
        d.podsReady().after(Duration.ofSeconds(20)).decide();
        checks(d, 99.9).decide();
        // alternate: the success rate fails, then latency errors, …: no metric reaches 5 by itself
        for (int i = 0; i < 5 && !d.status.aborted(); i++) {
            d.atRequeue();
            if (i % 2 == 0) {
                checks(d, 90.0).decide();
            } else {
                d.measure("request-success-rate", 99.9).measureError("request-duration", "no data").measure("error-rate", 0.1);
                for (MeasurementDue due : d.last.measurementsDue()) {
                    if (due.metric().equals("load-test") && !due.due().isAfter(d.now)) {
                        d.add(Measurement.concluded(due.runId(), "load-test", true, "HTTP 200", d.now));
                    }
                }
                d.decide();
            }
        }
        assertThat(d.status.aborted()).isTrue();
        assertThat(d.status.abortReason()).contains("5 failed checks reached the Canary's threshold 5");
    }

    @Test
    void aFailedWebhookIsAFailedCheck() {
        Drive d = store();
        d.decide();
        d.podsReady().after(Duration.ofSeconds(20)).decide();
        d.measure("request-success-rate", 99.9).measure("request-duration", 120.0).measure("error-rate", 0.1);
        for (MeasurementDue due : d.last.measurementsDue()) {
            if (due.metric().equals("load-test")) {
                d.add(Measurement.concluded(due.runId(), "load-test", false, "HTTP 500", d.now));
            }
        }
        d.decide();
        assertThat(d.status.runs().get(0).metric("load-test").failed()).isEqualTo(1);
        assertThat(d.status.runs().get(0).metric("load-test").last().note()).isEqualTo("the provider reported failure");
        assertThat(List.of(d.status.runs().get(0).metric("load-test").last().value())).containsExactly("HTTP 500");
    }
}
