package dev.stepwise.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.engine.analysis.AnalysisPhase;
import dev.stepwise.engine.analysis.AnalysisRunState;
import dev.stepwise.engine.analysis.Measurement;
import dev.stepwise.engine.analysis.RunKind;
import dev.stepwise.spec.model.AnalysisStep;
import dev.stepwise.spec.model.CanaryStrategy;
import dev.stepwise.spec.model.RolloutSpec;
import dev.stepwise.spec.model.SetWeight;
import dev.stepwise.spec.model.Step;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The engine's safety, stated as properties and checked over generated rollouts (canaries with and without a router,
 * with dynamicStableScale, background analysis, irreversible steps; blue-greens) driven by generated sequences of pod
 * readiness, measurements (good, bad, inconclusive, errored, too few samples), gate decisions and new revisions.
 * Each seed is one case; a failure names its seed and the decision, so it replays exactly.
 *
 * <ol>
 *   <li>Canary traffic is never raised above the current step's weight (with a router and without dynamicStableScale
 *       it never exceeds it at all), and a rollout never advances past an analysis step (or a blue-green
 *       pre-promotion analysis) that is not Successful, unless a person's gate decision in that decision said so.</li>
 *   <li>The decision in which a rollout becomes aborted sends all traffic to stable (weight 0, no header or mirror
 *       route, services on stable) and changes no replica count (traffic first, then scale). A basic canary has no
 *       traffic but its pods: there its canary only shrinks and its stable only grows.</li>
 *   <li>The stable version has the pods for its traffic share whenever the engine gives it that share, keeps all its
 *       pods in blue-green, and an abort never scales it down, let alone to zero.</li>
 *   <li>The same inputs give the same decision, and a status written with StatusCodec and read back gives the same
 *       decision as the one in memory (checked on every decision).</li>
 * </ol>
 */
class EngineSafetyPropertiesTest {

    private static final int CASES = 2000;
    private static final int DECISIONS_PER_CASE = 70;
    private static final Instant T0 = Instant.parse("2025-06-01T12:00:00Z");

    /** How often each kind of event happened over all cases: the generator must keep reaching every path. */
    private static final Map<String, java.util.concurrent.atomic.AtomicInteger> SEEN = new java.util.concurrent.ConcurrentHashMap<>();

    @org.junit.jupiter.api.AfterAll
    static void everyPathWasReached() {
        for (String reason : List.of(Reasons.ABORTED, Reasons.HALTED, Reasons.COMPLETED, Reasons.GATE_APPLIED,
                Reasons.GATE_IGNORED, Reasons.NEW_REVISION, Reasons.ROLLBACK_TO_STABLE, Reasons.RETRY,
                Reasons.ANALYSIS_INCONCLUSIVE, Reasons.PROGRESS_DEADLINE, Reasons.EXPERIMENT, Reasons.SCALED_DOWN,
                Reasons.SWITCHED, Reasons.PREVIEW_READY)) {
            assertThat(SEEN.getOrDefault(reason, new java.util.concurrent.atomic.AtomicInteger()).get())
                    .as("cases reaching " + reason + " (all: " + SEEN + ")").isGreaterThanOrEqualTo(10);
        }
    }

