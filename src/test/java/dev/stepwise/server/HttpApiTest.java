package dev.stepwise.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.stepwise.git.Secret;
import dev.stepwise.webhook.PushEvent;
import dev.stepwise.webhook.SignatureVerifier;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The API in-process on a loopback port, driven with the JDK's HTTP client. */
class HttpApiTest {

    private static final String SECRET = "0123456789abcdef-http-api";
    private static final String PUSH = "{\"ref\":\"refs/heads/main\",\"repository\":{\"clone_url\":\"https://git.example.com/shop/deploy.git\"}}";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final StepwiseMetrics metrics = new StepwiseMetrics();
    private final AtomicBoolean live = new AtomicBoolean(true);
    private final AtomicReference<Optional<String>> notReady = new AtomicReference<>(Optional.empty());
    private final List<PushEvent> pushes = new CopyOnWriteArrayList<>();
    private final FakeDirectory directory = new FakeDirectory();
    private HttpApi api;

    @BeforeEach
    void start() throws IOException {
        api = HttpApi.start(new InetSocketAddress("127.0.0.1", 0), metrics, directory, live::get, notReady::get)
                .mountWebhook("/webhook/shop", Secret.of(SECRET), e -> {
                    pushes.add(e);
                    return 1;
                });
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(api.url() + path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api.url() + path)).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String sign(String body) {
        return new SignatureVerifier(Secret.of(SECRET)).signatureHeader(body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void bindsToLoopbackOnTheGivenAddressAndReportsTheActualPort() {
        assertThat(api.address().getAddress().isLoopbackAddress()).isTrue();
        assertThat(api.address().getPort()).isPositive();
        assertThat(api.url()).isEqualTo("http://127.0.0.1:" + api.address().getPort());
        assertThat(HttpApi.parseAddress(HttpApi.DEFAULT_ADDRESS).getAddress().isLoopbackAddress()).isTrue();
    }

    @Test
    void healthzFollowsLiveness() throws Exception {
        HttpResponse<String> ok = get("/healthz");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("ok\n");
        assertThat(ok.headers().firstValue("Content-Type")).contains("text/plain; charset=utf-8");

        live.set(false);
        assertThat(get("/healthz").statusCode()).isEqualTo(503);
        live.set(true);
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void readyzFlipsWithTheReasonAsText() throws Exception {
        assertThat(get("/readyz").statusCode()).isEqualTo(200);
        assertThat(get("/readyz").body()).isEqualTo("ok\n");

        notReady.set(Optional.of("first poll of shop not done"));
        HttpResponse<String> waiting = get("/readyz");
        assertThat(waiting.statusCode()).isEqualTo(503);
        assertThat(waiting.body()).isEqualTo("first poll of shop not done\n");

        notReady.set(Optional.empty());
        assertThat(get("/readyz").statusCode()).isEqualTo(200);
    }

    @Test
    void aReadinessReasonNeverCarriesURLCredentials() throws Exception {
        notReady.set(Optional.of("cannot reach https://bot:" + SECRET + "@git.example.com/shop/deploy.git"));

        HttpResponse<String> r = get("/readyz");

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).doesNotContain(SECRET).contains("git.example.com/shop/deploy.git");
    }

    @Test
    void metricsAreServedInTheTextFormat() throws Exception {
        metrics.rollout("shop", "local", "prod", "checkout", "Progressing", 1, 20);
        metrics.leader(true);

        HttpResponse<String> r = get("/metrics");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
        assertThat(r.body()).isEqualTo(metrics.scrape());
        assertThat(r.body().lines()).contains("stepwise_leader 1", "stepwise_rollouts{phase=\"Progressing\"} 1");
    }

    @Test
    void rolloutsAreAJsonArrayOfSummaries() throws Exception {
        HttpResponse<String> empty = get("/api/v1/rollouts");
        assertThat(empty.statusCode()).isEqualTo(200);
        assertThat(empty.headers().firstValue("Content-Type")).contains("application/json");
        assertThat(JSON.readTree(empty.body()).isArray()).isTrue();
        assertThat(JSON.readTree(empty.body())).isEmpty();

        directory.put("prod", "checkout", "Progressing");
        directory.put("prod", "cart", "Healthy");
        JsonNode list = JSON.readTree(get("/api/v1/rollouts").body());

        assertThat(list).hasSize(2);
        assertThat(list.get(0).get("name").asString()).isEqualTo("cart");
        assertThat(list.get(1).get("phase").asString()).isEqualTo("Progressing");
    }

    @Test
    void oneRolloutIsAJsonObjectAndAnUnknownOneIsA404JsonError() throws Exception {
        directory.put("prod", "checkout", "Degraded");

        HttpResponse<String> found = get("/api/v1/rollouts/prod/checkout");
        assertThat(found.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(found.body());
        assertThat(body.get("namespace").asString()).isEqualTo("prod");
        assertThat(body.get("phase").asString()).isEqualTo("Degraded");
        assertThat(body.get("events").get(0).get("reason").asString()).isEqualTo("Started");

        HttpResponse<String> missing = get("/api/v1/rollouts/prod/nothing");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.headers().firstValue("Content-Type")).contains("application/json");
        assertThat(JSON.readTree(missing.body()).get("error").asString()).isEqualTo("rollout prod/nothing not found");

        // a path that is not namespace/name is not a rollout either
        assertThat(get("/api/v1/rollouts/prod").statusCode()).isEqualTo(404);
        assertThat(get("/api/v1/rollouts/prod/checkout/extra").statusCode()).isEqualTo(404);
        assertThat(get("/api/v1/rollouts//checkout").statusCode()).isEqualTo(404);
    }

    @Test
    void pathSegmentsArePercentDecodedBeforeTheLookup() throws Exception {
        get("/api/v1/rollouts/prod%2Dx/a+b");

        assertThat(directory.asked).containsExactly("prod-x/a+b");
    }

    @Test
    void writesAre405AndUnknownPathsAre404() throws Exception {
        for (String path : List.of("/healthz", "/readyz", "/metrics", "/api/v1/rollouts", "/api/v1/rollouts/prod/checkout")) {
            HttpResponse<String> r = send("POST", path, "{}");
            assertThat(r.statusCode()).as(path).isEqualTo(405);
            assertThat(r.headers().firstValue("Allow")).as(path).contains("GET");
        }
        assertThat(send("DELETE", "/api/v1/rollouts/prod/checkout", "").statusCode()).isEqualTo(405);
        assertThat(directory.asked).isEmpty();

        for (String path : List.of("/", "/nothing", "/metricsx", "/healthz/", "/api/v1", "/api/v2/rollouts", "/webhook")) {
            HttpResponse<String> r = get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(JSON.readTree(r.body()).get("error").asString()).as(path).isEqualTo("not found");
        }
    }

    @Test
    void aFailingDirectoryIsA500WithoutItsMessage() throws Exception {
        directory.failWith = new IllegalStateException("token " + SECRET + " leaked");

        HttpResponse<String> r = get("/api/v1/rollouts");

        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).doesNotContain(SECRET).contains("internal error");
        assertThat(get("/healthz").statusCode()).as("the server survives").isEqualTo(200);
    }

    @Test
    void aSignedWebhookTriggersTheListener() throws Exception {
        HttpResponse<String> r = send("POST", "/webhook/shop", PUSH, "X-GitHub-Event", "push", "X-Hub-Signature-256", sign(PUSH));

        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(r.body()).contains("\"result\":\"triggered\"", "\"sources\":1");
        assertThat(pushes).hasSize(1);
        assertThat(pushes.get(0).ref()).isEqualTo("refs/heads/main");
    }

    @Test
    void aBadOrMissingSignatureIs401AndTriggersNothingNorLogsTheSecret() throws Exception {
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        root.addAppender(logs);
        List<HttpResponse<String>> responses = new ArrayList<>();
        try {
            responses.add(send("POST", "/webhook/shop", PUSH, "X-GitHub-Event", "push", "X-Hub-Signature-256", sign(PUSH + " ")));
            responses.add(send("POST", "/webhook/shop", PUSH, "X-GitHub-Event", "push"));
            responses.add(send("POST", "/webhook/shop", PUSH, "X-GitHub-Event", "push",
                    "X-Hub-Signature-256", new SignatureVerifier(Secret.of("another-secret-of-16+")).signatureHeader(
                            PUSH.getBytes(StandardCharsets.UTF_8))));
        } finally {
            root.detachAppender(logs);
        }

        assertThat(responses).extracting(HttpResponse::statusCode).containsOnly(401);
        assertThat(responses).allSatisfy(r -> assertThat(r.body()).contains("signature missing or invalid").doesNotContain(SECRET));
        assertThat(pushes).isEmpty();
        assertThat(logs.list).anyMatch(e -> e.getFormattedMessage().contains("refused"))
                .noneMatch(e -> e.getFormattedMessage().contains(SECRET));
    }

    @Test
    void aFailingListenerIsA500WithoutItsMessage() throws Exception {
        api.mountWebhook("/webhook/broken", Secret.of(SECRET), e -> {
            throw new IllegalStateException("listener saw " + SECRET);
        });

        HttpResponse<String> r = send("POST", "/webhook/broken", PUSH, "X-GitHub-Event", "push", "X-Hub-Signature-256", sign(PUSH));

        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).contains("internal error").doesNotContain(SECRET);
    }

