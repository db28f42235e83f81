package dev.stepwise.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.git.RemoteUrl;
import dev.stepwise.git.Secret;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The endpoint in-process on a loopback port, driven with the JDK's HTTP client. */
class WebhookServerTest {

    private static final String SECRET = "0123456789abcdef-webhook";
    private static final String PUSH = "{\"ref\":\"refs/heads/main\",\"repository\":{\"clone_url\":\"https://git.example.com/org/specs.git\"}}";

    private final HttpClient client = HttpClient.newHttpClient();
    private final AtomicInteger triggered = new AtomicInteger();
    private final List<PushEvent> seen = new CopyOnWriteArrayList<>();
    private WebhookServer server;

    @BeforeEach
    void start() throws IOException {
        WebhookTriggers triggers = new WebhookTriggers();
        triggers.register(RemoteUrl.parse("git@git.example.com:org/specs.git"), "main", triggered::incrementAndGet);
        WebhookConfig config = new WebhookConfig(new java.net.InetSocketAddress("127.0.0.1", 0), "/webhook",
                Secret.of(SECRET), 4096);
        server = WebhookServer.start(config, e -> {
            seen.add(e);
            return triggers.onPush(e);
        });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> post(String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url()))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String sign(String body) {
        return new SignatureVerifier(Secret.of(SECRET)).signatureHeader(body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void bindsToLoopback() {
        assertThat(server.address().getAddress().isLoopbackAddress()).isTrue();
    }

    @Test
    void aSignedPushOfATrackedBranchTriggersItsSource() throws Exception {
        HttpResponse<String> r = post(PUSH, "X-GitHub-Event", "push", "X-Hub-Signature-256", sign(PUSH));

        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(r.body()).contains("\"result\":\"triggered\"", "\"sources\":1");
        assertThat(triggered).hasValue(1);
    }

    @Test
    void aWrongOrMissingSignatureIs401AndNothingHappens() throws Exception {
        HttpResponse<String> wrong = post(PUSH, "X-GitHub-Event", "push", "X-Hub-Signature-256", sign(PUSH + " "));
        HttpResponse<String> missing = post(PUSH, "X-GitHub-Event", "push");
        HttpResponse<String> gitlab = post(PUSH, "X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", "guess");

        assertThat(List.of(wrong.statusCode(), missing.statusCode(), gitlab.statusCode())).containsOnly(401);
        assertThat(wrong.body()).doesNotContain(SECRET).contains("signature missing or invalid");
        assertThat(triggered).hasValue(0);
        assertThat(seen).isEmpty();
    }

    @Test
    void anUntrackedRepositoryOrBranchIsAcceptedAndIgnored() throws Exception {
        String other = PUSH.replace("org/specs", "org/other");
        String branch = PUSH.replace("refs/heads/main", "refs/heads/feature");
        HttpResponse<String> r1 = post(other, "X-Stepwise-Signature", sign(other));
        HttpResponse<String> r2 = post(branch, "X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", SECRET);

        assertThat(r1.statusCode()).isEqualTo(202);
        assertThat(r1.body()).contains("\"result\":\"ignored\"");
        assertThat(r2.statusCode()).isEqualTo(202);
        assertThat(r2.body()).contains("refs/heads/feature");
        assertThat(triggered).hasValue(0);
        assertThat(seen).hasSize(2);
    }

    @Test
    void anOversizedBodyIs413BeforeAnythingElse() throws Exception {
        String big = "{\"pad\":\"" + "x".repeat(5000) + "\"}";
        HttpResponse<String> r = post(big, "X-GitHub-Event", "push", "X-Hub-Signature-256", sign(big));
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(seen).isEmpty();
    }

    @Test
    void pingOtherMethodsAndPaths() throws Exception {
        assertThat(post("{}", "X-GitHub-Event", "ping", "X-Hub-Signature-256", sign("{}")).statusCode()).isEqualTo(200);
        HttpResponse<String> get = client.send(HttpRequest.newBuilder(URI.create(server.url())).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).contains("POST");
        HttpResponse<String> elsewhere = client.send(HttpRequest.newBuilder(URI.create(server.url() + "/x"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(elsewhere.statusCode()).isEqualTo(404);
        HttpResponse<String> notJson = post("nope", "X-Stepwise-Signature", sign("nope"));
        assertThat(notJson.statusCode()).isEqualTo(400);
    }
}