    static Stream<Integer> seeds() {
        return IntStream.range(0, CASES).boxed();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void safetyHoldsForGeneratedRollouts(int seed) {
        Random r = new Random(seed);
        Fixtures.Rollout rollout = Fixtures.rollout(Generated.rollout(r), Generated.template("t", r, false),
                Generated.template("bg", r, true));
        new Case(seed, r, rollout).run();
    }

    /** One generated case: the rollout, the world around it, and the checks after each decision. */
    private static final class Case {
        final int seed;
        final Random r;
        RolloutSpec spec;
        final Map<String, dev.stepwise.spec.model.AnalysisTemplateSpec> templates;
        final RolloutEngine engine = new RolloutEngine();
        final RolloutEngine fresh = new RolloutEngine();
        RolloutStatus status;
        Instant now = T0;
        final Map<String, Integer> available = new LinkedHashMap<>();
        final Map<String, Instant> readyAt = new HashMap<>();
        final Map<String, Integer> target = new HashMap<>();
        List<MeasurementDue> dues = List.of();
        final List<GateDecision> gates = new ArrayList<>();
        Decision previous;
        int revisions;
        final String original;

        Case(int seed, Random r, Fixtures.Rollout rollout) {
            this.seed = seed;
            this.r = r;
            this.spec = rollout.spec();
            this.templates = rollout.templates();
            String prev = "stable0000";
            this.original = spec.podTemplateHash();
            this.status = RolloutStatus.stable(prev, spec.replicas(), RolloutEngine.doneIndex(spec), T0.minusSeconds(60));
            available.put(prev, spec.replicas());
            target.put(prev, spec.replicas());
        }

        void run() {
            for (int i = 0; i < DECISIONS_PER_CASE; i++) {
                Observations obs = observe();
                Decision d = engine.decide(spec, templates, status, obs, now);
                String where = "seed " + seed + ", decision " + i + " at " + now + "\n" + d.status() + "\n" + d.events();
                Decision again = engine.decide(spec, templates, status, obs, now);
                assertThat(again).as("replay, " + where).isEqualTo(d);
                Decision viaCodec = fresh.decide(spec, templates, StatusCodec.decode(StatusCodec.encode(status)), obs, now);
                assertThat(viaCodec).as("status read back, " + where).isEqualTo(d);
                check(status, obs, d, where);
                d.events().stream().map(EngineEvent::reason).distinct()
                        .forEach(reason -> SEEN.computeIfAbsent(reason, k -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet());
                apply(d);
                status = d.status();
                previous = d;
                advance(d);
            }
        }

        Observations observe() {
            for (Map.Entry<String, Instant> e : List.copyOf(readyAt.entrySet())) {
                if (!e.getValue().isAfter(now)) {
                    available.put(e.getKey(), target.getOrDefault(e.getKey(), 0));
                    readyAt.remove(e.getKey());
                }
            }
            if (r.nextInt(30) == 0 && !available.isEmpty()) { // a pod dies now and then
                String v = List.copyOf(available.keySet()).get(r.nextInt(available.size()));
                available.put(v, Math.max(0, available.get(v) - 1));
                readyAt.put(v, now.plusSeconds(15 + r.nextInt(30)));
            }
            List<Measurement> ms = new ArrayList<>();
            for (MeasurementDue due : dues) {
                if (due.due().isAfter(now)) {
                    continue;
                }
                int roll = r.nextInt(100);
                if (roll < 70) {
                    ms.add(Measurement.of(due.runId(), due.metric(), List.of(0.999), 500, now));
                } else if (roll < 82) {
                    ms.add(Measurement.of(due.runId(), due.metric(), List.of(0.5), 500, now));
                } else if (roll < 88) {
                    ms.add(Measurement.of(due.runId(), due.metric(), List.of(0.95), 500, now));
                } else if (roll < 95) {
                    ms.add(Measurement.error(due.runId(), due.metric(), "provider down", now));
                } else {
                    ms.add(Measurement.of(due.runId(), due.metric(), List.of(0.999), 2, now));
                }
            }
            if (r.nextInt(12) == 0) {
                GateAction a = GateAction.values()[r.nextInt(GateAction.values().length)];
                gates.add(a == GateAction.SKIP && r.nextBoolean()
                        ? GateDecision.skipTo("g" + gates.size(), r.nextInt(10), "tester", now)
                        : GateDecision.of("g" + gates.size(), a, "tester", now));
            }
            if (r.nextInt(40) == 0) {
                revisions++;
                String hash = r.nextInt(4) == 0 ? status.stableHash() : original + "-r" + revisions;
                spec = dev.stepwise.bench.EngineBenchmarkAccess.withHash(spec, hash);
            }
            List<WorkloadReadiness> ready = new ArrayList<>();
            available.forEach((v, n) -> ready.add(new WorkloadReadiness(v, target.getOrDefault(v, n), n, n, now)));
            return Observations.of(ready, ms, gates, "rev");
        }

        void apply(Decision d) {
            for (String v : List.copyOf(target.keySet())) {
                if (!d.desired().replicas().containsKey(v)) {
                    target.remove(v);
                    available.remove(v);
                    readyAt.remove(v);
                }
            }
            d.desired().replicas().forEach((v, want) -> {
                int have = available.getOrDefault(v, 0);
                target.put(v, want);
                if (want <= have) {
                    available.put(v, want);
                    readyAt.remove(v);
                } else if (!readyAt.containsKey(v)) {
                    available.putIfAbsent(v, 0);
                    readyAt.put(v, now.plusSeconds(5 + r.nextInt(40)));
                }
            });
            dues = d.measurementsDue();
        }

        void advance(Decision d) {
            Instant next = d.requeueAt().orElse(null);
            for (Instant t : readyAt.values()) {
                if (next == null || t.isBefore(next)) {
                    next = t;
                }
            }
            if (next == null || r.nextInt(6) == 0) {
                next = now.plusSeconds(1 + r.nextInt(90));
            }
            now = next.isAfter(now) ? next : now.plusMillis(1 + r.nextInt(3));
        }

        void check(RolloutStatus before, Observations obs, Decision d, String where) {
            RolloutStatus after = d.status();
            DesiredState desired = d.desired();
            int replicas = spec.replicas();
            boolean gate = d.events().stream().anyMatch(e -> e.reason().equals(Reasons.GATE_APPLIED));
            boolean sameRollout = after.attempt() == before.attempt() && after.canaryHash().equals(before.canaryHash());
            boolean abortedNow = after.aborted() && !before.aborted() && sameRollout;

            if (spec.canary().isPresent()) {
                CanaryStrategy c = spec.canary().get();
                int maxWeight = c.trafficRouting().maxTrafficWeight();
                boolean routed = !c.trafficRouting().isReplicaRatio();
                int target = targetWeight(c, after.stepIndex(), maxWeight);
                if (after.inFlight()) {
                    // 1. traffic never raised above the step's weight
                    // (a basic canary's one-pod minimum may be more than a small weight: the one documented exception)
                    boolean onePodMinimum = !routed && desired.replicasOf(after.canaryHash()) == 1 && target > 0;
                    // the weight is raised by the step being worked on; within one decision the rollout may pass
                    // that step and reach one with a lower weight, which the weight then follows down
                    int raisedBy = target;
                    if (sameRollout) {
                        for (int k = Math.min(before.stepIndex(), after.stepIndex()); k <= after.stepIndex(); k++) {
                            raisedBy = Math.max(raisedBy, targetWeight(c, k, maxWeight));
                        }
                    }
                    if ((desired.canaryWeight() > before.canaryWeight() || !sameRollout) && !onePodMinimum) {
                        assertThat(desired.canaryWeight()).as("raised weight, " + where).isLessThanOrEqualTo(raisedBy);
                    }
                    if (routed && !c.dynamicStableScale()) {
                        assertThat(desired.canaryWeight()).as("routed weight, " + where).isLessThanOrEqualTo(target);
                    }
                    // 3. the stable has the pods for its share
                    if (routed) {
                        int share = CanaryReplicas.forWeight(replicas, maxWeight - desired.canaryWeight(), maxWeight);
                        assertThat(desired.replicasOf(after.stableHash())).as("stable pods for its share, " + where)
                                .isGreaterThanOrEqualTo(share);
                        if (c.dynamicStableScale() && sameRollout && desired.canaryWeight() < before.canaryWeight()) {
                            assertThat(obs.available(after.stableHash())).as("traffic back to a ready stable, " + where)
                                    .isGreaterThanOrEqualTo(share);
                        }
                    }
                }
                if (after.aborted()) {
                    assertThat(desired.canaryWeight()).as("aborted routed weight, " + where).isEqualTo(routed ? 0 : desired.canaryWeight());
                    assertThat(desired.headerRoutes()).isEmpty();
                    assertThat(desired.mirrorRoutes()).isEmpty();
                    assertThat(desired.experiments()).allMatch(x -> x.weight() == 0);
                }
                // 1. no analysis step passed without success, unless a person said so
                if (sameRollout && after.stepIndex() > before.stepIndex() && !gate) {
                    for (int k = before.stepIndex(); k < Math.min(after.stepIndex(), c.steps().size()); k++) {
                        if (c.steps().get(k) instanceof AnalysisStep) {
                            int step = k;
                            assertThat(after.runs()).as("analysis step " + k + " passed, " + where).anyMatch(run ->
                                    run.kind() == RunKind.STEP && run.step() == step
                                            && (run.phase() == AnalysisPhase.SUCCESSFUL || run.accepted()));
                        }
                    }
                }
                // 2. traffic first, then scale
                if (abortedNow) {
                    assertThat(desired.canaryWeight()).as("abort weight, " + where).isEqualTo(routed ? 0 : desired.canaryWeight());
                    if (routed) {
                        assertThat(desired.replicas()).as("abort changes no replica count, " + where).isEqualTo(replicasOf(before));
                        c.canaryService().ifPresent(s -> assertThat(desired.services()).containsEntry(s, after.stableHash()));
                    } else {
                        assertThat(desired.replicasOf(after.canaryHash())).isLessThanOrEqualTo(before.replicasOf(after.canaryHash()));
                    }
                }
            } else {
                var b = spec.blueGreen().orElseThrow();
                if (after.inFlight() && !after.aborted()) {
                    assertThat(desired.replicasOf(after.stableHash())).as("blue-green stable, " + where).isEqualTo(replicas);
                    // pre-promotion analysis passed before the switch
                    if (sameRollout && before.stepIndex() <= BlueGreenLogic.PRE_PROMOTION
                            && after.stepIndex() > BlueGreenLogic.PRE_PROMOTION && b.prePromotionAnalysis().isPresent() && !gate) {
                        assertThat(after.runs()).as("pre-promotion passed, " + where).anyMatch(run ->
                                run.kind() == RunKind.PRE_PROMOTION && (run.phase() == AnalysisPhase.SUCCESSFUL || run.accepted()));
                    }
                }
                if (after.aborted()) {
                    assertThat(desired.services()).as("blue-green abort services, " + where)
                            .allSatisfy((svc, version) -> assertThat(version).isEqualTo(after.stableHash()));
                    assertThat(desired.canaryWeight()).isZero();
                }
                if (abortedNow) {
                    assertThat(desired.replicas()).as("abort changes no replica count, " + where).isEqualTo(replicasOf(before));
                }
            }
            // 3. an abort never scales the stable down
            if (after.aborted() && sameRollout && replicas > 0) {
                int had = before.replicasOf(after.stableHash());
                assertThat(desired.replicasOf(after.stableHash())).as("stable under abort, " + where)
                        .isGreaterThanOrEqualTo(had > 0 ? Math.max(1, Math.min(replicas, had)) : 0);
            }
            // every run id is unique, every decision says why it waits
            assertThat(after.runs().stream().map(AnalysisRunState::id).distinct().count()).isEqualTo(after.runs().size());
            if (after.inFlight() && d.requeueAt().isEmpty() && after.phase() == Phase.PROGRESSING) {
                assertThat(d.reasons()).as("a progressing rollout with nothing due says what it waits for, " + where).isNotEmpty();
            }
        }

        private static Map<String, Integer> replicasOf(RolloutStatus s) {
            Map<String, Integer> m = new LinkedHashMap<>();
            for (VersionReplicas v : s.replicas()) {
                m.put(v.version(), v.replicas());
            }
            return m;
        }

        private static int targetWeight(CanaryStrategy c, int step, int maxWeight) {
            if (step >= c.steps().size()) {
                return maxWeight;
            }
            for (int j = step; j >= 0; j--) {
                Step s = c.steps().get(j);
                if (s instanceof SetWeight w) {
                    return w.weight();
                }
            }
            return 0;
        }
    }

    /** Generators of rollout YAML. */
    static final class Generated {

        static String rollout(Random r) {
            int replicas = 1 + r.nextInt(12);
            String deadline = r.nextInt(4) == 0 ? "\n  progressDeadlineSeconds: " + (30 + r.nextInt(120))
                    + "\n  progressDeadlineAbort: " + r.nextBoolean() : "";
            String head = """
                    apiVersion: argoproj.io/v1alpha1
                    kind: Rollout
                    metadata: {name: gen, namespace: shop}
                    spec:
                      replicas: %d%s
                      template:
                        metadata: {labels: {app: gen}}
                        spec: {containers: [{name: app, image: "r/gen:v%d"}]}
                      strategy:
                    """.formatted(replicas, deadline, r.nextInt(1000));
            if (r.nextInt(4) == 0) {
                return head + blueGreen(r);
            }
            return head + canary(r);
        }

        private static String blueGreen(Random r) {
            StringBuilder s = new StringBuilder("    blueGreen:\n      activeService: gen-active\n      previewService: gen-preview\n");
            if (r.nextBoolean()) {
                s.append("      previewReplicaCount: ").append(1 + r.nextInt(3)).append('\n');
            }
            s.append("      autoPromotionEnabled: ").append(r.nextInt(4) != 0).append('\n');
            s.append("      autoPromotionSeconds: ").append(r.nextInt(120)).append('\n');
            s.append("      scaleDownDelaySeconds: ").append(r.nextInt(60)).append('\n');
            s.append("      abortScaleDownDelaySeconds: ").append(r.nextInt(60)).append('\n');
            if (r.nextBoolean()) {
                s.append("      prePromotionAnalysis: {templates: [{templateName: t}]}\n");
            }
            if (r.nextBoolean()) {
                s.append("      postPromotionAnalysis: {templates: [{templateName: t}]}\n");
            }
            return s.toString();
        }

        private static String canary(Random r) {
            int kind = r.nextInt(4); // 0 basic, 1 istio, 2 istio + dynamicStableScale, 3 nginx
            StringBuilder s = new StringBuilder("    canary:\n");
            if (kind != 0) {
                s.append("      canaryService: gen-canary\n      stableService: gen-stable\n");
                s.append(kind == 3 ? "      trafficRouting: {nginx: {stableIngress: gen}, managedRoutes: [{name: hdr}, {name: mir}]}\n"
                        : "      trafficRouting: {istio: {virtualService: {name: gen, routes: [primary]}}, managedRoutes: [{name: hdr}, {name: mir}]}\n");
            }
            if (kind == 2) {
                s.append("      dynamicStableScale: true\n");
            }
            s.append("      maxSurge: ").append(r.nextBoolean() ? "\"" + r.nextInt(60) + "%\"" : String.valueOf(r.nextInt(3))).append('\n');
            s.append("      maxUnavailable: ").append(r.nextBoolean() ? "\"" + r.nextInt(50) + "%\"" : String.valueOf(r.nextInt(2))).append('\n');
            s.append("      abortScaleDownDelaySeconds: ").append(r.nextInt(4) == 0 ? 0 : r.nextInt(60)).append('\n');
            s.append("      scaleDownDelaySeconds: ").append(r.nextInt(60)).append('\n');
            int steps = 1 + r.nextInt(8);
            if (r.nextInt(3) == 0) {
                s.append("      analysis: {templates: [{templateName: bg}], startingStep: ").append(r.nextInt(steps)).append("}\n");
            }
            s.append("      steps:\n");
            int weight = 0;
            for (int i = 0; i < steps; i++) {
                String irreversible = r.nextInt(12) == 0 ? "\n          irreversible: true" : "";
                switch (r.nextInt(kind == 0 ? 4 : 7)) {
                    case 0, 1 -> {
                        weight = r.nextInt(5) == 0 ? r.nextInt(101) : Math.min(100, weight + 1 + r.nextInt(40));
                        s.append("        - setWeight: ").append(weight).append(irreversible).append('\n');
                    }
                    case 2 -> s.append(r.nextInt(6) == 0 ? "        - pause: {}" : "        - pause: {duration: " + r.nextInt(300) + "s}")
                            .append(irreversible).append('\n');
                    case 3 -> s.append("        - analysis: {templates: [{templateName: t}]}").append(irreversible).append('\n');
                    case 4 -> s.append(r.nextBoolean() ? "        - setCanaryScale: {replicas: " + r.nextInt(4) + "}\n"
                            : r.nextBoolean() ? "        - setCanaryScale: {weight: " + r.nextInt(101) + "}\n"
                            : "        - setCanaryScale: {matchTrafficWeight: true}\n");
                    case 5 -> s.append(r.nextBoolean()
                            ? "        - setHeaderRoute: {name: hdr, match: [{headerName: X-Canary, headerValue: {exact: 'yes'}}]}\n"
                            : "        - setMirrorRoute: {name: mir, percentage: " + r.nextInt(101) + "}\n");
                    default -> s.append("""
                                    - experiment:
                                        duration: %ds
                                        templates: [{name: base, specRef: stable, weight: %d}, {name: cand, specRef: canary, weight: %d}]
                                        analyses: [{name: cmp, templateName: t}]
                            """.formatted(30 + r.nextInt(120), r.nextInt(5), r.nextInt(5)));
                }
            }
            return s.toString();
        }

        static String template(String name, Random r, boolean background) {
            StringBuilder m = new StringBuilder("    - name: rate\n");
            m.append("      interval: ").append(20 + r.nextInt(100)).append("s\n");
            if (!background || r.nextBoolean()) {
                m.append("      count: ").append(1 + r.nextInt(4)).append('\n');
            }
            m.append("      failureLimit: ").append(r.nextInt(3)).append('\n');
            m.append("      inconclusiveLimit: ").append(r.nextInt(2)).append('\n');
            m.append("      consecutiveErrorLimit: ").append(r.nextInt(4)).append('\n');
            if (r.nextInt(4) == 0) {
                m.append("      minSamples: 50\n");
            }
            m.append("      successCondition: result[0] >= 0.99\n");
            if (r.nextBoolean()) {
                m.append("      failureCondition: result[0] < 0.9\n");
            }
            m.append("      provider: {prometheus: {address: http://p, query: q}}\n");
            return Fixtures.template(name, m.toString());
        }
    }
}