    @Test
    void aWebhookPathAnswersOnlyPostAndOnlyWhereMounted() throws Exception {
        HttpResponse<String> get = get("/webhook/shop");
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).contains("POST");

        assertThat(send("POST", "/webhook/other", PUSH, "X-Hub-Signature-256", sign(PUSH)).statusCode()).isEqualTo(404);
        assertThat(send("POST", "/webhook/shop/x", PUSH, "X-Hub-Signature-256", sign(PUSH)).statusCode()).isEqualTo(404);
        assertThat(pushes).isEmpty();
    }

    /** Senders that announce a body and send only its first bytes: each holds a webhook worker while it waits. */
    private List<Socket> trickle(int senders) throws IOException {
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < senders; i++) {
            Socket socket = new Socket("127.0.0.1", api.address().getPort());
            socket.getOutputStream().write(("POST /webhook/shop HTTP/1.1\r\nHost: stepwise\r\nX-GitHub-Event: push\r\n"
                    + "Content-Length: 4000\r\n\r\n{\"ref\":").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            sockets.add(socket);
        }
        return sockets;
    }

    private static void hangUp(List<Socket> sockets) throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
    }

    @Test
    void probesAndMetricsKeepAnsweringWhileWebhookDeliveriesTrickleIn() throws Exception {
        List<Socket> slow = trickle(6); // more than there are HTTP workers
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> api.webhookBacklog() == 6);

            HttpResponse<String> health = client.send(HttpRequest.newBuilder(URI.create(api.url() + "/healthz"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> scrape = client.send(HttpRequest.newBuilder(URI.create(api.url() + "/metrics"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(scrape.statusCode()).isEqualTo(200);
        } finally {
            hangUp(slow);
        }
    }

    @Test
    void aSaturatedWebhookPoolCutsFurtherDeliveriesOffInsteadOfQueueingThem() throws Exception {
        List<Socket> slow = trickle(18); // two being read, sixteen waiting
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> api.webhookBacklog() == 18);

            assertThatThrownBy(() -> send("POST", "/webhook/shop", PUSH, "X-GitHub-Event", "push",
                    "X-Hub-Signature-256", sign(PUSH))).isInstanceOf(IOException.class);
            assertThat(pushes).isEmpty();
        } finally {
            hangUp(slow);
        }
        // the senders hung up: their workers are free again, and the next delivery gets through
        await().atMost(Duration.ofSeconds(10)).until(() -> api.webhookBacklog() == 0);
        assertThat(send("POST", "/webhook/shop", PUSH, "X-GitHub-Event", "push", "X-Hub-Signature-256", sign(PUSH))
                .statusCode()).isEqualTo(202);
        assertThat(pushes).hasSize(1);
    }

    @Test
    void webhookPathsAreMountedOnceAndNeverOverBuiltInEndpoints() {
        assertThatThrownBy(() -> api.mountWebhook("/webhook/shop", Secret.of(SECRET), e -> 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already mounted");
        assertThatThrownBy(() -> api.mountWebhook("/metrics", Secret.of(SECRET), e -> 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("taken by the API");
        assertThatThrownBy(() -> api.mountWebhook("/api/v1/rollouts/a/b", Secret.of(SECRET), e -> 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> api.mountWebhook("webhook", Secret.of(SECRET), e -> 0))
                .isInstanceOf(IllegalArgumentException.class);

        api.mountWebhook("/webhook", Secret.of(SECRET), e -> 0);
        assertThat(api.webhookPaths()).containsExactly("/webhook", "/webhook/shop");
    }

    @Test
    void addressesAreParsedAsHostAndPort() {
        assertThat(HttpApi.parseAddress("0.0.0.0:8080")).isEqualTo(new InetSocketAddress("0.0.0.0", 8080));
        assertThat(HttpApi.parseAddress(":9090")).isEqualTo(new InetSocketAddress("127.0.0.1", 9090));
        assertThat(HttpApi.parseAddress("[::1]:8080").getAddress().isLoopbackAddress()).isTrue();
        assertThatThrownBy(() -> HttpApi.parseAddress("8080")).hasMessageContaining("host:port");
        assertThatThrownBy(() -> HttpApi.parseAddress("::1:8080")).hasMessageContaining("brackets");
        assertThatThrownBy(() -> HttpApi.parseAddress("localhost:99999")).hasMessageContaining("out of range");
    }

    /** Rollouts held in a map, like the reconciler's directory; records which single rollouts were asked for. */
    private static final class FakeDirectory implements RolloutDirectory {
        final Map<String, Map<String, Object>> byKey = new java.util.concurrent.ConcurrentSkipListMap<>();
        final List<String> asked = new CopyOnWriteArrayList<>();
        volatile RuntimeException failWith;

        void put(String namespace, String name, String phase) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("namespace", namespace);
            m.put("name", name);
            m.put("phase", phase);
            m.put("step", 1);
            m.put("paused", false);
            m.put("message", null);
            m.put("events", List.of(Map.of("reason", "Started", "at", "2026-11-25T03:00:00Z")));
            byKey.put(namespace + "/" + name, m);
        }

        @Override
        public List<Map<String, Object>> rollouts() {
            if (failWith != null) {
                throw failWith;
            }
            return List.copyOf(byKey.values());
        }

        @Override
        public Optional<Map<String, Object>> rollout(String namespace, String name) {
            asked.add(namespace + "/" + name);
            return Optional.ofNullable(byKey.get(namespace + "/" + name));
        }
    }
}
