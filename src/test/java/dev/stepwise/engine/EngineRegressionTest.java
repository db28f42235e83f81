package dev.stepwise.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.engine.analysis.AnalysisPhase;
import dev.stepwise.engine.analysis.Measurement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bugs the tools Stepwise learns from shipped, each pinned by a test so Stepwise never ships them. */
class EngineRegressionTest {

    /**
     * argo-rollouts #4479: a metric whose measurements all errored (count 3, fewer errors than the default
     * consecutiveErrorLimit of 4) completed as Successful, and the rollout went on. Stepwise: the metric is an Error,
     * the run is never Successful, the rollout aborts.
     */
    @Test
    void argo4479AllMeasurementsErroredIsNeverASuccess() {
        Drive d = Fixtures.rollout(Fixtures.istioCanary("app", 4, "", """
                        - setWeight: 20
                        - analysis: {templates: [{templateName: dd}]}
                        - setWeight: 100
                """), Fixtures.template("dd", """
                    - name: dd-analysis
                      interval: 1m
                      count: 3
                      successCondition: result < 0.05
                      provider: {datadog: {query: q}}
                """)).drive();
        d.decide();
        d.podsReady().after(Duration.ofSeconds(20)).decide();
        for (int i = 0; i < 3; i++) {
            d.measureError("dd-analysis", "datadog: 403 Forbidden").decide();
            if (d.status.aborted()) {
                break;
            }
            d.atRequeue();
        }
        assertThat(d.status.run("1.s1").phase()).isEqualTo(AnalysisPhase.ERROR);
        assertThat(d.status.run("1.s1").metric("dd-analysis").message())
                .startsWith("none of 3 measurements succeeded (3 measured: 3 errored)");
        assertThat(d.status.aborted()).isTrue();
        assertThat(d.status.stepIndex()).isEqualTo(1);
        assertThat(d.history).noneMatch(x -> x.desired().canaryWeight() > 20);
    }

    /** The same with failures and errors mixed, all within their limits: still not a success. */
    @Test
    void argo4479ErroredAndFailedWithinLimitsIsNeverASuccess() {
        Drive d = Fixtures.rollout(Fixtures.istioCanary("app", 4, "", """
                        - analysis: {templates: [{templateName: dd}]}
                        - setWeight: 100
                """), Fixtures.template("dd", """
                    - name: dd-analysis
                      interval: 1m
                      count: 3
                      failureLimit: 5
                      successCondition: result < 0.05
                      provider: {datadog: {query: q}}
                """)).drive();
        d.decide();
        d.measure("dd-analysis", 0.2).decide();
        d.atRequeue().measureError("dd-analysis", "timeout").decide();
        d.atRequeue().measure("dd-analysis", 0.3).decide();
        assertThat(d.status.run("1.s0").phase()).isEqualTo(AnalysisPhase.FAILED);
        assertThat(d.status.aborted()).isTrue();
    }

    /**
     * argo-rollouts #521 (and #4393, the same symptom years later): a Job metric whose Job failed left the analysis
     * run Successful. Stepwise: the provider's own "failed" fails the measurement, whatever the conditions (a Job
     * metric has none), and a run with no successful measurement is never Successful, even within failureLimit.
     */
    @Test
    void argo521AFailedJobMetricIsNotASuccess() {
        Drive d = Fixtures.rollout(Fixtures.istioCanary("app", 4, "", """
                        - analysis: {templates: [{templateName: smoke}]}
                        - setWeight: 100
                """), Fixtures.template("smoke", """
                    - name: container-check
                      count: 1
                      failureLimit: 1
                      provider:
                        job:
                          spec:
                            backoffLimit: 0
                            template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}
                """)).drive();
        d.decide();
        for (MeasurementDue due : d.last.measurementsDue()) {
            d.add(Measurement.concluded(due.runId(), due.metric(), false, "job failed: exit code 1", d.now));
        }
        Decision decision = d.after(Duration.ofSeconds(40)).decide();
        assertThat(decision.status().run("1.s0").phase()).isEqualTo(AnalysisPhase.FAILED);
        assertThat(decision.status().run("1.s0").metric("container-check").message())
                .startsWith("none of 1 measurements succeeded (1 measured: 1 failed)");
        assertThat(decision.status().aborted()).isTrue();
        assertThat(d.history).noneMatch(x -> x.desired().canaryWeight() > 0);
    }

    /**
     * argo-rollouts #4841 (and #4898): aborting a canary with dynamicStableScale left the traffic weight above 0 for
     * good (or deadlocked with abortScaleDownDelaySeconds). Stepwise: the abort's own decision sets the weight to 0
     * without touching a pod; the next one scales the stable back to every replica; the canary goes after its delay.
     */
    @Test
    void argo4841AbortWithDynamicStableScaleReturnsTheWeightToZero() {
        Drive d = Fixtures.rollout(Fixtures.istioCanary("app", 10,
                "      dynamicStableScale: true\n      abortScaleDownDelaySeconds: 45", """
                        - setWeight: 5
                        - pause: {duration: 1m}
                        - setWeight: 50
                        - pause: {}
                """)).drive();
        d.decide();
        d.podsReady().after(Duration.ofSeconds(20)).decide();
        d.atRequeue().decide();
        d.podsReady().after(Duration.ofSeconds(20)).decide();
        assertThat(d.last.desired().canaryWeight()).isEqualTo(50);
        assertThat(d.last.desired().replicas()).containsEntry(d.canary(), 5).containsEntry(d.previous, 5);
        d.podsReady();

        Decision abort = d.gate(GateAction.ABORT, "oncall").after(Duration.ofMinutes(1)).decide();
        assertThat(abort.desired().canaryWeight()).isZero();
        assertThat(abort.desired().replicas()).containsEntry(d.canary(), 5).containsEntry(d.previous, 5);
        assertThat(abort.requeueAt()).contains(d.now);

        Decision stableBack = d.decide();
        assertThat(stableBack.desired().canaryWeight()).isZero();
        assertThat(stableBack.desired().replicasOf(d.previous)).isEqualTo(10);
        assertThat(stableBack.desired().replicasOf(d.canary())).isEqualTo(5);

        Decision gone = d.podsReady().atRequeue().decide();
        assertThat(gone.desired().replicasOf(d.canary())).isZero();
        assertThat(gone.desired().canaryWeight()).isZero();
        assertThat(gone.status().phase()).isEqualTo(Phase.DEGRADED);
        assertThat(d.history.subList(d.history.indexOf(abort), d.history.size()))
                .allMatch(x -> x.desired().canaryWeight() == 0);
        assertThat(List.of(abort, stableBack, gone)).allMatch(x -> x.desired().replicasOf(d.previous) >= 5);
    }
}
