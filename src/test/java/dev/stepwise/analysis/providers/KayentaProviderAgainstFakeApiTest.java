package dev.stepwise.analysis.providers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.analysis.FakeApi;
import dev.stepwise.analysis.FakeApi.Answer;
import dev.stepwise.analysis.MeasureArgs;
import dev.stepwise.analysis.Measurement;
import dev.stepwise.analysis.MeasurementError;
import dev.stepwise.analysis.MeasurementError.Kind;
import dev.stepwise.analysis.Pacer;
import dev.stepwise.analysis.Phase;
import dev.stepwise.analysis.ProviderSettings;
import dev.stepwise.spec.model.ProviderSpec;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Kayenta provider against a local fake of Kayenta's REST API: {@code POST /canary/{configName}} answering
 * {@code {"canaryExecutionId": …}}, then {@code GET /canary/{id}} answering a CanaryExecutionStatusResponse that is
 * incomplete twice, then complete with {@code result.judgeResult.score}. The pacer does not wait.
 */
class KayentaProviderAgainstFakeApiTest {

    private FakeApi api;
    private KayentaProvider provider;
    private final AtomicInteger pauses = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        api = new FakeApi();
        Pacer counting = d -> {
            pauses.incrementAndGet();
            return true;
        };
        provider = new KayentaProvider(ProviderSettings.defaults(Map.of()), Clock.systemUTC(), counting);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private Map<String, Object> config() {
        return Map.of("address", api.url(), "application", "guestbook", "canaryConfigName", "my-test",
                "metricsAccountName", "prometheus-account", "configurationAccountName", "gcs-config",
                "storageAccountName", "gcs-storage", "thresholds", Map.of("pass", 90, "marginal", 75),
                "scopes", List.of(Map.of("name", "default",
                        "controlScope", Map.of("scope", "app=guestbook and rollouts-pod-template-hash={{args.stable-hash}}",
                                "step", 60, "start", "2026-03-01T11:00:00Z", "end", "2026-03-01T11:30:00Z"),
                        "experimentScope", Map.of("scope", "app=guestbook and rollouts-pod-template-hash={{args.canary-hash}}",
                                "step", 60, "start", "2026-03-01T11:00:00Z", "end", "2026-03-01T11:30:00Z"))));
    }

    private void script(double score) {
        AtomicInteger polls = new AtomicInteger();
        api.answer(r -> {
            if (r.method().equals("POST")) {
                return Answer.json(200, "{\"canaryExecutionId\":\"01EXAMPLE\"}");
            }
            if (polls.incrementAndGet() < 3) {
                return Answer.json(200, "{\"complete\":false,\"status\":\"running\"}");
            }
            return Answer.json(200, "{\"complete\":true,\"status\":\"succeeded\",\"result\":{\"judgeResult\":{\"judgeName\":"
                    + "\"NetflixACAJudge-v1.0\",\"score\":{\"score\":" + score + ",\"classification\":\"Pass\"}}}}");
        });
    }

    @Test
    void startsPollsAndMapsTheScoreToAPhase() throws Exception {
        script(92.5);
        Measurement m = provider.measure(new ProviderSpec("kayenta", config()),
                MeasureArgs.of(Map.of("stable-hash", "5f8d7c", "canary-hash", "6b9a1e")));
        assertThat(m.value()).contains(92.5);
        assertThat(m.providerPhase()).contains(Phase.SUCCESSFUL);
        assertThat(m.evidence()).containsEntry("canaryExecutionId", "01EXAMPLE");
        assertThat(pauses.get()).isEqualTo(2);
        FakeApi.Request start = api.requests().get(0);
        assertThat(start.path()).isEqualTo("/canary/my-test");
        assertThat(start.query()).contains("application=guestbook").contains("metricsAccountName=prometheus-account")
                .contains("storageAccountName=gcs-storage");
        JsonNode body = JsonMapper.builder().build().readTree(start.body());
        assertThat(body.path("scopes").path("default").path("experimentScope").path("scope").asString())
                .isEqualTo("app=guestbook and rollouts-pod-template-hash=6b9a1e");
        assertThat(body.path("thresholds").path("marginal").asDouble()).isEqualTo(75.0);
        assertThat(api.last().path()).isEqualTo("/canary/01EXAMPLE");
    }

    @Test
    void marginalAndFailingScores() {
        script(80);
        assertThat(provider.measure(new ProviderSpec("kayenta", config()), MeasureArgs.of(Map.of("stable-hash", "a", "canary-hash", "b")))
                .providerPhase()).contains(Phase.INCONCLUSIVE);
        script(40);
        assertThat(provider.measure(new ProviderSpec("kayenta", config()), MeasureArgs.of(Map.of("stable-hash", "a", "canary-hash", "b")))
                .providerPhase()).contains(Phase.FAILED);
    }

    @Test
    void kayentaErrorsAreErrors() {
        api.answer(r -> Answer.json(404, "{\"error\":\"Not Found\",\"message\":\"No canary config with id 'my-test' found\",\"status\":404}"));
        MeasurementError e = provider.measure(new ProviderSpec("kayenta", config()),
                MeasureArgs.of(Map.of("stable-hash", "a", "canary-hash", "b"))).error().orElseThrow();
        assertThat(e.kind()).isEqualTo(Kind.HTTP_STATUS);
        assertThat(e.message()).contains("No canary config with id 'my-test' found");
    }
}
