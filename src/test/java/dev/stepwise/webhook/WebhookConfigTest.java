package dev.stepwise.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookConfigTest {

    @Test
    void defaultsToLoopback() {
        WebhookConfig c = WebhookConfig.fromEnvironment(Map.of("STEPWISE_WEBHOOK_SECRET", "a-long-enough-secret"));
        assertThat(c.bind().getHostString()).isEqualTo("127.0.0.1");
        assertThat(c.bind().getPort()).isEqualTo(8088);
        assertThat(c.secret().toString()).isEqualTo("****");
    }

    @Test
    void needsASecretOfSomeLength() {
        assertThatThrownBy(() -> WebhookConfig.fromEnvironment(Map.of())).hasMessageContaining("STEPWISE_WEBHOOK_SECRET");
        assertThatThrownBy(() -> WebhookConfig.fromEnvironment(Map.of("STEPWISE_WEBHOOK_SECRET", "short")))
                .hasMessageContaining("at least 16").hasMessageNotContaining("short");
    }

    @Test
    void readsTheListenAddress() {
        WebhookConfig c = WebhookConfig.fromEnvironment(Map.of("STEPWISE_WEBHOOK_SECRET", "a-long-enough-secret",
                "STEPWISE_WEBHOOK_LISTEN", "0.0.0.0:9000", "STEPWISE_WEBHOOK_MAX_BODY_BYTES", "2048"));
        assertThat(c.bind().getPort()).isEqualTo(9000);
        assertThat(c.maxBodyBytes()).isEqualTo(2048);
        assertThatThrownBy(() -> WebhookConfig.fromEnvironment(Map.of("STEPWISE_WEBHOOK_SECRET", "a-long-enough-secret",
                "STEPWISE_WEBHOOK_LISTEN", "9000"))).hasMessageContaining("host:port");
    }
}
