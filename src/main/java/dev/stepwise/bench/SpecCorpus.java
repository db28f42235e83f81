package dev.stepwise.bench;

import dev.stepwise.spec.SourceFile;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generates a realistic spec repository of N rollouts for benchmarks: canaries with Istio, NGINX or no router, and
 * blue-greens, each in its own file with its Services beside it (as teams keep them), plus the analysis templates
 * they name and a policy file. Seeded, so every run measures the same bytes.
 */
public final class SpecCorpus {

    private SpecCorpus() {
    }

    public static List<SourceFile> generate(int rollouts, long seed) {
        Random random = new Random(seed);
        List<SourceFile> files = new ArrayList<>(rollouts + 4);
        int namespaces = Math.max(1, rollouts / 500);
        for (int ns = 0; ns < namespaces; ns++) {
            files.add(file("analysis/ns" + ns + ".yaml", templates("team-" + ns)));
        }
        files.add(file("policies/safety.yaml", POLICY));
        for (int i = 0; i < rollouts; i++) {
            String ns = "team-" + (i % namespaces);
            String name = "svc-" + i;
            String body = switch (random.nextInt(4)) {
                case 0 -> istioCanary(name, ns, random);
                case 1 -> nginxCanary(name, ns, random);
                case 2 -> blueGreen(name, ns, random);
                default -> basicCanary(name, ns, random);
            };
            files.add(file("rollouts/" + ns + "/" + name + ".yaml", body + SERVICE.formatted(name + "-stable", ns, name)));
        }
        return files;
    }

    /** Total bytes of the generated files, for the report. */
    public static long bytes(List<SourceFile> files) {
        return files.stream().mapToLong(f -> f.bytes().length).sum();
    }

    private static SourceFile file(String path, String text) {
        return new SourceFile(path, text.getBytes(StandardCharsets.UTF_8));
    }

    private static String header(String name, String ns, Random r) {
        return """
                apiVersion: argoproj.io/v1alpha1
                kind: Rollout
                metadata:
                  name: %1$s
                  namespace: %2$s
                  labels:
                    app: %1$s
                    team: %2$s
                spec:
                  replicas: %3$d
                  revisionHistoryLimit: 3
                  selector:
                    matchLabels:
                      app: %1$s
                  template:
                    metadata:
                      labels:
                        app: %1$s
                    spec:
                      containers:
                        - name: %1$s
                          image: registry.example.com/%1$s:v1.%4$d.%5$d
                          ports:
                            - containerPort: 8080
                          resources:
                            requests:
                              cpu: 100m
                              memory: 128Mi
                """.formatted(name, ns, 2 + r.nextInt(20), r.nextInt(30), r.nextInt(10));
    }

    private static String steps(String name, Random r) {
        int first = 1 + r.nextInt(10);
        return """
                      steps:
                        - setWeight: %2$d
                        - pause: {duration: %3$dm}
                        - analysis:
                            templates:
                              - templateName: success-rate
                            args:
                              - name: service-name
                                value: %1$s-canary
                        - setWeight: 25
                        - pause: {duration: 5m}
                        - setWeight: 50
                        - pause: {duration: 5m}
                """.formatted(name, first, 1 + r.nextInt(15));
    }

    private static String istioCanary(String name, String ns, Random r) {
        return header(name, ns, r) + """
                  strategy:
                    canary:
                      canaryService: %1$s-canary
                      stableService: %1$s-stable
                      trafficRouting:
                        istio:
                          virtualService:
                            name: %1$s-vsvc
                            routes: [primary]
                """.formatted(name) + steps(name, r);
    }

    private static String nginxCanary(String name, String ns, Random r) {
        return header(name, ns, r) + """
                  strategy:
                    canary:
                      canaryService: %1$s-canary
                      stableService: %1$s-stable
                      trafficRouting:
                        nginx:
                          stableIngress: %1$s-ingress
                """.formatted(name) + steps(name, r);
    }

    private static String basicCanary(String name, String ns, Random r) {
        return header(name, ns, r) + """
                  strategy:
                    canary:
                      maxSurge: "25%"
                      maxUnavailable: 0
                """ + steps(name, r);
    }

    private static String blueGreen(String name, String ns, Random r) {
        return header(name, ns, r) + """
                  strategy:
                    blueGreen:
                      activeService: %1$s-active
                      previewService: %1$s-preview
                      autoPromotionSeconds: %2$d
                      scaleDownDelaySeconds: 30
                      prePromotionAnalysis:
                        templates:
                          - templateName: success-rate
                        args:
                          - name: service-name
                            value: %1$s-preview
                """.formatted(name, 60 + r.nextInt(600));
    }

    private static String templates(String ns) {
        return """
                apiVersion: argoproj.io/v1alpha1
                kind: AnalysisTemplate
                metadata:
                  name: success-rate
                  namespace: %s
                spec:
                  args:
                    - name: service-name
                  metrics:
                    - name: success-rate
                      interval: 1m
                      count: 5
                      failureLimit: 1
                      successCondition: result[0] >= 0.99
                      provider:
                        prometheus:
                          address: http://prometheus.monitoring:9090
                          query: |
                            sum(rate(http_requests_total{service="{{args.service-name}}",status!~"5.."}[2m]))
                            / sum(rate(http_requests_total{service="{{args.service-name}}"}[2m]))
                """.formatted(ns);
    }

    private static final String SERVICE = """
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: %s
              namespace: %s
            spec:
              selector:
                app: %s
              ports:
                - port: 80
                  targetPort: 8080
            """;

    private static final String POLICY = """
            apiVersion: stepwise.dev/v1alpha1
            kind: Policy
            metadata:
              name: bench-safety
            spec:
              rules:
                - name: first-step-small
                  match: {kinds: [Rollout]}
                  rule: "!has(object.spec.strategy.canary) || !has(object.spec.strategy.canary.steps) || !has(object.spec.strategy.canary.steps[0].setWeight) || object.spec.strategy.canary.steps[0].setWeight <= 10"
                  message: the first canary weight is at most 10
                  action: deny
                - name: needs-analysis
                  match: {kinds: [Rollout]}
                  rule: "!has(object.spec.strategy.canary) || object.spec.strategy.canary.steps.exists(s, has(s.analysis))"
                  message: canaries need an analysis step
                  action: deny
                - name: bluegreen-pre-promotion
                  match: {kinds: [Rollout]}
                  rule: "!has(object.spec.strategy.blueGreen) || has(object.spec.strategy.blueGreen.prePromotionAnalysis)"
                  message: blue-green rollouts need prePromotionAnalysis
                  action: deny
                - name: no-latest
                  match: {kinds: [Rollout]}
                  rule: "object.spec.template.spec.containers.all(c, !c.image.endsWith(':latest'))"
                  message: images must not use the latest tag
                  action: deny
                - name: has-team-label
                  match: {kinds: [Rollout]}
                  rule: "has(object.metadata.labels) && 'team' in object.metadata.labels"
                  message: rollouts carry a team label
                  action: warn
            """;
}
