package dev.stepwise.analysis.providers;

import dev.stepwise.analysis.ConfigProblem;
import dev.stepwise.analysis.Json;
import dev.stepwise.analysis.MeasureArgs;
import dev.stepwise.analysis.Measurement;
import dev.stepwise.analysis.MeasurementError.Kind;
import dev.stepwise.analysis.MeasurementTimer;
import dev.stepwise.analysis.ProviderConfig;
import dev.stepwise.analysis.ProviderSettings;
import dev.stepwise.analysis.QueryLanguage;
import dev.stepwise.analysis.QueryTemplate;
import dev.stepwise.analysis.SecretRef;
import dev.stepwise.analysis.http.BoundedHttp;
import dev.stepwise.analysis.http.HttpOutcome;
import dev.stepwise.spec.model.ProviderSpec;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * InfluxDB 2.x: a Flux {@code query} sent to {@code POST /api/v2/query?org=…} ({@code Content-Type:
 * application/vnd.flux}, {@code Accept: application/csv}), the annotated CSV answer read for its {@code _value}
 * column. As in Argo, the result is the list of every record's value across tables (numbers as Double). As in Argo,
 * address, token and org come from outside the template: {@code profile} selects the entry of Stepwise's provider
 * configuration whose {@code match} equals it ({@code address}, {@code credentials.authToken}, {@code credentials.org}),
 * else {@code INFLUX_HOST}, {@code INFLUX_TOKEN} and {@code INFLUX_ORG}.
 */
public final class InfluxDbProvider extends HttpProvider {

    public static final String TYPE = "influxdb";

    public InfluxDbProvider(ProviderSettings settings, Clock clock) {
        super(settings, clock);
    }

    @Override
    public String type() {
        return TYPE;
    }

    private ProviderSettings.Endpoint endpoint(ProviderSpec spec) {
        return settings.endpoint(TYPE, new ProviderConfig(spec.config()).string("profile").orElse(null));
    }

    private Optional<String> address(ProviderSettings.Endpoint e) {
        return e.address().or(() -> Optional.ofNullable(settings.environment().get("INFLUX_HOST")).filter(s -> !s.isBlank()));
    }

    @Override
    public List<ConfigProblem> check(ProviderSpec spec, MeasureArgs args) {
        List<ConfigProblem> problems = new ArrayList<>();
        ProviderConfig c = new ProviderConfig(spec.config());
        c.require("query", problems, "the Flux query");
        ProviderSettings.Endpoint e = endpoint(spec);
        Optional<String> address = address(e);
        if (address.isEmpty()) {
            problems.add(new ConfigProblem("", "analysis.provider.credentials", "no InfluxDB address: set it in Stepwise's "
                    + "provider configuration (address) or INFLUX_HOST"));
        } else {
            httpUrl(address.get(), "", problems);
        }
        for (String[] cred : new String[][] {{"authToken", "INFLUX_TOKEN"}, {"org", "INFLUX_ORG"}}) {
            SecretRef.Resolved r = e.credential(cred[0]).orElse(SecretRef.env(cred[1])).resolve(settings.environment());
            if (!r.isOk()) {
                problems.add(new ConfigProblem("", "analysis.provider.credentials", "InfluxDB " + cred[0] + ": " + r.problem()));
            }
        }
        return problems;
    }

    @Override
    protected Measurement measure(ProviderSpec spec, MeasureArgs args, MeasurementTimer timer) {
        List<ConfigProblem> problems = check(spec, args);
        if (!problems.isEmpty()) {
            return misconfigured(timer, problems);
        }
        ProviderConfig c = new ProviderConfig(spec.config());
        RenderedQuery flux = renderQuery(c, args, QueryLanguage.FLUX, timer);
        if (!flux.isOk()) {
            return flux.failure();
        }
        ProviderSettings.Endpoint e = endpoint(spec);
        String token = e.credential("authToken").orElse(SecretRef.env("INFLUX_TOKEN")).resolve(settings.environment()).value();
        String org = e.credential("org").orElse(SecretRef.env("INFLUX_ORG")).resolve(settings.environment()).value();
        timer.addSecrets(List.of(token));
        List<String> clientProblems = new ArrayList<>();
        Optional<BoundedHttp> http = http(e, clientProblems);
        if (http.isEmpty()) {
            return timer.error(Kind.MISCONFIGURED, clientProblems.get(0));
        }
        URI uri = join(URI.create(address(e).orElseThrow()), "/api/v2/query?org=" + URLEncoder.encode(org, StandardCharsets.UTF_8));
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .header("Authorization", "Token " + token)
                .header("Content-Type", "application/vnd.flux")
                .header("Accept", "application/csv")
                .POST(HttpRequest.BodyPublishers.ofString(flux.text()));
        HttpOutcome outcome = http.get().send(b, e.limits().requestTimeout(), e.limits().maxResponseBytes());
        if (outcome instanceof HttpOutcome.Failure f) {
            return timer.error(f.error());
        }
        HttpOutcome.Response r = (HttpOutcome.Response) outcome;
        if (!r.isSuccess()) {
            // InfluxDB explains errors as {"code": "invalid", "message": "..."}
            String explanation = Json.parse(r.body()).map(j -> j.path("code").asString("") + ": " + j.path("message").asString(""))
                    .orElse(r.snippet(200));
            return timer.error(http.get().statusError(r, "InfluxDB /api/v2/query", explanation));
        }
        return readCsv(r.text(), timer);
    }

    /**
     * Annotated CSV: tables separated by blank lines, each with optional {@code #datatype}/{@code #group}/
     * {@code #default} annotation rows, a header row and records. An {@code error} column in the header is an error
     * InfluxDB reports mid-stream.
     */
    static Measurement readCsv(String csv, MeasurementTimer timer) {
        List<Object> values = new ArrayList<>();
        int valueColumn = -1;
        int errorColumn = -1;
        boolean expectHeader = true;
        for (String rawLine : csv.split("\r?\n", -1)) {
            String line = rawLine;
            if (line.isBlank()) {
                expectHeader = true;
                continue;
            }
            if (line.startsWith("#")) {
                continue;
            }
            List<String> cells = cells(line);
            if (expectHeader) {
                valueColumn = cells.indexOf("_value");
                errorColumn = cells.indexOf("error");
                expectHeader = false;
                if (valueColumn < 0 && errorColumn < 0) {
                    return timer.error(Kind.GARBAGE, "the InfluxDB answer has no _value column: " + line);
                }
                continue;
            }
            if (errorColumn >= 0 && errorColumn < cells.size() && !cells.get(errorColumn).isBlank()) {
                return timer.error(Kind.GARBAGE, "InfluxDB reported: " + cells.get(errorColumn));
            }
            if (valueColumn < 0 || valueColumn >= cells.size()) {
                return timer.error(Kind.GARBAGE, "an InfluxDB record has no _value: " + line);
            }
            String v = cells.get(valueColumn);
            if (v.isEmpty()) {
                continue;
            }
            try {
                double d = Json.parseNumber(v);
                if (!Double.isNaN(d)) {
                    values.add(d);
                }
            } catch (NumberFormatException e) {
                values.add(v);
            }
        }
        if (values.isEmpty()) {
            return timer.error(Kind.NO_DATA, "the Flux query returned no records");
        }
        return timer.value(values, OptionalLong.of(values.size()));
    }

    /** One CSV row (RFC 4180 quoting). */
    static List<String> cells(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    cell.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                out.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(ch);
            }
        }
        out.add(cell.toString());
        return out;
    }

}
