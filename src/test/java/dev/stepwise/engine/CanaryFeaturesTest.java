package dev.stepwise.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.engine.analysis.AnalysisPhase;
import dev.stepwise.spec.model.HeaderMatch;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Canary features one at a time: routes, canary scale, basic canary, experiments, halts, inconclusive analysis. */
class CanaryFeaturesTest {

    private static final String RATE = """
                - name: rate
                  interval: 1m
                  count: 2
                  successCondition: result[0] >= 0.99
                  failureCondition: result[0] < 0.9
                  provider: {prometheus: {address: http://p, query: q}}
            """;

    @Test
    void firstDeployHasNoStepsToRun() {
        Fixtures.Rollout r = Fixtures.rollout(Fixtures.istioCanary("app", 4, "", "        - setWeight: 50"));
        RolloutEngine engine = new RolloutEngine();
        Decision first = engine.decide(r.spec(), r.templates(), RolloutStatus.initial(), Observations.NONE, Drive.T0);
        assertThat(first.status().stableHash()).isEqualTo(r.spec().podTemplateHash());
        assertThat(first.status().inFlight()).isFalse();
        assertThat(first.status().phase()).isEqualTo(Phase.PROGRESSING); // until its pods are available
        assertThat(first.desired().replicas()).isEqualTo(Map.of(r.spec().podTemplateHash(), 4));
        Observations ready = Observations.of(List.of(WorkloadReadiness.available(r.spec().podTemplateHash(), 4, Drive.T0)),
                List.of(), List.of(), "");
        Decision healthy = engine.decide(r.spec(), r.templates(), first.status(), ready, Drive.T0.plusSeconds(30));
        assertThat(healthy.status().phase()).isEqualTo(Phase.HEALTHY);
        assertThat(healthy.events()).isEmpty();
    }

    @Test
    void aCanaryWithoutStepsIsPromotedOnceItsPodsAreReady() {
        Drive d = Fixtures.rollout(Fixtures.istioCanary("app", 4, "", "        []")).drive();
        Decision first = d.decide();
        assertThat(first.desired().replicasOf(d.canary())).isEqualTo(4);
        Decision done = d.podsReady().after(Duration.ofSeconds(20)).decide();
        assertThat(done.status().phase()).isEqualTo(Phase.HEALTHY);
        assertThat(done.status().stableHash()).isEqualTo(d.canary());
    }

