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
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Datadog provider against a local fake of Datadog's API, answering as the public API reference shows:
 * {@code GET /api/v1/query} (a "time_series" with pointlists of [ms, value]), {@code POST /api/v2/query/scalar}
 * (a "scalar_response" with columns), errors as {@code {"errors": [...]}}, rate limiting as 429 with
 * {@code X-RateLimit-*} headers and {@code Retry-After}.
 */
class DatadogProviderAgainstFakeApiTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);
    private static final String API_KEY = "dd-api-key-0123456789abcdef";
    private static final String APP_KEY = "dd-app-key-fedcba9876543210";
    private FakeApi api;
    private DatadogProvider provider;

    @BeforeEach
    void start() throws Exception {
        api = new FakeApi();
        ProviderSettings.Endpoint endpoint = new ProviderSettings.Endpoint(Optional.empty(), Optional.of(api.url()),
                ProviderAuth.NONE, Map.of("apiKey", SecretRef.env("DD_API_KEY"), "appKey", SecretRef.env("DD_APP_KEY")),
                HttpLimits.DEFAULT, Optional.empty());
        ProviderSettings settings = new ProviderSettings(HttpLimits.DEFAULT, Map.of("datadog", List.of(endpoint)),
                Map.of("DD_API_KEY", API_KEY, "DD_APP_KEY", APP_KEY));
        provider = new DatadogProvider(settings, CLOCK);
    }

    @AfterEach
    void stop() {
        provider.close();
        api.close();
    }

    private Measurement measure(Map<String, Object> config, Map<String, String> args) {
        return provider.measure(new ProviderSpec("datadog", config), MeasureArgs.of(args));
    }

    @Test
    void v1TakesTheLastNonNullPointOfTheFirstSeries() {
        api.answer(r -> Answer.json(200, """
                {"status":"ok","res_type":"time_series","query":"avg:requests.error_rate{service:checkout}",
                 "from_date":1772366100000,"to_date":1772366400000,
                 "series":[{"metric":"requests.error_rate","scope":"service:checkout","pointlist":
                   [[1772366100000,0.010],[1772366160000,0.012],[1772366220000,0.008],[1772366280000,null]]}]}
                """));
        Measurement m = measure(Map.of("query", "avg:requests.error_rate{service:{{args.service}}}", "interval", "5m"),
                Map.of("service", "checkout"));
        assertThat(m.value()).contains(0.008);
        assertThat(m.sampleCount()).hasValue(3);
        FakeApi.Request r = api.last();
        assertThat(r.path()).isEqualTo("/api/v1/query");
        assertThat(r.query()).contains("from=1772366100").contains("to=1772366400")
                .contains("query=avg%3Arequests.error_rate%7Bservice%3Acheckout%7D");
        assertThat(r.header("DD-API-KEY")).isEqualTo(API_KEY);
        assertThat(r.header("DD-APPLICATION-KEY")).isEqualTo(APP_KEY);
        assertThat(m.query()).isEqualTo("avg:requests.error_rate{service:checkout}");
    }

    @Test
    void v1WithoutSeriesIsNoData() {
        api.answer(r -> Answer.json(200, "{\"status\":\"ok\",\"res_type\":\"time_series\",\"series\":[]}"));
        Measurement m = measure(Map.of("query", "avg:requests.error_rate{service:checkout}"), Map.of());
        assertThat(m.error()).get().extracting(MeasurementError::kind).isEqualTo(Kind.NO_DATA);
    }

    @Test
    void v2SendsFormulasAndReadsTheScalarColumn() throws Exception {
        api.answer(r -> Answer.json(200, """
                {"data":{"type":"scalar_response","attributes":{"columns":[
                  {"name":"a/b","type":"number","values":[0.0125],"meta":{"unit":null}}]}}}
                """));
        Measurement m = measure(Map.of("apiVersion", "v2", "interval", "10m",
                "queries", Map.of("a", "sum:requests.errors{service:checkout}.as_count()", "b", "sum:requests{service:checkout}.as_count()"),
                "formula", "a/b", "aggregator", "sum"), Map.of());
        assertThat(m.value()).contains(0.0125);
        JsonNode body = JsonMapper.builder().build().readTree(api.last().body());
        assertThat(api.last().path()).isEqualTo("/api/v2/query/scalar");
        assertThat(body.path("data").path("type").asString()).isEqualTo("scalar_request");
        JsonNode attributes = body.path("data").path("attributes");
        assertThat(attributes.path("from").asLong()).isEqualTo(CLOCK.millis() - 600_000);
        assertThat(attributes.path("formulas").get(0).path("formula").asString()).isEqualTo("a/b");
        assertThat(attributes.path("queries").get(1).path("aggregator").asString()).isEqualTo("sum");
        assertThat(attributes.path("queries").get(1).path("data_source").asString()).isEqualTo("metrics");
    }

    @Test
    void errorsBodiesAreSurfacedAndEchoedKeysRedacted() {
        api.answer(r -> Answer.json(400, "{\"errors\":[\"Error parsing query: unexpected '}' (key " + API_KEY + ")\"]}"));
        Measurement m = measure(Map.of("query", "avg:requests{"), Map.of());
        MeasurementError e = m.error().orElseThrow();
        assertThat(e.kind()).isEqualTo(Kind.HTTP_STATUS);
        assertThat(e.message()).contains("HTTP 400").contains("Error parsing query").doesNotContain(API_KEY).contains("****");
    }

    @Test
    void rateLimitingCarriesTheRequestedWait() {
        api.answer(r -> new Answer(429, Map.of("Content-Type", "application/json", "X-RateLimit-Limit", "60",
                "X-RateLimit-Period", "60", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "17", "Retry-After", "17"),
                "{\"errors\":[\"Rate limit of 60 requests in 60 seconds reached. Please try again later.\"]}"));
        MeasurementError e = measure(Map.of("query", "avg:requests{*}"), Map.of()).error().orElseThrow();
        assertThat(e.kind()).isEqualTo(Kind.RATE_LIMITED);
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(17));
        assertThat(e.message()).contains("Rate limit of 60 requests");
    }

    @Test
    void forbiddenPointsAtTheCredentials() {
        api.answer(r -> Answer.json(403, "{\"errors\":[\"Forbidden\"]}"));
        MeasurementError e = measure(Map.of("query", "avg:requests{*}"), Map.of()).error().orElseThrow();
        assertThat(e.kind()).isEqualTo(Kind.HTTP_STATUS);
        assertThat(e.message()).contains("HTTP 403").contains("check the credentials");
    }

    @Test
    void missingKeysAreAConfigurationProblemNotARequest() {
        DatadogProvider noKeys = new DatadogProvider(ProviderSettings.defaults(Map.of()), CLOCK);
        ProviderSpec spec = new ProviderSpec("datadog", Map.of("query", "avg:requests{*}"));
        assertThat(noKeys.check(spec, MeasureArgs.NONE)).extracting(p -> p.message())
                .anyMatch(msg -> msg.contains("environment variable DD_API_KEY is not set"));
        assertThat(noKeys.measure(spec, MeasureArgs.NONE).error()).get().extracting(MeasurementError::kind).isEqualTo(Kind.MISCONFIGURED);
        assertThat(api.requests()).isEmpty();
    }

    @Test
    void argumentsWithQuerySyntaxAreRefusedOutsideQuotes() {
        Measurement m = measure(Map.of("query", "avg:requests{service:{{args.service}}}"), Map.of("service", "x} by {host"));
        assertThat(m.error()).get().extracting(MeasurementError::kind).isEqualTo(Kind.MISCONFIGURED);
        assertThat(m.error().get().message()).contains("argument 'service' is used outside quotes");
        assertThat(api.requests()).isEmpty();
    }
}
