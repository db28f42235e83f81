package dev.stepwise.policy;

import static dev.stepwise.policy.PolicyFixtures.examplePolicies;
import static dev.stepwise.policy.PolicyFixtures.file;
import static dev.stepwise.policy.PolicyFixtures.load;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.spec.Finding;
import dev.stepwise.spec.SourceFile;
import dev.stepwise.spec.SpecDocument;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The example rules over 10,000 realistic rollouts: compiled once, evaluated per document. The bound is loose (the
 * machine is shared); the point is to catch a regression of an order of magnitude, such as converting every
 * document into CEL values on each evaluation, and to print the cost per document.
 */
class PolicyPerformanceTest {

    private static final int SPECS = 10_000;

    private static String rollout(int i) {
        boolean production = i % 2 == 0;
        String team = switch (i % 4) {
            case 0 -> "payments";
            case 1 -> "auth";
            default -> "catalog";
        };
        return """
                apiVersion: argoproj.io/v1alpha1
                kind: Rollout
                metadata:
                  name: app-%d
                  namespace: %s
                  labels: {app: app-%d, team: %s}
                spec:
                  replicas: 4
                  selector:
                    matchLabels: {app: app-%d}
                  template:
                    metadata:
                      labels: {app: app-%d}
                    spec:
                      containers:
                        - name: app
                          image: ghcr.io/acme/app-%d:1.%d.0
                          ports: [{containerPort: 8080}]
                          resources: {requests: {cpu: 100m, memory: 128Mi}}
                        - name: proxy
                          image: envoyproxy/envoy:v1.31.0
                  strategy:
                    canary:
                      canaryService: app-%d-canary
                      stableService: app-%d-stable
                      steps:
                        - setWeight: 5
                        - pause: {duration: 5m}
                        - analysis:
                            templates: [{templateName: success-rate}]
                        - setWeight: 25
                        - pause: {}
                        - setWeight: 75
                        - pause: {duration: 5m}
                """.formatted(i, production ? "production" : "staging", i, team, i, i, i, i % 50, i, i);
    }

    private static List<SpecDocument> specs() {
        List<SourceFile> files = new ArrayList<>();
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < SPECS; i++) {
            yaml.append(i % 100 == 0 ? "" : "---\n").append(rollout(i));
            if (i % 100 == 99) {
                files.add(file("apps/batch-" + (i / 100) + ".yaml", yaml.toString()));
                yaml.setLength(0);
            }
        }
        List<SpecDocument> docs = load(files).documents();
        assertThat(docs).hasSize(SPECS);
        return docs;
    }

    @Test
    void tenThousandSpecsAreEvaluatedQuickly() {
        PolicySet policies = examplePolicies();
        List<SpecDocument> docs = specs();

        // CPU time of this thread, not wall time: the build machine is shared, and waiting for a core is not our cost
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long start = threads.getCurrentThreadCpuTime();
        List<Finding> cold = policies.evaluateAll(docs);
        long coldNanos = threads.getCurrentThreadCpuTime() - start;

        long best = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            long t = threads.getCurrentThreadCpuTime();
            assertThat(policies.evaluateAll(docs)).isEmpty();
            best = Math.min(best, threads.getCurrentThreadCpuTime() - t);
        }
        System.out.printf("policy evaluation, %d example rules over %d rollouts (CPU time): first pass %.1f µs/document, "
                        + "warm %.1f µs/document%n", policies.rules().size(), SPECS,
                coldNanos / 1e3 / SPECS, best / 1e3 / SPECS);

        assertThat(cold).isEmpty();
        assertThat(best / SPECS).as("warm nanoseconds per document").isLessThan(1_000_000L);
    }
}
