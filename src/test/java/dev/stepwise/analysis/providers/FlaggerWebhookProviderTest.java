package dev.stepwise.analysis.providers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.analysis.FakeApi;
import dev.stepwise.analysis.FakeApi.Answer;
import dev.stepwise.analysis.MeasureArgs;
import dev.stepwise.analysis.Measurement;
import dev.stepwise.analysis.MeasurementError;
import dev.stepwise.analysis.Phase;
import dev.stepwise.analysis.ProviderSettings;
import dev.stepwise.spec.model.ProviderSpec;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Flagger rollout webhook against an HTTP receiver in the test (the part flagger-loadtester or a team's own gate
 * plays): the payload Flagger sends, 200–202 passing, anything else failing, no answer in time an error.
 */
class FlaggerWebhookProviderTest {

    private FakeApi receiver;
    private FlaggerWebhookProvider provider;
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void start() throws Exception {
        receiver = new FakeApi();
        provider = new FlaggerWebhookProvider(ProviderSettings.defaults(Map.of()), Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        release.countDown();
        receiver.close();
    }

    private Measurement call(String path, Map<String, Object> extra) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("type", "rollout");
        config.put("url", receiver.url() + path);
        config.put("canary", "podinfo");
        config.put("namespace", "test");
        config.put("metadata", Map.of("cmd", "hey -z 1m -q 10 -c 2 http://podinfo-canary.test:9898/"));
        config.putAll(extra);
        return provider.measure(new ProviderSpec(ProviderSpec.FLAGGER_WEBHOOK, config), MeasureArgs.NONE);
    }

    @Test
    void flaggersPayloadIsPostedAndA2xxUpTo202Passes() {
        receiver.answer(r -> new Answer(202, Map.of(), ""));
        Measurement m = call("/", Map.of());
        assertThat(m.error()).isEmpty();
        assertThat(m.value()).contains(202.0);
        assertThat(m.providerPhase()).contains(Phase.SUCCESSFUL);
        FakeApi.Request r = receiver.last();
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        assertThat(r.body()).isEqualTo("{\"name\":\"podinfo\",\"namespace\":\"test\",\"phase\":\"Progressing\",\"checksum\":\"\","
                + "\"metadata\":{\"cmd\":\"hey -z 1m -q 10 -c 2 http://podinfo-canary.test:9898/\"}}");
    }

    @Test
    void anyOtherStatusFailsTheCheckWithTheAnswerAsEvidence() {
        receiver.answer(r -> new Answer(403, Map.of(), "gate closed"));
        Measurement m = call("/gate/check", Map.of());
        assertThat(m.providerPhase()).contains(Phase.FAILED);
        assertThat(m.value()).contains(403.0);
        assertThat(m.evidence()).containsEntry("answer", "gate closed");
        receiver.answer(r -> new Answer(204, Map.of(), ""));
        assertThat(call("/gate/check", Map.of()).providerPhase()).contains(Phase.FAILED); // Flagger: only up to 202
    }

    @Test
    void noAnswerInTimeIsAnErrorAndATokenInTheQueryNeverShows() {
        receiver.answer(r -> {
            release.await(10, TimeUnit.SECONDS);
            return new Answer(200, Map.of(), "");
        });
        Measurement m = call("/hook?token=s3cr3t-hook-token", Map.of("timeout", "300ms"));
        assertThat(m.error()).get().extracting(MeasurementError::kind).isEqualTo(MeasurementError.Kind.TIMEOUT);
        assertThat(m.describe()).doesNotContain("s3cr3t-hook-token");
        assertThat(m.query()).isEqualTo("POST " + receiver.url().replaceFirst("^https?://", "") + "/hook").doesNotContain("s3cr3t");
    }

    @Test
    void aBadUrlOrTimeoutIsFoundBeforeAnythingRuns() {
        assertThat(provider.check(new ProviderSpec(ProviderSpec.FLAGGER_WEBHOOK, Map.of("url", "not a url")), MeasureArgs.NONE))
                .extracting(p -> p.pointer()).contains("/url");
        assertThat(provider.check(new ProviderSpec(ProviderSpec.FLAGGER_WEBHOOK, Map.of("url", "http://x/", "timeout", "soon")),
                MeasureArgs.NONE)).extracting(p -> p.pointer()).containsExactly("/timeout");
    }
}
