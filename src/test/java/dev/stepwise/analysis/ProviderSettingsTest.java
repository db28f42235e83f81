package dev.stepwise.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProviderSettingsTest {

    @Test
    void readsEndpointsAuthAndLimitsAndResolvesSecretsFromEnvAndFiles(@TempDir Path dir) throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, "file-token-123456\n");
        Path config = dir.resolve("providers.yaml");
        Files.writeString(config, """
                defaults: {connectTimeout: 2s, requestTimeout: 20s, maxResponseBytes: 1048576}
                prometheus:
                  - match: https://prometheus.example.com
                    auth:
                      bearerToken: {file: %s}
                      headers: {X-Scope-OrgID: {value: team-a}}
                    requestTimeout: 5s
                  - auth:
                      basic: {username: {value: reader}, password: {env: PROM_PASSWORD}}
                """.formatted(token));
        ProviderSettings s = ProviderSettings.load(config, Map.of("PROM_PASSWORD", "pw-from-env"));
        ProviderSettings.Endpoint specific = s.endpoint("prometheus", "https://prometheus.example.com/api");
        assertThat(specific.limits().requestTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(specific.limits().connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        ProviderAuth.Headers h = specific.auth().resolve(s.environment());
        assertThat(h.values()).containsEntry("Authorization", "Bearer file-token-123456").containsEntry("X-Scope-OrgID", "team-a");
        assertThat(h.secrets()).containsExactly("file-token-123456");
        ProviderAuth.Headers basic = s.endpoint("prometheus", "http://other:9090").auth().resolve(s.environment());
        assertThat(basic.values().get("Authorization")).isEqualTo("Basic cmVhZGVyOnB3LWZyb20tZW52");
        assertThat(s.endpoint("web", "http://x").auth().isEmpty()).isTrue();
        assertThat(s.defaultLimits().maxResponseBytes()).isEqualTo(1048576);
        // the resolved headers never print their values
        assertThat(h.toString()).doesNotContain("file-token-123456");
    }

    @Test
    void credentialsWrittenInlineAreRefused(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("providers.yaml");
        Files.writeString(config, "datadog:\n  - credentials: {apiKey: 0123456789abcdef}\n");
        assertThatThrownBy(() -> ProviderSettings.load(config, Map.of()))
                .isInstanceOf(ProviderSettings.InvalidSettings.class)
                .hasMessageContaining("datadog[0].credentials.apiKey must be {env: VARIABLE}, {file: /path} or {value: text}")
                .hasMessageNotContaining("0123456789abcdef");
    }

    @Test
    void missingCredentialsSayWhichSourceNeverAValue() {
        assertThat(SecretRef.file("/nonexistent/token").resolve(Map.of()).problem()).isEqualTo("credentials file /nonexistent/token does not exist");
        assertThat(SecretRef.env("NOPE").resolve(Map.of()).problem()).isEqualTo("environment variable NOPE is not set");
        assertThat(SecretRef.env("YES").resolve(Map.of("YES", "value-1234")).toString()).isEqualTo("Resolved[****]");
    }

    @Test
    void redactionCoversPlainAndUrlEncodedForms() {
        Redactor r = new Redactor(java.util.List.of("a+b/c=secret", "xy"));
        assertThat(r.redact("k=a+b/c=secret&e=a%2Bb%2Fc%3Dsecret xy")).isEqualTo("k=****&e=**** xy");
    }
}
