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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The New Relic provider against a local fake of NerdGraph ({@code POST /graphql}, {@code API-Key} header), answering
 * as New Relic's NerdGraph documentation shows: {@code data.actor.account.nrql.results} rows, and errors as a GraphQL
 * {@code errors} array with HTTP 200.
 */
class NewRelicProviderAgainstFakeApiTest {

    private static final String KEY = "NRAK-0123456789ABCDEFGHIJKLMNOPQ";
    private FakeApi api;
    private NewRelicProvider provider;

    @BeforeEach
    void start() throws Exception {
        api = new FakeApi();
        ProviderSettings.Endpoint endpoint = new ProviderSettings.Endpoint(Optional.of("production"), Optional.of(api.url() + "/graphql"),
                ProviderAuth.NONE, Map.of("apiKey", SecretRef.env("NR_KEY"), "accountId", SecretRef.value("1234567")),
                HttpLimits.DEFAULT, Optional.empty());
        provider = new NewRelicProvider(new ProviderSettings(HttpLimits.DEFAULT, Map.of("newRelic", List.of(endpoint)),
                Map.of("NR_KEY", KEY)), Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private Measurement measure(String nrql, Map<String, String> args) {
        return provider.measure(new ProviderSpec("newRelic", Map.of("profile", "production", "query", nrql)), MeasureArgs.of(args));
    }

    @Test
    void oneRowIsAMapAndNrqlTravelsAsAVariable() throws Exception {
        api.answer(r -> Answer.json(200, """
                {"data":{"actor":{"account":{"nrql":{"results":[{"successRate":0.9931}]}}}}}
                """));
        Measurement m = measure("SELECT percentage(count(*), WHERE error IS false) AS successRate FROM Transaction "
                + "WHERE appName = '{{args.app}}' SINCE 5 minutes ago", Map.of("app", "o'brien\\svc"));
        assertThat(m.value()).contains(Map.of("successRate", 0.9931));
        assertThat(m.sampleCount()).hasValue(1);
        FakeApi.Request r = api.last();
        assertThat(r.path()).isEqualTo("/graphql");
        assertThat(r.header("API-Key")).isEqualTo(KEY);
        JsonNode body = JsonMapper.builder().build().readTree(r.body());
        assertThat(body.path("query").asString()).contains("nrql(query: $nrql)").doesNotContain("SELECT");
        assertThat(body.path("variables").path("accountId").asLong()).isEqualTo(1234567);
        // the quote and backslash in the argument are NRQL-escaped inside the string literal
        assertThat(body.path("variables").path("nrql").asString()).contains("appName = 'o\\'brien\\\\svc'");
    }

    @Test
    void severalRowsAreAListAndNullRowsAreNoData() {
        api.answer(r -> Answer.json(200, """
                {"data":{"actor":{"account":{"nrql":{"results":[{"beginTimeSeconds":1,"avg":0.2},{"beginTimeSeconds":2,"avg":0.3}]}}}}}
                """));
        assertThat(measure("SELECT average(duration) AS avg FROM Transaction TIMESERIES", Map.of()).value().orElseThrow())
                .isInstanceOf(List.class);
        api.answer(r -> Answer.json(200, "{\"data\":{\"actor\":{\"account\":{\"nrql\":{\"results\":[{\"avg\":null}]}}}}}"));
        assertThat(measure("SELECT average(duration) AS avg FROM Transaction", Map.of()).error())
                .get().extracting(MeasurementError::kind).isEqualTo(Kind.NO_DATA);
    }

    @Test
    void graphqlErrorsAreErrorsEvenWithHttp200() {
        api.answer(r -> Answer.json(200, """
                {"errors":[{"message":"NRQL Syntax Error: Error at line 1 position 8, unexpected 'FORM'",
                  "extensions":{"errorClass":"INVALID_INPUT"}}],"data":{"actor":{"account":{"nrql":null}}}}
                """));
        MeasurementError e = measure("SELECT * FORM Transaction", Map.of()).error().orElseThrow();
        assertThat(e.kind()).isEqualTo(Kind.HTTP_STATUS);
        assertThat(e.message()).contains("NRQL Syntax Error");
        api.answer(r -> Answer.json(200, """
                {"errors":[{"message":"Too many requests","extensions":{"errorClass":"TOO_MANY_REQUESTS"}}]}
                """));
        assertThat(measure("SELECT 1 FROM Transaction", Map.of()).error()).get().extracting(MeasurementError::kind)
                .isEqualTo(Kind.RATE_LIMITED);
    }

    @Test
    void httpRateLimitingWithRetryAfter() {
        api.answer(r -> new Answer(429, Map.of("Retry-After", "30"), ""));
        MeasurementError e = measure("SELECT 1 FROM Transaction", Map.of()).error().orElseThrow();
        assertThat(e.kind()).isEqualTo(Kind.RATE_LIMITED);
        assertThat(e.retryAfter()).contains(java.time.Duration.ofSeconds(30));
    }
}
