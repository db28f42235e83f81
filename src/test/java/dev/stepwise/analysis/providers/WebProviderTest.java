package dev.stepwise.analysis.providers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.analysis.FakeApi;
import dev.stepwise.analysis.FakeApi.Answer;
import dev.stepwise.analysis.MeasureArgs;
import dev.stepwise.analysis.Measurement;
import dev.stepwise.analysis.MeasurementError;
import dev.stepwise.analysis.MeasurementError.Kind;
import dev.stepwise.analysis.ProviderAuth;
import dev.stepwise.analysis.ProviderSettings;
import dev.stepwise.analysis.SecretRef;
import dev.stepwise.analysis.http.HttpLimits;
import dev.stepwise.spec.model.ProviderSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The web provider, and through it the failure behaviour every HTTP provider shares (timeouts, 5xx, garbage, size). */
class WebProviderTest {

    private FakeApi api;
    private WebProvider provider;
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void start() throws Exception {
        api = new FakeApi();
        ProviderSettings.Endpoint endpoint = new ProviderSettings.Endpoint(Optional.of(api.url()), Optional.empty(),
                new ProviderAuth(Optional.of(SecretRef.env("WEB_TOKEN")), Optional.empty(), Optional.empty(),
                        Map.of("X-Tenant", SecretRef.value("team-a"))), Map.of(),
                new HttpLimits(Duration.ofSeconds(2), Duration.ofSeconds(5), 64 * 1024), Optional.empty());
        provider = new WebProvider(new ProviderSettings(HttpLimits.DEFAULT, Map.of("web", List.of(endpoint)),
                Map.of("WEB_TOKEN", "s3cr3t-web-token")), Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        release.countDown();
        api.close();
    }

    private Measurement measure(Map<String, Object> config) {
        return provider.measure(new ProviderSpec("web", config), MeasureArgs.NONE);
    }

    @Test
    void jsonPathSelectsTheValueAndAuthComesFromSettings() {
        api.answer(r -> Answer.json(200, "{\"data\":{\"ok\":true,\"rate\":0.995,\"items\":[1,2,3]}}"));
        assertThat(measure(Map.of("url", api.url() + "/status", "jsonPath", "{$.data.rate}")).value()).contains(0.995);
        assertThat(measure(Map.of("url", api.url() + "/status", "jsonPath", "{.data.ok}")).value()).contains(true);
        Measurement list = measure(Map.of("url", api.url() + "/status", "jsonPath", "{$.data.items}"));
        assertThat(list.value()).contains(List.of(1.0, 2.0, 3.0));
        assertThat(api.last().header("Authorization")).isEqualTo("Bearer s3cr3t-web-token");
        assertThat(api.last().header("X-Tenant")).isEqualTo("team-a");
    }

    @Test
    void postsJsonBodiesWithArgumentsAndRedactsSecretArguments() {
        api.answer(r -> Answer.json(200, "{\"status\":\"ok\"}"));
        Map<String, Object> config = Map.of("url", api.url() + "/check?svc={{args.svc}}", "method", "POST",
                "headers", List.of(Map.of("key", "X-Api-Key", "value", "{{args.key}}")),
                "jsonBody", Map.of("service", "{{args.svc}}", "threshold", 5), "jsonPath", "{$.status}");
        Measurement m = provider.measure(new ProviderSpec("web", config),
                new MeasureArgs(Map.of("svc", "a b&c", "key", "api-key-123456"), Set.of("key")));
        assertThat(m.value()).contains("ok");
        assertThat(api.last().method()).isEqualTo("POST");
        assertThat(api.last().query()).isEqualTo("svc=a+b%26c");
        assertThat(api.last().body()).contains("\"service\":\"a b&c\"").contains("\"threshold\":5");
        assertThat(api.last().header("X-Api-Key")).isEqualTo("api-key-123456");
        assertThat(m.query()).doesNotContain("api-key-123456");
    }

    @Test
    void serverErrorsGarbageAndMissingPathsAreErrors() {
        api.answer(r -> Answer.json(503, "{\"error\":\"upstream unavailable\"}"));
        MeasurementError e = measure(Map.of("url", api.url() + "/x", "jsonPath", "{$.ok}")).error().orElseThrow();
        assertThat(e.kind()).isEqualTo(Kind.HTTP_STATUS);
        assertThat(e.message()).contains("HTTP 503").contains("upstream unavailable");

        api.answer(r -> new Answer(200, Map.of("Content-Type", "text/html"), "<html>login</html>"));
        assertThat(measure(Map.of("url", api.url() + "/x", "jsonPath", "{$.ok}")).error())
                .get().extracting(MeasurementError::kind).isEqualTo(Kind.GARBAGE);

        api.answer(r -> Answer.json(200, "{\"other\":1}"));
        MeasurementError missing = measure(Map.of("url", api.url() + "/x", "jsonPath", "{$.ok}")).error().orElseThrow();
        assertThat(missing.kind()).isEqualTo(Kind.GARBAGE);
        assertThat(missing.message()).contains("nothing at {$.ok}");

        api.answer(r -> Answer.json(200, "{\"ok\":null}"));
        assertThat(measure(Map.of("url", api.url() + "/x", "jsonPath", "{$.ok}")).error())
                .get().extracting(MeasurementError::kind).isEqualTo(Kind.NO_DATA);
    }

    @Test
    void anOversizedAnswerIsAnErrorNotAnOutOfMemory() {
        String big = "{\"pad\":\"" + "x".repeat(200_000) + "\"}";
        api.answer(r -> Answer.json(200, big));
        MeasurementError e = measure(Map.of("url", api.url() + "/big", "jsonPath", "{$.pad}")).error().orElseThrow();
        assertThat(e.kind()).isEqualTo(Kind.TOO_LARGE);
        assertThat(e.message()).contains("more than 65536 bytes");
    }

    @Test
    void aServerThatDoesNotAnswerTimesOut() {
        api.answer(r -> {
            release.await(30, TimeUnit.SECONDS);
            return Answer.json(200, "{}");
        });
        long start = System.nanoTime();
        MeasurementError e = measure(Map.of("url", api.url() + "/slow", "timeoutSeconds", 1)).error().orElseThrow();
        assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(e.message()).contains("did not answer within 1s");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aBodyThatStopsHalfwayTimesOutToo() throws Exception {
        com.sun.net.httpserver.HttpServer trickle = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        trickle.createContext("/", ex -> {
            ex.sendResponseHeaders(200, 0); // chunked: headers now, the body never ends
            ex.getResponseBody().write("{\"ok\": ".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            ex.getResponseBody().flush();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
        trickle.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        trickle.start();
        try {
            String url = "http://127.0.0.1:" + trickle.getAddress().getPort() + "/x";
            MeasurementError e = measure(Map.of("url", url, "timeoutSeconds", 1, "jsonPath", "{$.ok}")).error().orElseThrow();
            assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
            assertThat(e.message()).contains("did not finish answering within 1s");
        } finally {
            release.countDown();
            trickle.stop(0);
        }
    }

    @Test
    void aClosedPortIsAConnectionError() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        MeasurementError e = measure(Map.of("url", "http://127.0.0.1:" + port + "/x")).error().orElseThrow();
        assertThat(e.kind()).isEqualTo(Kind.CONNECTION);
        assertThat(e.message()).contains("127.0.0.1:" + port);
    }

    @Test
    void insecureAndBadUrlsAreConfigurationProblems() {
        assertThat(provider.check(new ProviderSpec("web", Map.of("url", "https://example.test/x", "insecure", true)), MeasureArgs.NONE))
                .extracting(p -> p.pointer() + " " + p.code()).containsExactly("/insecure analysis.provider.insecure");
        assertThat(provider.check(new ProviderSpec("web", Map.of("url", "ftp://example.test/x")), MeasureArgs.NONE))
                .extracting(p -> p.pointer()).containsExactly("/url");
        assertThat(provider.check(new ProviderSpec("web", Map.of("url", "https://user:pw@example.test/x")), MeasureArgs.NONE))
                .extracting(p -> p.message()).allMatch(m -> m.contains("credentials in it"));
        assertThat(api.requests()).isEmpty();
    }
}