    @Test
    void headerAndMirrorRoutesFollowTheSteps() {
        Drive d = Fixtures.rollout(Fixtures.examples("rollouts/search-api.yaml")).drive();
        Decision first = d.decide();
        // setCanaryScale replicas 1: one canary pod, no traffic weight yet
        assertThat(first.desired().replicasOf(d.canary())).isEqualTo(1);
        Decision routed = d.podsReady().after(Duration.ofSeconds(20)).decide();
        assertThat(routed.status().stepIndex()).isEqualTo(3); // scale, header route, mirror route done; pause 15m
        assertThat(routed.desired().canaryWeight()).isZero();
        assertThat(routed.desired().headerRoutes()).extracting(HeaderRoute::name).containsExactly("testers");
        assertThat(routed.desired().headerRoutes().get(0).matches()).extracting(HeaderMatch::headerName).containsExactly("X-Canary");
        assertThat(routed.desired().mirrorRoutes()).extracting(MirrorRoute::name, MirrorRoute::percentage)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("mirror-20", 20));
        Decision afterPause = d.atRequeue().decide();
        // the mirror route is removed, matchTrafficWeight: canary pods follow the weight (10% of 4 → 1)
        assertThat(afterPause.desired().mirrorRoutes()).isEmpty();
        assertThat(afterPause.desired().headerRoutes()).hasSize(1);
        assertThat(afterPause.desired().canaryWeight()).isEqualTo(10);
        assertThat(afterPause.status().stepIndex()).isEqualTo(7);
    }

    @Test
    void aBasicCanaryMovesPodsWithinItsBudget() {
        Drive d = Fixtures.rollout("""
                apiVersion: argoproj.io/v1alpha1
                kind: Rollout
                metadata: {name: basic, namespace: shop}
                spec:
                  replicas: 10
                  template:
                    metadata: {labels: {app: basic}}
                    spec: {containers: [{name: app, image: "r/basic:v2"}]}
                  strategy:
                    canary:
                      maxSurge: "25%"
                      maxUnavailable: 0
                      steps:
                        - setWeight: 25
                        - pause: {}
                """).drive();
        Decision first = d.decide();
        assertThat(first.desired().replicas()).containsEntry(d.canary(), 2).containsEntry(d.previous, 10);
        assertThat(first.desired().canaryWeight()).isEqualTo(16); // 2 of 12 pods
        Decision second = d.podsReady().after(Duration.ofSeconds(20)).decide();
        assertThat(second.desired().replicas()).containsEntry(d.canary(), 2).containsEntry(d.previous, 8);
        assertThat(second.desired().canaryWeight()).isEqualTo(20);
        Decision third = d.podsReady().after(Duration.ofSeconds(1)).decide();
        assertThat(third.status().stepIndex()).isEqualTo(1);
        assertThat(third.status().phase()).isEqualTo(Phase.PAUSED);
        assertThat(third.status().message()).isEqualTo("paused until promoted");

        // an abort of a basic canary: traffic follows pods, so the canary's pods go at once (within the budget)
        Decision abort = d.gate(GateAction.ABORT, "me").after(Duration.ofMinutes(1)).decide();
        assertThat(abort.desired().replicas()).containsEntry(d.previous, 10).containsEntry(d.canary(), 2);
        Decision rolled = d.podsReady().after(Duration.ofSeconds(20)).decide();
        assertThat(rolled.desired().replicas()).isEqualTo(Map.of(d.previous, 10));
        assertThat(rolled.desired().canaryWeight()).isZero();
    }

    @Test
    void setCanaryScaleSizesTheCanaryApartFromItsWeight() {
        Drive d = Fixtures.rollout(Fixtures.istioCanary("app", 10, "", """
                        - setCanaryScale: {weight: 50}
                        - setWeight: 10
                        - pause: {}
                        - setCanaryScale: {matchTrafficWeight: true}
                        - pause: {}
                """)).drive();
        assertThat(d.decide().desired().replicasOf(d.canary())).isEqualTo(5);
        Decision weighted = d.podsReady().after(Duration.ofSeconds(20)).decide();
        assertThat(weighted.desired().canaryWeight()).isEqualTo(10);
        assertThat(weighted.desired().replicasOf(d.canary())).isEqualTo(5);
        Decision matched = d.gate(GateAction.PROMOTE, "me").after(Duration.ofSeconds(5)).decide();
        assertThat(matched.status().stepIndex()).isEqualTo(4);
        assertThat(matched.desired().replicasOf(d.canary())).isEqualTo(1);
    }

    @Test
    void dynamicStableScaleShrinksTheStableOnlyAfterTrafficLeft() {
        Drive d = Fixtures.rollout(Fixtures.istioCanary("app", 10, "      dynamicStableScale: true", """
                        - setWeight: 60
                        - pause: {}
                """)).drive();
        Decision first = d.decide();
        assertThat(first.desired().replicas()).containsEntry(d.canary(), 6).containsEntry(d.previous, 10);
        Decision shifted = d.podsReady().after(Duration.ofSeconds(20)).decide();
        assertThat(shifted.desired().canaryWeight()).isEqualTo(60);
        assertThat(shifted.desired().replicas()).containsEntry(d.previous, 4);
        assertThat(shifted.desired().stableWeight()).isEqualTo(40);
    }

    @Test
    void anInconclusiveAnalysisWaitsForAPerson() {
        Drive d = Fixtures.rollout(Fixtures.istioCanary("app", 4, "", """
                        - setWeight: 25
                        - analysis: {templates: [{templateName: t}]}
                        - setWeight: 50
                """), Fixtures.template("t", RATE)).drive();
        d.decide();
        d.podsReady().after(Duration.ofSeconds(20)).decide();
        assertThat(d.status.stepIndex()).isEqualTo(1);
        d.measure("rate", List.of(0.95)).decide(); // between 0.9 and 0.99: inconclusive > inconclusiveLimit 0
        assertThat(d.status.phase()).isEqualTo(Phase.PAUSED);
        assertThat(d.status.message()).contains("inconclusive").contains("promote to accept");
        assertThat(d.status.run("1.s1").phase()).isEqualTo(AnalysisPhase.INCONCLUSIVE);
        Decision waiting = d.after(Duration.ofHours(1)).decide();
        assertThat(waiting.status().stepIndex()).isEqualTo(1);
        assertThat(waiting.requeueAt()).isEmpty();

        Decision accepted = d.gate(GateAction.PROMOTE, "sre@example.com").after(Duration.ofSeconds(1)).decide();
        assertThat(accepted.status().stepIndex()).isEqualTo(2);
        assertThat(accepted.status().run("1.s1").accepted()).isTrue();
        assertThat(accepted.status().phase()).isEqualTo(Phase.PROGRESSING);
    }

    @Test
    void aFailureAfterAnIrreversibleStepHaltsForAPerson() {
        Drive d = Fixtures.rollout(Fixtures.istioCanary("app", 4, "", """
                        - setWeight: 25
                          irreversible: true
                        - analysis: {templates: [{templateName: t}]}
                        - setWeight: 50
                """), Fixtures.template("t", RATE)).drive();
        d.decide();
        d.podsReady().after(Duration.ofSeconds(20)).decide();
        d.measure("rate", List.of(0.5)).decide();
        assertThat(d.status.aborted()).isFalse();
        assertThat(d.status.halted()).isTrue();
        assertThat(d.status.phase()).isEqualTo(Phase.PAUSED);
        assertThat(d.status.message()).startsWith("halted: analysis 1.s1 (step) failed")
                .contains("irreversible step has been passed");
        assertThat(d.last.desired().canaryWeight()).isEqualTo(25); // traffic stays where it is
        assertThat(d.events(Reasons.HALTED)).hasSize(1);

        // a person decides: abort still rolls back
        Decision abort = d.gate(GateAction.ABORT, "sre@example.com").after(Duration.ofMinutes(1)).decide();
        assertThat(abort.status().aborted()).isTrue();
        assertThat(abort.desired().canaryWeight()).isZero();
    }

    @Test
    void promotingAHaltedRolloutGoesOn() {
        Drive d = Fixtures.rollout(Fixtures.istioCanary("app", 4, "", """
                        - setWeight: 25
                          irreversible: true
                        - analysis: {templates: [{templateName: t}]}
                        - setWeight: 50
                        - pause: {}
                """), Fixtures.template("t", RATE)).drive();
        d.decide();
        d.podsReady().after(Duration.ofSeconds(20)).decide();
        d.measure("rate", List.of(0.5)).decide();
        assertThat(d.status.halted()).isTrue();
        Decision resumed = d.gate(GateAction.PROMOTE, "sre@example.com").after(Duration.ofMinutes(1)).decide();
        assertThat(resumed.status().halted()).isFalse();
        assertThat(resumed.status().stepIndex()).isEqualTo(2);
        assertThat(resumed.desired().replicasOf(d.canary())).isEqualTo(2);
    }

    @Test
    void anExperimentRunsItsReplicaSetsAndAnalysesForItsDuration() {
        Drive d = Fixtures.rollout(Fixtures.istioCanary("app", 4, "", """
                        - experiment:
                            duration: 5m
                            templates:
                              - {name: baseline, specRef: stable, replicas: 1, weight: 5}
                              - {name: candidate, specRef: canary, replicas: 1, weight: 5}
                            analyses:
                              - {name: compare, templateName: t}
                        - setWeight: 20
                """), Fixtures.template("t", RATE)).drive();
        Decision first = d.decide();
        assertThat(first.desired().replicas()).containsEntry("experiment/baseline", 1).containsEntry("experiment/candidate", 1);
        assertThat(first.desired().experiments()).extracting(ExperimentReplicaSet::name, ExperimentReplicaSet::version,
                ExperimentReplicaSet::weight).containsExactly(
                org.assertj.core.groups.Tuple.tuple("baseline", d.previous, 0),
                org.assertj.core.groups.Tuple.tuple("candidate", d.canary(), 0));
        Decision running = d.podsReady().after(Duration.ofSeconds(20)).decide();
        assertThat(running.desired().experiments()).extracting(ExperimentReplicaSet::weight).containsExactly(5, 5);
        assertThat(running.desired().stableWeight()).isEqualTo(90);
        assertThat(running.status().run("1.s0.x.compare")).isNotNull();
        d.measure("rate", List.of(0.999)).decide();
        d.after(Duration.ofMinutes(1)).measure("rate", List.of(0.999)).decide();
        Decision done = d.at(Drive.T0.plusSeconds(20 + 300)).decide();
        assertThat(done.status().stepIndex()).isEqualTo(1);
        assertThat(done.desired().experiments()).extracting(ExperimentReplicaSet::weight).containsExactly(0, 0);
        Decision cleaned = d.podsReady().after(Duration.ofSeconds(1)).decide();
        assertThat(cleaned.desired().replicas()).doesNotContainKeys("experiment/baseline", "experiment/candidate");
    }

    @Test
    void aFailingExperimentAnalysisAborts() {
        Drive d = Fixtures.rollout(Fixtures.istioCanary("app", 4, "", """
                        - experiment:
                            duration: 5m
                            templates: [{name: candidate, specRef: canary}]
                            analyses: [{name: compare, templateName: t}]
                """), Fixtures.template("t", RATE)).drive();
        d.decide();
        d.podsReady().after(Duration.ofSeconds(20)).decide();
        Decision abort = d.measure("rate", List.of(0.1)).decide();
        assertThat(abort.status().aborted()).isTrue();
        assertThat(abort.status().abortReason()).contains("1.s0.x.compare (experiment) failed");
    }

    @Test
    void aPluginStepWaitsForAPerson() {
        Drive d = Fixtures.rollout(Fixtures.istioCanary("app", 4, "", """
                        - plugin: {name: my-org/db-migrate, config: {dryRun: true}}
                        - setWeight: 50
                """)).drive();
        Decision first = d.decide();
        assertThat(first.status().phase()).isEqualTo(Phase.PAUSED);
        assertThat(first.events()).anyMatch(e -> e.reason().equals(Reasons.UNSUPPORTED_STEP) && e.message().contains("my-org/db-migrate"));
        Decision on = d.gate(GateAction.PROMOTE, "dba@example.com").after(Duration.ofMinutes(3)).decide();
        assertThat(on.status().stepIndex()).isEqualTo(1);
    }

    @Test
    void aProgressDeadlineAbortsWhenAskedTo() {
        Drive d = Fixtures.rollout(Fixtures.istioCanary("app", 4, "", "        - setWeight: 50")
                .replace("  replicas: 4", "  replicas: 4\n  progressDeadlineSeconds: 120\n  progressDeadlineAbort: true")).drive();
        d.decide();
        d.pods(d.canary(), 1).after(Duration.ofSeconds(60)).decide(); // progress: one pod of two
        Decision notYet = d.after(Duration.ofSeconds(100)).decide();
        assertThat(notYet.status().aborted()).isFalse(); // the clock restarted when a pod came
        Decision aborted = d.after(Duration.ofSeconds(30)).decide();
        assertThat(aborted.status().aborted()).isTrue();
        assertThat(aborted.status().abortReason()).startsWith("progress deadline exceeded: waiting for 2 canary pods");
        assertThat(aborted.desired().canaryWeight()).isZero();
        assertThat(aborted.desired().replicas()).isEqualTo(notYet.desired().replicas());
    }

    @Test
    void anAbortPutsOffAScaleDownThatFellDueInTheSameDecision() {
        Drive d = Fixtures.rollout(Fixtures.istioCanary("app", 2, "", "        - setWeight: 50\n        - pause: {}")).drive();
        d.decide();
        d.podsReady().after(Duration.ofSeconds(20)).decide();
        d.gate(GateAction.PROMOTE, "me").after(Duration.ofSeconds(1)).decide();
        Decision healthy = d.podsReady().after(Duration.ofSeconds(20)).decide();
        assertThat(healthy.status().phase()).isEqualTo(Phase.HEALTHY);
        String second = d.canary();
        java.time.Instant deadline = healthy.scaleDowns().get(0).at();
        d.spec = dev.stepwise.bench.EngineBenchmarkAccess.withHash(d.spec, "third");
        d.podsReady().after(Duration.ofSeconds(5)).decide();
        Decision before = d.podsReady().after(Duration.ofSeconds(5)).decide();
        assertThat(before.desired().replicas()).containsKeys(d.previous, second, "third");

        Decision abort = d.gate(GateAction.ABORT, "me").at(deadline).decide();
        assertThat(abort.desired().replicas()).isEqualTo(before.desired().replicas()); // the old version's too
        assertThat(abort.events()).extracting(EngineEvent::reason).doesNotContain(Reasons.SCALED_DOWN);
        assertThat(abort.scaleDowns()).extracting(ScaleDownDeadline::version).contains(d.previous, "third");
        Decision next = d.decide();
        assertThat(next.desired().replicas()).doesNotContainKey(d.previous).containsEntry(second, 2);
        assertThat(next.events()).extracting(EngineEvent::reason).contains(Reasons.SCALED_DOWN);
    }

    @Test
    void scaleDownDelayRevisionLimitBoundsOldVersionsKeptRunning() {
        String yaml = Fixtures.istioCanary("app", 2, "      scaleDownDelaySeconds: 600\n      scaleDownDelayRevisionLimit: 1", "        []");
        Drive d = Fixtures.rollout(yaml).drive();
        d.decide();
        d.podsReady().after(Duration.ofSeconds(20)).decide();
        assertThat(d.status.stableHash()).isEqualTo(d.canary());
        String second = d.canary();
        d.spec = dev.stepwise.bench.EngineBenchmarkAccess.withHash(d.spec, "third");
        d.podsReady().after(Duration.ofSeconds(5)).decide();
        Decision third = d.podsReady().after(Duration.ofSeconds(20)).decide();
        assertThat(third.status().stableHash()).isEqualTo("third");
        // two old versions wait for their delay; the limit keeps one: the oldest goes now
        assertThat(third.scaleDowns()).extracting(ScaleDownDeadline::version).containsExactlyInAnyOrder(d.previous, second);
        assertThat(third.scaleDowns()).filteredOn(s -> s.version().equals(d.previous)).extracting(ScaleDownDeadline::at)
                .containsExactly(d.now);
        Decision after = d.decide();
        assertThat(after.desired().replicas()).doesNotContainKey(d.previous).containsKey(second);
    }
}
