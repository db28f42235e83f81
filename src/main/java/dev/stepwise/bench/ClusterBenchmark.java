package dev.stepwise.bench;

import dev.stepwise.cluster.ApplyContext;
import dev.stepwise.cluster.ApplyResult;
import dev.stepwise.cluster.ClusterTarget;
import dev.stepwise.cluster.RequestCounter;
import dev.stepwise.cluster.embedded.EmbeddedCluster;
import dev.stepwise.engine.Decision;
import dev.stepwise.engine.GateAction;
import dev.stepwise.engine.GateDecision;
import dev.stepwise.engine.Phase;
import dev.stepwise.engine.RolloutEngine;
import dev.stepwise.engine.RolloutStatus;
import dev.stepwise.spec.SourceFile;
import dev.stepwise.spec.SpecLoader;
import dev.stepwise.spec.model.RepositoryModel;
import dev.stepwise.spec.model.RolloutSpec;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Figures for the cluster side on the embedded API server, with the real engine and the real fabric8 code:
 * <ul>
 *   <li>abort latency: from the abort decision (engine.decide with an abort gate) to the apply that reads 0% canary
 *       weight back from the Istio VirtualService (traffic 100% on stable, verified);</li>
 *   <li>API requests per decision over a whole canary (reads and writes), and how many decisions sent a request
 *       that changed or verified nothing.</li>
 * </ul>
 */
public final class ClusterBenchmark {

    private static final ResourceDefinitionContext VS = new ResourceDefinitionContext.Builder().withGroup("networking.istio.io")
            .withVersion("v1beta1").withKind("VirtualService").withPlural("virtualservices").withNamespaced(true).build();

    /** What one run measured; latencies in milliseconds. */
    public record Figures(int aborts, double abortP50Ms, double abortP95Ms, double abortMaxMs, boolean allVerified,
                          int decisions, double requestsPerDecision, double readsPerDecision, double writesPerDecision,
                          int idleDecisions, double requestsPerIdleDecision) {
    }

    private ClusterBenchmark() {
    }

    static RolloutSpec spec(String ns, String image) {
        String yaml = """
                apiVersion: argoproj.io/v1alpha1
                kind: Rollout
                metadata: {name: api, namespace: %s}
                spec:
                  replicas: 4
                  template: {spec: {containers: [{name: app, image: %s}]}}
                  strategy:
                    canary:
                      canaryService: api-canary
                      stableService: api-stable
                      trafficRouting:
                        istio:
                          virtualService: {name: api-vs, routes: [primary]}
                      steps: [{setWeight: 20}, {pause: {duration: 1m}}, {setWeight: 50}, {pause: {duration: 1m}}]
                """.formatted(ns, image);
        RepositoryModel m = RepositoryModel.of(new SpecLoader().load(List.of(new SourceFile("bench.yaml", yaml.getBytes(StandardCharsets.UTF_8)))));
        return m.rollouts().get(0);
    }

    static void objects(KubernetesClient c, String ns) {
        for (String s : List.of("api-stable", "api-canary")) {
            c.services().inNamespace(ns).resource(new ServiceBuilder().withNewMetadata().withName(s).withNamespace(ns).endMetadata()
                    .withNewSpec().withSelector(Map.of("app", "api")).addNewPort().withPort(80).endPort().endSpec().build()).create();
        }
        GenericKubernetesResource vs = new GenericKubernetesResource();
        vs.setApiVersion("networking.istio.io/v1beta1");
        vs.setKind("VirtualService");
        vs.setMetadata(new ObjectMetaBuilder().withName("api-vs").withNamespace(ns).build());
        vs.getAdditionalProperties().put("spec", Map.of("hosts", List.of("api"), "http", List.of(Map.of("name", "primary", "route", List.of(
                Map.of("destination", Map.of("host", "api-stable"), "weight", 100),
                Map.of("destination", Map.of("host", "api-canary"), "weight", 0))))));
        c.genericKubernetesResources(VS).inNamespace(ns).resource(vs).create();
    }

