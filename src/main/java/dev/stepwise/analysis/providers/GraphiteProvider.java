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
import tools.jackson.databind.JsonNode;

/**
 * Graphite's render API ({@code GET /render?format=json}). As in Argo, {@code query} is the render query string
 * ({@code target=sumSeries(app.errors)&from=-5min}); whitespace is collapsed and {@code format=json} added. The
 * result is the non-null datapoint values of the first target, a list (so {@code result[0]} and
 * {@code all(result, …)} work); no target or no non-null point is no data.
 */
public final class GraphiteProvider extends HttpProvider {

    public static final String TYPE = "graphite";

    public GraphiteProvider(ProviderSettings settings, Clock clock) {
        super(settings, clock);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<ConfigProblem> check(ProviderSpec spec, MeasureArgs args) {
        List<ConfigProblem> problems = new ArrayList<>();
        ProviderConfig c = new ProviderConfig(spec.config());
        String address = requireUrl(c, "address", "the Graphite address", problems);
        checkCredentials(TYPE, address, c, "address", problems);
        c.require("query", problems, "the Graphite query");
        return problems;
    }

    @Override
    protected Measurement measure(ProviderSpec spec, MeasureArgs args, MeasurementTimer timer) {
        List<ConfigProblem> problems = check(spec, args);
        if (!problems.isEmpty()) {
            return misconfigured(timer, problems);
        }
        ProviderConfig c = new ProviderConfig(spec.config());
        QueryTemplate.Rendered q = QueryTemplate.render(c.string("query").orElseThrow().replaceAll("\\s+", " ").trim(),
                args.values(), QueryLanguage.GRAPHITE);
        if (!q.isOk()) {
            return timer.query(c.string("query").orElse("")).error(Kind.MISCONFIGURED, q.problem());
        }
        String sent = q.text().matches("^[A-Za-z]+=.*") ? q.text() : "target=" + q.text();
        timer.query(sent);
        String address = c.string("address").orElseThrow();
        Optional<URI> base = httpUrl(address, "/address", problems);
        if (base.isEmpty()) {
            return misconfigured(timer, problems);
        }
        ProviderSettings.Endpoint e = settings.endpoint(TYPE, address);
        // check() above has already refused this (literal) address if its credentials do not resolve
        RequestHeaders auth = authHeaders(e, timer);
        if (!auth.isOk()) {
            return auth.failure();
        }
        List<String> clientProblems = new ArrayList<>();
        Optional<BoundedHttp> http = http(e, clientProblems);
        if (http.isEmpty()) {
            return timer.error(Kind.MISCONFIGURED, clientProblems.get(0));
        }
        URI uri = join(base.get(), "/render?" + encodeQueryString(sent) + "&format=json");
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET().header("Accept", "application/json");
        addHeaders(b, auth.values());
        HttpOutcome outcome = http.get().send(b, e.limits().requestTimeout(), e.limits().maxResponseBytes());
        if (outcome instanceof HttpOutcome.Failure f) {
            return timer.error(f.error());
        }
        HttpOutcome.Response r = (HttpOutcome.Response) outcome;
        if (!r.isSuccess()) {
            return timer.error(http.get().statusError(r, "Graphite /render", r.snippet(200)));
        }
        Optional<JsonNode> json = Json.parse(r.body());
        if (json.isEmpty() || !json.get().isArray()) {
            return timer.error(Kind.GARBAGE, "Graphite did not answer a JSON list of targets: " + r.snippet(120));
        }
        if (json.get().isEmpty()) {
            return timer.error(Kind.NO_DATA, "Graphite returned no target for the query");
        }
        List<Double> values = new ArrayList<>();
        for (JsonNode point : json.get().get(0).path("datapoints").values()) {
            JsonNode v = point.path(0);
            if (v.isNumber() && !Double.isNaN(v.asDouble())) {
                values.add(v.asDouble());
            } else if (v.isString()) {
                try {
                    values.add(Double.parseDouble(v.asString()));
                } catch (NumberFormatException ex) {
                    return timer.error(Kind.GARBAGE, "Graphite returned a datapoint that is not a number: " + v.asString());
                }
            }
        }
        if (values.isEmpty()) {
            return timer.error(Kind.NO_DATA, "the Graphite target has only null datapoints in the range");
        }
        return timer.value(values, OptionalLong.of(values.size()));
    }

    /** Each {@code key=value} pair of the query string, value percent-encoded (targets contain commas, parentheses). */
    static String encodeQueryString(String q) {
        List<String> parts = new ArrayList<>();
        for (String pair : q.split("&")) {
            int eq = pair.indexOf('=');
            if (eq < 0) {
                parts.add(URLEncoder.encode(pair.trim(), StandardCharsets.UTF_8));
            } else {
                parts.add(URLEncoder.encode(pair.substring(0, eq).trim(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(pair.substring(eq + 1).trim(), StandardCharsets.UTF_8));
            }
        }
        return String.join("&", parts);
    }
}
