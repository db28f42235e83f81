package dev.stepwise.promotion;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.spec.SourceFile;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ImageRewriterTest {

    private static final String PROD = """
            # production checkout: reviewed by the payments team
            apiVersion: argoproj.io/v1alpha1
            kind: Rollout
            metadata:
              name: checkout-api   # same name as in staging
              namespace: production
            spec:
              template:
                spec:
                  initContainers:
                    - name: migrate
                      image: "registry.example.com/checkout-migrate:v2.0.3"  # quoted on purpose
                  containers:
                    - name: checkout-api
                      image: registry.example.com/checkout-api:v2.0.3 # the app
                      ports: [{containerPort: 8080}]
                    - {name: sidecar, image: 'envoy:1.29'}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: checkout-api}
            """;

    private static String rewrite(String yaml, Map<String, String> images) {
        ImageRewriter.Result r = ImageRewriter.rewrite(new SourceFile("prod/checkout.yaml", yaml.getBytes(StandardCharsets.UTF_8)),
                Optional.of("checkout-api"), images);
        assertThat(r.findings()).isEmpty();
        return new String(r.content().orElseThrow(), StandardCharsets.UTF_8);
    }

    @Test
    void changesOnlyTheImageScalarsKeepingQuotingCommentsAndEverythingElse() {
        String out = rewrite(PROD, Map.of("checkout-api", "registry.example.com/checkout-api:v2.1.0",
                "migrate", "registry.example.com/checkout-migrate:v2.1.0", "sidecar", "envoy:1.30"));

        assertThat(out).isEqualTo(PROD
                .replace("\"registry.example.com/checkout-migrate:v2.0.3\"", "\"registry.example.com/checkout-migrate:v2.1.0\"")
                .replace("image: registry.example.com/checkout-api:v2.0.3 # the app", "image: registry.example.com/checkout-api:v2.1.0 # the app")
                .replace("'envoy:1.29'", "'envoy:1.30'"));
    }

    @Test
    void keepsWindowsLineEndingsAndReportsTheChangedLines() {
        String crlf = PROD.replace("\n", "\r\n");
        ImageRewriter.Result r = ImageRewriter.rewrite(new SourceFile("p.yaml", crlf.getBytes(StandardCharsets.UTF_8)),
                Optional.of("checkout-api"), Map.of("checkout-api", "app@sha256:" + "a".repeat(64)));
        String out = new String(r.content().orElseThrow(), StandardCharsets.UTF_8);
        assertThat(out).isEqualTo(crlf.replace("registry.example.com/checkout-api:v2.0.3", "app@sha256:" + "a".repeat(64)));
        assertThat(r.changes()).singleElement().satisfies(c -> {
            assertThat(c.line()).isEqualTo(15);
            assertThat(c.from()).isEqualTo("registry.example.com/checkout-api:v2.0.3");
            assertThat(c.pointer()).isEqualTo("/spec/template/spec/containers/0/image");
        });
    }

    @Test
    void sameImagesMeanNothingToWrite() {
        ImageRewriter.Result r = ImageRewriter.rewrite(new SourceFile("p.yaml", PROD.getBytes(StandardCharsets.UTF_8)),
                Optional.of("checkout-api"), Map.of("checkout-api", "registry.example.com/checkout-api:v2.0.3"));
        assertThat(r.content()).isEmpty();
        assertThat(r.findings()).isEmpty();
    }

    @Test
    void refusesWhatALineEditCannotDoSafely() {
        String folded = """
                kind: Rollout
                metadata: {name: a}
                spec:
                  template:
                    spec:
                      containers:
                        - name: a
                          image: >-
                            app:v1
                """;
        ImageRewriter.Result r = ImageRewriter.rewrite(new SourceFile("a.yaml", folded.getBytes(StandardCharsets.UTF_8)),
                Optional.of("a"), Map.of("a", "app:v2"));
        assertThat(r.content()).isEmpty();
        assertThat(r.findings()).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo(ImageRewriter.CANNOT_EDIT);
            assertThat(f.location().line()).isEqualTo(8);
            assertThat(f.message()).contains("block scalar");
        });

        String multiline = folded.replace("image: >-\n                app:v1", "image: app:v1\n                  -extra");
        ImageRewriter.Result r2 = ImageRewriter.rewrite(new SourceFile("a.yaml", multiline.getBytes(StandardCharsets.UTF_8)),
                Optional.of("a"), Map.of("a", "app:v2"));
        assertThat(r2.content()).isEmpty();
        assertThat(r2.findings()).extracting(f -> f.code()).containsExactly(ImageRewriter.CANNOT_EDIT);
    }

    @Test
    void aContainerTheTargetDoesNotHaveIsAFinding() {
        ImageRewriter.Result r = ImageRewriter.rewrite(new SourceFile("p.yaml", PROD.getBytes(StandardCharsets.UTF_8)),
                Optional.of("checkout-api"), Map.of("worker", "w:2"));
        assertThat(r.content()).isEmpty();
        assertThat(r.findings()).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo(ImageRewriter.NO_CONTAINER);
            assertThat(f.message()).contains("'worker'").contains("Rollout checkout-api");
        });
    }

    @Test
    void imageValuesThatNeedQuotesGetThem() {
        String out = rewrite(PROD, Map.of("checkout-api", "registry.example.com/app:1.10"));
        assertThat(out).contains("image: registry.example.com/app:1.10 # the app");
        String weird = rewrite(PROD, Map.of("checkout-api", "true"));
        assertThat(weird).contains("image: \"true\" # the app");
    }
}
