package dev.stepwise.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stepwise.testing.LighttpdGitServer;
import dev.stepwise.testing.Person;
import dev.stepwise.webhook.SignatureVerifier;
import dev.stepwise.webhook.WebhookConfig;
import dev.stepwise.webhook.WebhookServer;
import dev.stepwise.webhook.WebhookTriggers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A person pushes to the real server, the forge (played by the test, as lighttpd sends no webhooks) delivers a signed
 * push event, and Stepwise reads the new revision at once instead of at the next scheduled poll (an hour away here).
 */
class GitWebhookIT {

    private static final String USER = "stepwise";
    private static final String PASSWORD = "hook-pw-" + Long.toHexString(System.nanoTime());
    private static final String SECRET = "webhook-secret-" + Long.toHexString(System.nanoTime());

    @TempDir
    Path tmp;

    private final HttpClient client = HttpClient.newHttpClient();

    private static String githubPush(String cloneUrl, String sha) {
        return """
                {"ref":"refs/heads/main","after":"%s",
                 "repository":{"clone_url":"%s","html_url":"https://forge.example/org/specs"}}""".formatted(sha, cloneUrl);
    }

    private HttpResponse<String> deliver(WebhookServer server, String body, String signature) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url()))
                .header("X-GitHub-Event", "push").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (signature != null) {
            b.header("X-Hub-Signature-256", signature);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aSignedPushEventMakesStepwiseReadTheNewRevisionAndABadOneDoesNothing() throws Exception {
        try (LighttpdGitServer http = LighttpdGitServer.start(tmp.resolve("http"), USER, PASSWORD)) {
            http.repos().create("specs");
            Person ada = new Person("Ada", http, tmp.resolve("ada")).cloneFrom(http.url("specs"));
            ada.write("deploy/checkout.yaml", Specs.rollout("checkout", 10)).commit("checkout 10%");
            ada.push();

            GitSource.Config config = new GitSource.Config(RemoteUrl.parse(http.url("specs")), "main", "deploy");
            AtomicReference<Snapshot> latest = new AtomicReference<>();
            try (GitSource source = GitSource.open(config, tmp.resolve("cache"), GitCredentials.password(USER, PASSWORD),
                    Duration.ofSeconds(10));
                 SourcePoller poller = new SourcePoller(source, Duration.ofHours(1),
                         r -> r.snapshot().ifPresent(latest::set))) {
                WebhookTriggers triggers = new WebhookTriggers();
                triggers.register(config.url(), config.branch(), poller::trigger);
                try (WebhookServer hooks = WebhookServer.start(WebhookConfig.loopback(0,
                        dev.stepwise.git.Secret.of(SECRET)), triggers)) {
                    poller.start();
                    await().atMost(Duration.ofSeconds(20)).until(() -> latest.get() != null);
                    String first = "main@sha1:" + ada.head();
                    assertThat(latest.get().revisionName()).isEqualTo(first);

                    String sha = ada.write("deploy/checkout.yaml", Specs.rollout("checkout", 50)).commit("checkout 50%");
                    ada.push();
                    long pollsBefore = source.stats().polls();

                    String body = githubPush(http.url("specs"), sha);
                    String forged = new SignatureVerifier(dev.stepwise.git.Secret.of("not-the-secret-at-all"))
                            .signatureHeader(body.getBytes(StandardCharsets.UTF_8));
                    assertThat(deliver(hooks, body, forged).statusCode()).isEqualTo(401);
                    assertThat(deliver(hooks, body, null).statusCode()).isEqualTo(401);
                    assertThat(source.stats().polls()).as("a refused delivery triggers nothing").isEqualTo(pollsBefore);
                    assertThat(latest.get().revisionName()).isEqualTo(first);

                    String good = new SignatureVerifier(dev.stepwise.git.Secret.of(SECRET))
                            .signatureHeader(body.getBytes(StandardCharsets.UTF_8));
                    HttpResponse<String> accepted = deliver(hooks, body, good);
                    assertThat(accepted.statusCode()).isEqualTo(202);
                    assertThat(accepted.body()).contains("triggered");

                    await().atMost(Duration.ofSeconds(20))
                            .until(() -> latest.get().revisionName().equals("main@sha1:" + sha));
                    assertThat(latest.get().specs().rollouts().get(0).at("/spec/strategy/canary/steps/0/setWeight"))
                            .isEqualTo(Optional.of(50L));

                    String elsewhere = githubPush("https://forge.example/org/other.git", sha);
                    HttpResponse<String> ignored = deliver(hooks, elsewhere, new SignatureVerifier(
                            dev.stepwise.git.Secret.of(SECRET)).signatureHeader(elsewhere.getBytes(StandardCharsets.UTF_8)));
                    assertThat(ignored.statusCode()).isEqualTo(202);
                    assertThat(ignored.body()).contains("ignored");
                }
            }
        }
    }
}
