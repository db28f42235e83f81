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
import dev.stepwise.analysis.http.HttpLimits;
import dev.stepwise.spec.model.ProviderSpec;
import java.time.Clock;
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
 * The CloudWatch provider against a local fake of the CloudWatch API's AWS JSON 1.0 protocol ({@code POST /} with
 * {@code X-Amz-Target: GraniteServiceVersion20100801.GetMetricData}), answering as the GetMetricData API reference
 * shows ({@code MetricDataResults} with Id, Label, StatusCode, Timestamps, Values) and erring as AWS JSON services do
 * ({@code {"__type": "…#ThrottlingException", "message": …}}).
 */
class CloudWatchProviderAgainstFakeApiTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);
    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private FakeApi api;
    private CloudWatchProvider provider;

    @BeforeEach
    void start() throws Exception {
        api = new FakeApi();
        ProviderSettings.Endpoint endpoint = new ProviderSettings.Endpoint(Optional.empty(), Optional.of(api.url()),
                ProviderAuth.NONE, Map.of(), HttpLimits.DEFAULT, Optional.empty());
        provider = new CloudWatchProvider(new ProviderSettings(HttpLimits.DEFAULT, Map.of("cloudWatch", List.of(endpoint)),
                Map.of("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY", SECRET, "AWS_REGION", "eu-west-1")), CLOCK);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private static final Map<String, Object> CONFIG = Map.of("interval", "10m", "metricDataQueries", List.of(
            Map.of("id", "errors", "returnData", false, "metricStat", Map.of("period", 300, "stat", "Sum",
                    "metric", Map.of("namespace", "AWS/ApplicationELB", "metricName", "HTTPCode_Target_5XX_Count",
                            "dimensions", List.of(Map.of("name", "LoadBalancer", "value", "{{args.lb}}"))))),
            Map.of("id", "rate", "expression", "errors / requests")));

    @Test
    void signsTheRequestAndReturnsMetricDataResults() throws Exception {
        api.answer(r -> Answer.json(200, """
                {"MetricDataResults":[{"Id":"rate","Label":"rate","StatusCode":"Complete",
                  "Timestamps":[1772366100,1772365800],"Values":[0.004,0.006]}],"Messages":[]}
                """));
        Measurement m = provider.measure(new ProviderSpec("cloudWatch", CONFIG), MeasureArgs.of(Map.of("lb", "app/checkout/50dc6c495c0c9188")));
        assertThat(m.error()).isEmpty();
        @SuppressWarnings("unchecked")
        Map<String, Object> first = (Map<String, Object>) ((List<?>) m.value().orElseThrow()).get(0);
        assertThat(first).containsEntry("Id", "rate").containsEntry("Values", List.of(0.004, 0.006));
        assertThat(m.sampleCount()).hasValue(2);

        FakeApi.Request r = api.last();
        assertThat(r.header("X-Amz-Target")).isEqualTo("GraniteServiceVersion20100801.GetMetricData");
        assertThat(r.header("Content-Type")).isEqualTo("application/x-amz-json-1.0");
        assertThat(r.header("X-Amz-Date")).isEqualTo("20260301T120000Z");
        assertThat(r.header("Authorization"))
                .startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260301/eu-west-1/monitoring/aws4_request")
                .contains("SignedHeaders=").contains("x-amz-target").contains("Signature=")
                .doesNotContain(SECRET);
        JsonNode body = JsonMapper.builder().build().readTree(r.body());
        assertThat(body.path("StartTime").asLong()).isEqualTo(CLOCK.instant().getEpochSecond() - 600);
        JsonNode q = body.path("MetricDataQueries").get(0);
        assertThat(q.path("MetricStat").path("Metric").path("Dimensions").get(0).path("Value").asString())
                .isEqualTo("app/checkout/50dc6c495c0c9188");
        assertThat(q.path("ReturnData").asBoolean(true)).isFalse();
    }

    @Test
    void emptyResultsAreNoData() {
        api.answer(r -> Answer.json(200, "{\"MetricDataResults\":[{\"Id\":\"rate\",\"StatusCode\":\"Complete\",\"Timestamps\":[],\"Values\":[]}]}"));
        assertThat(provider.measure(new ProviderSpec("cloudWatch", CONFIG), MeasureArgs.of(Map.of("lb", "x"))).error())
                .get().extracting(MeasurementError::kind).isEqualTo(Kind.NO_DATA);
    }

    @Test
    void throttlingAndValidationErrorsAreTold() {
        api.answer(r -> Answer.json(400, "{\"__type\":\"com.amazon.coral.availability#ThrottlingException\",\"message\":\"Rate exceeded\"}"));
        MeasurementError throttled = provider.measure(new ProviderSpec("cloudWatch", CONFIG), MeasureArgs.of(Map.of("lb", "x"))).error().orElseThrow();
        assertThat(throttled.kind()).isEqualTo(Kind.RATE_LIMITED);
        assertThat(throttled.message()).contains("Rate exceeded");
        api.answer(r -> Answer.json(400, "{\"__type\":\"com.amazonaws.cloudwatch#InvalidParameterValueException\","
                + "\"message\":\"The value errors / requests for parameter MetricDataQueries.member.2.Expression is not valid.\"}"));
        MeasurementError invalid = provider.measure(new ProviderSpec("cloudWatch", CONFIG), MeasureArgs.of(Map.of("lb", "x"))).error().orElseThrow();
        assertThat(invalid.kind()).isEqualTo(Kind.HTTP_STATUS);
        assertThat(invalid.message()).contains("InvalidParameterValueException").contains("is not valid");
    }

    @Test
    void missingCredentialsAreFoundBeforeSending() {
        CloudWatchProvider none = new CloudWatchProvider(ProviderSettings.defaults(Map.of("AWS_REGION", "eu-west-1")), CLOCK);
        assertThat(none.check(new ProviderSpec("cloudWatch", CONFIG), MeasureArgs.NONE)).extracting(p -> p.message())
                .anyMatch(msg -> msg.contains("AWS_ACCESS_KEY_ID is not set"));
    }
}