    public static Figures run(int aborts) {
        RequestCounter counter = new RequestCounter();
        try (EmbeddedCluster cluster = EmbeddedCluster.start(Duration.ZERO, java.time.Clock.systemUTC(),
                b -> b.addOrReplaceInterceptor("count", counter))) {
            RolloutEngine engine = new RolloutEngine();
            double[] latencies = new double[aborts];
            boolean allVerified = true;
            int decisions = 0;
            long requests = 0;
            long reads = 0;
            long writes = 0;
            int idle = 0;
            long idleRequests = 0;
            for (int i = 0; i < aborts + 1; i++) { // the first round warms the JIT and is not counted
                String ns = "bench-" + i;
                objects(cluster.client(), ns);
                ClusterTarget target = new ClusterTarget(cluster.client());
                Instant now = Instant.parse("2026-01-01T10:00:00Z");
                RolloutStatus status = RolloutStatus.initial();
                RolloutSpec v1 = spec(ns, "app:1");
                for (int k = 0; k < 20 && status.phase() != Phase.HEALTHY; k++) {
                    cluster.simulator().settle();
                    Decision d = engine.decide(v1, Map.of(), status, target.observe(v1, now).toObservations(List.of(), List.of(), "r1"), now);
                    target.apply(v1, d.desired(), new ApplyContext("r1", "c1", d.scaleDowns(), now));
                    status = d.status();
                    now = now.plusSeconds(10);
                }
                RolloutSpec v2 = spec(ns, "app:2");
                // walk to the 50% step, counting requests per decision
                while (status.canaryWeight() < 50 || status.phase() == Phase.HEALTHY) {
                    cluster.simulator().settle();
                    long before = counter.total();
                    long r0 = counter.reads();
                    long w0 = counter.writes();
                    Decision d = engine.decide(v2, Map.of(), status, target.observe(v2, now).toObservations(List.of(), List.of(), "r2"), now);
                    ApplyResult a = target.apply(v2, d.desired(), new ApplyContext("r2", "c2", d.scaleDowns(), now));
                    status = d.status();
                    now = now.plusSeconds(10);
                    if (i > 0) {
                        decisions++;
                        requests += counter.total() - before;
                        reads += counter.reads() - r0;
                        writes += counter.writes() - w0;
                        if (counter.writes() == w0) { // nothing changed: only reads (state, verification)
                            idle++;
                            idleRequests += counter.total() - before;
                        }
                    }
                }
                cluster.simulator().settle();
                var obs = target.observe(v2, now).toObservations(List.of(), List.of(GateDecision.of("abort-" + i, GateAction.ABORT, "bench", now)), "r2");
                long t0 = System.nanoTime();
                Decision abort = engine.decide(v2, Map.of(), status, obs, now);
                ApplyResult applied = target.apply(v2, abort.desired(), new ApplyContext("r2", "c2", abort.scaleDowns(), now));
                long t1 = System.nanoTime();
                allVerified &= applied.trafficVerified() && abort.desired().canaryWeight() == 0;
                if (i > 0) {
                    latencies[i - 1] = (t1 - t0) / 1e6;
                }
            }
            double[] sorted = latencies.clone();
            Arrays.sort(sorted);
            return new Figures(aborts, pct(sorted, 50), pct(sorted, 95), sorted[sorted.length - 1], allVerified, decisions,
                    (double) requests / decisions, (double) reads / decisions, (double) writes / decisions, idle,
                    idle == 0 ? 0 : (double) idleRequests / idle);
        }
    }

    private static double pct(double[] sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    public static List<String> describe(Figures f) {
        List<String> out = new ArrayList<>();
        out.add(String.format("abort -> 100%% on stable, verified: p50 %.1f ms, p95 %.1f ms, max %.1f ms over %d aborts (all verified: %s)",
                f.abortP50Ms(), f.abortP95Ms(), f.abortMaxMs(), f.aborts(), f.allVerified()));
        out.add(String.format("API requests per decision: %.1f (%.1f reads, %.1f writes) over %d decisions; %d decisions wrote nothing and read %.1f times each",
                f.requestsPerDecision(), f.readsPerDecision(), f.writesPerDecision(), f.decisions(), f.idleDecisions(), f.requestsPerIdleDecision()));
        return out;
    }
}
