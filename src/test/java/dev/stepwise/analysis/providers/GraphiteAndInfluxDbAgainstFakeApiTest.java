package dev.stepwise.analysis.providers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.analysis.FakeApi;
import dev.stepwise.analysis.FakeApi.Answer;
import dev.stepwise.analysis.MeasureArgs;
import dev.stepwise.analysis.Measurement;
import dev.stepwise.analysis.MeasurementError;
import dev.stepwise.analysis.MeasurementError.Kind;
import dev.stepwise.analysis.ProviderSettings;
import dev.stepwise.spec.model.ProviderSpec;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Graphite's render API ({@code /render?format=json}: a list of targets with [value, timestamp] datapoints) and
 * InfluxDB 2's Flux endpoint ({@code POST /api/v2/query}, annotated CSV) against local fakes answering as their
 * documentation shows. Graphite is also tested against a real graphite-web ({@code GraphiteIT}); Debian's influxdb
 * package is 1.6, which has no Flux endpoint, so InfluxDB is only tested here.
 */
class GraphiteAndInfluxDbAgainstFakeApiTest {

    private FakeApi api;

    @BeforeEach
    void start() throws Exception {
        api = new FakeApi();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void graphiteReturnsTheNonNullValuesOfTheFirstTarget() {
        api.answer(r -> Answer.json(200, """
                [{"target":"sumSeries(app.checkout.errors)","tags":{"name":"sumSeries(app.checkout.errors)"},
                  "datapoints":[[1.0,1772366100],[null,1772366160],[3.0,1772366220]]}]
                """));
        GraphiteProvider p = new GraphiteProvider(ProviderSettings.defaults(Map.of()), Clock.systemUTC());
        Measurement m = p.measure(new ProviderSpec("graphite", Map.of("address", api.url(),
                "query", "target=sumSeries(app.{{args.service}}.errors)&from=-5min")), MeasureArgs.of(Map.of("service", "checkout")));
        assertThat(m.value()).contains(List.of(1.0, 3.0));
        assertThat(api.last().path()).isEqualTo("/render");
        assertThat(api.last().query()).isEqualTo("target=sumSeries%28app.checkout.errors%29&from=-5min&format=json");
        api.answer(r -> Answer.json(200, "[]"));
        assertThat(p.measure(new ProviderSpec("graphite", Map.of("address", api.url(), "query", "target=nothing")), MeasureArgs.NONE)
                .error()).get().extracting(MeasurementError::kind).isEqualTo(Kind.NO_DATA);
    }

    @Test
    void influxReadsTheValueColumnOfAnnotatedCsv() {
        api.answer(r -> new Answer(200, Map.of("Content-Type", "text/csv; charset=utf-8"), """
                #datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string,string\r
                #group,false,false,true,true,false,false,true,true\r
                #default,_result,,,,,,,\r
                ,result,table,_start,_stop,_time,_value,_field,_measurement\r
                ,,0,2026-03-01T11:55:00Z,2026-03-01T12:00:00Z,2026-03-01T11:56:00Z,0.012,error_rate,http\r
                ,,0,2026-03-01T11:55:00Z,2026-03-01T12:00:00Z,2026-03-01T11:57:00Z,0.009,error_rate,http\r
                \r
                """));
        InfluxDbProvider p = new InfluxDbProvider(ProviderSettings.defaults(Map.of("INFLUX_HOST", api.url(),
                "INFLUX_TOKEN", "influx-token-abcdef123456", "INFLUX_ORG", "my org")), Clock.systemUTC());
        Measurement m = p.measure(new ProviderSpec("influxdb", Map.of("query",
                "from(bucket: \"app\") |> range(start: -5m) |> filter(fn: (r) => r.service == \"{{args.service}}\")")),
                MeasureArgs.of(Map.of("service", "check\"out")));
        assertThat(m.value()).contains(List.of(0.012, 0.009));
        FakeApi.Request r = api.last();
        assertThat(r.path()).isEqualTo("/api/v2/query");
        assertThat(r.query()).isEqualTo("org=my+org");
        assertThat(r.header("Authorization")).isEqualTo("Token influx-token-abcdef123456");
        assertThat(r.header("Content-Type")).isEqualTo("application/vnd.flux");
        assertThat(r.body()).contains("r.service == \"check\\\"out\"");

        api.answer(rq -> Answer.json(400, "{\"code\":\"invalid\",\"message\":\"compilation failed: error at @1:1-1:5: undefined identifier fron\"}"));
        MeasurementError e = p.measure(new ProviderSpec("influxdb", Map.of("query", "fron(bucket: \"app\")")), MeasureArgs.NONE)
                .error().orElseThrow();
        assertThat(e.kind()).isEqualTo(Kind.HTTP_STATUS);
        assertThat(e.message()).contains("invalid: compilation failed");

        api.answer(rq -> new Answer(200, Map.of("Content-Type", "text/csv"), "\r\n"));
        assertThat(p.measure(new ProviderSpec("influxdb", Map.of("query", "from(bucket: \"empty\")")), MeasureArgs.NONE).error())
                .get().extracting(MeasurementError::kind).isEqualTo(Kind.NO_DATA);
    }
}
