package dev.stepwise.engine;

import dev.stepwise.engine.analysis.AnalysisResolver;
import dev.stepwise.engine.analysis.ConditionCache;
import dev.stepwise.engine.analysis.ResolvedRun;
import dev.stepwise.spec.SourceFile;
import dev.stepwise.spec.SpecLoader;
import dev.stepwise.spec.model.AnalysisStep;
import dev.stepwise.spec.model.AnalysisTemplateSpec;
import dev.stepwise.spec.model.RepositoryModel;
import dev.stepwise.spec.model.RolloutSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Rollouts and templates for engine tests: from YAML written in the test, or from {@code examples-repo/}. */
public final class Fixtures {

    private Fixtures() {
    }

    /** A spec repository made of YAML texts (each its own file). */
    public static RepositoryModel model(String... yamls) {
        List<SourceFile> files = new ArrayList<>();
        for (int i = 0; i < yamls.length; i++) {
            files.add(new SourceFile("test/f" + i + ".yaml", yamls[i].getBytes(StandardCharsets.UTF_8)));
        }
        RepositoryModel m = RepositoryModel.of(new SpecLoader().load(files));
        if (m.rollouts().isEmpty() && yamls.length > 0 && yamls[0].contains("kind: Rollout")) {
            throw new IllegalArgumentException("the rollout did not map: " + m.findings());
        }
        return m;
    }

    /** The files under {@code examples-repo/} (paths relative to it). */
    public static RepositoryModel examples(String... paths) {
        List<SourceFile> files = new ArrayList<>();
        for (String p : paths) {
            Path path = Path.of("examples-repo", p);
            try {
                files.add(new SourceFile("examples-repo/" + p, Files.readAllBytes(path)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return RepositoryModel.of(new SpecLoader().load(files));
    }

    /** The first rollout of the model with its templates. */
    public record Rollout(RolloutSpec spec, Map<String, AnalysisTemplateSpec> templates) {
        public Drive drive() {
            return Drive.start(spec, templates);
        }
    }

    public static Rollout rollout(RepositoryModel m) {
        RolloutSpec spec = m.rollouts().get(0);
        return new Rollout(spec, RolloutEngine.templatesFor(m, spec));
    }

    public static Rollout rollout(String... yamls) {
        return rollout(model(yamls));
    }

    /** The resolved run of the first analysis step of {@code r} (for analysis-run unit tests). */
    public static ResolvedRun stepRun(Rollout r) {
        AnalysisStep step = (AnalysisStep) r.spec().canary().orElseThrow().steps().stream()
                .filter(s -> s instanceof AnalysisStep).findFirst().orElseThrow();
        return new AnalysisResolver(new ConditionCache()).resolve(step.analysis(), r.spec(), r.templates(), step.templates(),
                step.args(), step.analysis()::isDryRun, "stable", "canary");
    }

    /** A canary rollout with a traffic router around {@code steps} (YAML list items, indented 8). */
    public static String istioCanary(String name, int replicas, String extra, String steps) {
        return """
                apiVersion: argoproj.io/v1alpha1
                kind: Rollout
                metadata:
                  name: %s
                  namespace: shop
                spec:
                  replicas: %d
                  selector: {matchLabels: {app: %1$s}}
                  template:
                    metadata: {labels: {app: %1$s}}
                    spec:
                      containers: [{name: app, image: "registry.example.com/%1$s:v2"}]
                  strategy:
                    canary:
                      canaryService: %1$s-canary
                      stableService: %1$s-stable
                      trafficRouting:
                        istio:
                          virtualService: {name: %1$s-vs, routes: [primary]}
                %s
                      steps:
                %s
                """.formatted(name, replicas, extra, steps);
    }

    /** An AnalysisTemplate named {@code name} in namespace shop with one metric written as YAML (indented 4). */
    public static String template(String name, String metric) {
        return """
                apiVersion: argoproj.io/v1alpha1
                kind: AnalysisTemplate
                metadata:
                  name: %s
                  namespace: shop
                spec:
                  metrics:
                %s
                """.formatted(name, metric);
    }
}
