package dev.stepwise.cluster;

import dev.stepwise.cluster.embedded.EmbeddedCluster;
import dev.stepwise.engine.Decision;
import dev.stepwise.engine.Fixtures;
import dev.stepwise.engine.GateDecision;
import dev.stepwise.engine.Phase;
import dev.stepwise.engine.RolloutEngine;
import dev.stepwise.engine.RolloutStatus;
import dev.stepwise.spec.model.AnalysisTemplateSpec;
import dev.stepwise.spec.model.RolloutSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Drives a rollout through the real engine against the embedded API server with virtual time: observe, decide,
 * apply, let the simulated pods come up, repeat. Every apply's result is kept for assertions.
 */
final class ClusterDrive implements AutoCloseable {
    static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");

    final RequestLog log = new RequestLog();
    final EmbeddedCluster cluster;
    ClusterTarget target;
    final RolloutEngine engine = new RolloutEngine();
    RolloutSpec spec;
    Map<String, AnalysisTemplateSpec> templates = Map.of();
    RolloutStatus status = RolloutStatus.initial();
    Instant now = T0;
    final List<Decision> decisions = new ArrayList<>();
    final List<ApplyResult> applies = new ArrayList<>();
    final List<GateDecision> gates = new ArrayList<>();
    /** Called after each apply (assert objects at each step). */
    Consumer<ClusterDrive> afterEach = d -> { };
    String revision = "rev-1";

    ClusterDrive() {
        cluster = EmbeddedCluster.start(Duration.ZERO, java.time.Clock.systemUTC(), b -> b.addOrReplaceInterceptor("log", log));
        target = new ClusterTarget(cluster.client());
    }

    /** A drive whose cluster already has the user's Services {@code names} in namespace shop. */
    static ClusterDrive withServices(String... names) {
        ClusterDrive d = new ClusterDrive();
        for (String name : names) {
            Objects.service(d.client(), "shop", name);
        }
        return d;
    }

    KubernetesClient client() {
        return cluster.client();
    }

    ClusterDrive spec(String yaml) {
        var model = Fixtures.model(yaml);
        spec = model.rollouts().get(0);
        templates = RolloutEngine.templatesFor(model, spec);
        return this;
    }

    Decision decide() {
        long t0 = System.nanoTime();
        cluster.simulator().settle();
        long t1 = System.nanoTime();
        spec = target.resolve(spec);
        ClusterObservation obs = target.observe(spec, now);
        lastSeen = available(obs);
        Decision d = engine.decide(spec, templates, status, obs.toObservations(List.of(), List.copyOf(gates), revision), now);
        gates.clear();
        ApplyResult r = target.apply(spec, d.desired(), new ApplyContext(revision, "commit-" + revision, d.scaleDowns(), now));
        decisions.add(d);
        if (Boolean.getBoolean("stepwise.trace")) {
            System.out.println("TRACE " + now + " " + d.status().phase() + " step " + d.status().stepIndex() + " " + d.desired().replicas()
                    + " svc " + d.desired().services() + " obs " + obs.workloads().values().stream().map(w -> w.version() + "=" + w.available()).toList()
                    + " ops " + r.operations() + " findings " + r.findings());
        }
        if (Boolean.getBoolean("stepwise.timing")) {
            System.out.printf("settle %d ms, observe+decide+apply %d ms%n", (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000);
        }
        applies.add(r);
        status = d.status();
        afterEach.accept(this);
        return d;
    }

    Decision last() {
        return decisions.get(decisions.size() - 1);
    }

    ApplyResult lastApply() {
        return applies.get(applies.size() - 1);
    }

    /** One decision, then the clock moves to the requeue time (or 10 s on). */
    Decision tick() {
        Decision d = decide();
        // a reconciler wakes on the requeue time or on a change in the cluster (pods ready), whichever comes first:
        // 10 s of virtual time stands for "the pods changed"
        Instant soon = now.plusSeconds(10);
        Instant next = d.requeueAt().filter(t -> t.isAfter(now) && t.isBefore(soon)).orElse(soon);
        if (d.requeueAt().isPresent() && d.requeueAt().get().isAfter(soon) && podsSettled()) {
            next = d.requeueAt().get();
        }
        now = next;
        return d;
    }

    /** True when the cluster reports what the last decision saw: nothing new to react to before the requeue time. */
    private boolean podsSettled() {
        cluster.simulator().settle();
        return available(target.observe(spec, now)).equals(lastSeen);
    }

    private static Map<String, Integer> available(ClusterObservation o) {
        Map<String, Integer> out = new java.util.TreeMap<>();
        o.workloads().forEach((v, w) -> out.put(v, w.available() * 1000 + w.desired()));
        return out;
    }

    private Map<String, Integer> lastSeen = Map.of();

    /** Ticks until the rollout is Healthy, Degraded or Paused (indefinitely), at most {@code max} decisions. */
    Decision runUntil(int max, Phase... phases) {
        for (int i = 0; i < max; i++) {
            Decision d = tick();
            for (Phase p : phases) {
                if (d.status().phase() == p) {
                    return d;
                }
            }
        }
        throw new AssertionError("not in " + List.of(phases) + " after " + max + " decisions: " + status.phase() + " " + status.message());
    }

    @Override
    public void close() {
        cluster.close();
    }
}
