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
import dev.stepwise.spec.model.ArgoDuration;
import dev.stepwise.spec.model.ProviderSpec;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import tools.jackson.databind.JsonNode;

/**
 * Datadog, with Argo's fields: {@code apiVersion} {@code v1} (default; {@code GET /api/v1/query} over the last
 * {@code interval}, the value being the last non-null point of the first series) or {@code v2}
 * ({@code POST /api/v2/query/scalar}: {@code queries} by name plus {@code formula}, or a single {@code query}, reduced
 * by {@code aggregator}, default {@code last}). Keys come from Stepwise's provider configuration
 * ({@code credentials.apiKey}, {@code credentials.appKey}) or the environment ({@code DD_API_KEY}, {@code DD_APP_KEY});
 * the site from {@code address} there or {@code DD_SITE}.
 */
public final class DatadogProvider extends HttpProvider {

    public static final String TYPE = "datadog";

    public DatadogProvider(ProviderSettings settings, Clock clock) {
        super(settings, clock);
    }

    @Override
    public String type() {
        return TYPE;
    }

    private ProviderSettings.Endpoint endpoint() {
        return settings.endpoint(TYPE, null);
    }

    private String address(ProviderSettings.Endpoint e) {
        return e.address().orElseGet(() -> {
            String site = settings.environment().get("DD_SITE");
            return "https://api." + (site == null || site.isBlank() ? "datadoghq.com" : site.trim());
        });
    }

    private SecretRef apiKey(ProviderSettings.Endpoint e) {
        return e.credential("apiKey").orElse(SecretRef.env("DD_API_KEY"));
    }

    private SecretRef appKey(ProviderSettings.Endpoint e) {
        return e.credential("appKey").orElseGet(() -> SecretRef.env(settings.environment().containsKey("DD_APPLICATION_KEY")
                ? "DD_APPLICATION_KEY" : "DD_APP_KEY"));
    }

    @Override
    public List<ConfigProblem> check(ProviderSpec spec, MeasureArgs args) {
        List<ConfigProblem> problems = new ArrayList<>();
        ProviderConfig c = new ProviderConfig(spec.config());
        String version = c.string("apiVersion").orElse("v1");
        if (!version.equals("v1") && !version.equals("v2")) {
            problems.add(new ConfigProblem(c.pointer("apiVersion"), "analysis.provider.version", "apiVersion must be v1 or v2"));
        }
        if (version.equals("v1") && !c.has("query")) {
            problems.add(new ConfigProblem(c.pointer("query"), "analysis.provider.missing", "a v1 Datadog metric needs a query"));
        }
        if (version.equals("v2")) {
            if (!c.has("query") && c.map("queries").isEmpty()) {
                problems.add(new ConfigProblem(c.pointer("queries"), "analysis.provider.missing", "a v2 Datadog metric needs query or queries"));
            }
            if (c.has("query") && c.map("queries").isPresent()) {
                problems.add(new ConfigProblem(c.pointer("queries"), "analysis.provider.conflict", "give query or queries, not both"));
            }
            if (c.map("queries").map(q -> q.raw().size() > 1).orElse(false) && !c.has("formula")) {
                problems.add(new ConfigProblem(c.pointer("formula"), "analysis.provider.missing", "several queries need a formula combining them"));
            }
        }
        if (c.has("interval") && ArgoDuration.tryParse(spec.config().get("interval")).isEmpty()) {
            problems.add(new ConfigProblem(c.pointer("interval"), "analysis.provider.duration", "interval must be a duration such as 5m"));
        }
        ProviderSettings.Endpoint e = endpoint();
        httpUrl(address(e), "", problems);
        for (SecretRef ref : List.of(apiKey(e), appKey(e))) {
            SecretRef.Resolved r = ref.resolve(settings.environment());
            if (!r.isOk()) {
                problems.add(new ConfigProblem("", "analysis.provider.credentials", "Datadog credentials: " + r.problem()));
            }
        }
        return problems;
    }

    @Override
    @SuppressWarnings("unchecked")
    protected Measurement measure(ProviderSpec spec, MeasureArgs args, MeasurementTimer timer) {
        List<ConfigProblem> problems = check(spec, args);
        if (!problems.isEmpty()) {
            return misconfigured(timer, problems);
        }
        ProviderConfig c = new ProviderConfig(spec.config());
        ProviderSettings.Endpoint e = endpoint();
        String api = apiKey(e).resolve(settings.environment()).value();
        String app = appKey(e).resolve(settings.environment()).value();
        timer.addSecrets(List.of(api, app));
        URI base = URI.create(address(e));
        Duration interval = c.string("interval").flatMap(ArgoDuration::tryParse).orElse(Duration.ofMinutes(5));
        Instant to = clock.instant();
        Instant from = to.minus(interval);
        List<String> clientProblems = new ArrayList<>();
        Optional<BoundedHttp> http = http(e, clientProblems);
        if (http.isEmpty()) {
            return timer.error(Kind.MISCONFIGURED, clientProblems.get(0));
        }
        HttpRequest.Builder b;
        boolean v2 = c.string("apiVersion").orElse("v1").equals("v2");
        if (!v2) {
            QueryTemplate.Rendered q = QueryTemplate.render(c.string("query").orElseThrow(), args.values(), QueryLanguage.DATADOG);
            if (!q.isOk()) {
                return timer.error(Kind.MISCONFIGURED, q.problem());
            }
            timer.query(q.text());
            URI uri = join(base, "/api/v1/query?from=" + from.getEpochSecond() + "&to=" + to.getEpochSecond()
                    + "&query=" + URLEncoder.encode(q.text(), StandardCharsets.UTF_8));
            b = HttpRequest.newBuilder(uri).GET();
        } else {
            Map<String, Object> queries = new LinkedHashMap<>();
            if (c.has("query")) {
                queries.put("query", c.string("query").orElseThrow());
            } else {
                queries.putAll(c.map("queries").orElseThrow().raw());
            }
            List<Map<String, Object>> rendered = new ArrayList<>();
            List<String> shown = new ArrayList<>();
            for (Map.Entry<String, Object> q : queries.entrySet()) {
                QueryTemplate.Rendered r = QueryTemplate.render(String.valueOf(q.getValue()), args.values(), QueryLanguage.DATADOG);
                if (!r.isOk()) {
                    return timer.error(Kind.MISCONFIGURED, "query " + q.getKey() + ": " + r.problem());
                }
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("data_source", "metrics");
                one.put("name", q.getKey());
                one.put("query", r.text());
                one.put("aggregator", c.string("aggregator").orElse("last"));
                rendered.add(one);
                shown.add(q.getKey() + "=" + r.text());
            }
            String formula = c.string("formula").orElse(queries.keySet().iterator().next());
            timer.query(String.join("; ", shown) + "; formula " + formula);
            Map<String, Object> attributes = new LinkedHashMap<>();
            attributes.put("formulas", List.of(Map.of("formula", formula)));
            attributes.put("from", from.toEpochMilli());
            attributes.put("to", to.toEpochMilli());
            attributes.put("queries", rendered);
            Map<String, Object> body = Map.of("data", Map.of("type", "scalar_request", "attributes", attributes));
            b = HttpRequest.newBuilder(join(base, "/api/v2/query/scalar"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Json.write(body)));
        }
        b.header("Accept", "application/json").header("DD-API-KEY", api).header("DD-APPLICATION-KEY", app);
        HttpOutcome outcome = http.get().send(b, e.limits().requestTimeout(), e.limits().maxResponseBytes());
        if (outcome instanceof HttpOutcome.Failure f) {
            return timer.error(f.error());
        }
        HttpOutcome.Response r = (HttpOutcome.Response) outcome;
        Optional<JsonNode> json = Json.parse(r.body());
        String where = "Datadog " + (v2 ? "/api/v2/query/scalar" : "/api/v1/query");
        if (!r.isSuccess()) {
            // Datadog explains errors as {"errors": ["..."]}
            String explanation = json.map(j -> j.path("errors")).filter(JsonNode::isArray)
                    .map(errs -> String.join("; ", errs.values().stream().map(n -> n.asString("")).toList()))
                    .orElse(r.snippet(200));
            return timer.error(http.get().statusError(r, where, explanation));
        }
        if (json.isEmpty()) {
            return timer.error(Kind.GARBAGE, where + " did not answer JSON: " + r.snippet(120));
        }
        return v2 ? readV2(json.get(), timer) : readV1(json.get(), timer);
    }

    static Measurement readV1(JsonNode root, MeasurementTimer timer) {
        if (root.path("status").asString("ok").equals("error")) {
            return timer.error(Kind.GARBAGE, "Datadog answered an error: " + root.path("error").asString(""));
        }
        JsonNode series = root.path("series");
        if (!series.isArray() || series.isEmpty()) {
            return timer.error(Kind.NO_DATA, "the Datadog query returned no series in the interval");
        }
        Double last = null;
        long points = 0;
        for (JsonNode p : series.get(0).path("pointlist").values()) {
            JsonNode v = p.path(1);
            if (v.isNumber() && !Double.isNaN(v.asDouble())) {
                last = v.asDouble();
                points++;
            }
        }
        return last == null ? timer.error(Kind.NO_DATA, "the Datadog series has no non-null point in the interval")
                : timer.value(last, OptionalLong.of(points));
    }

    static Measurement readV2(JsonNode root, MeasurementTimer timer) {
        JsonNode errors = root.path("errors");
        if (errors.isString() && !errors.asString().isBlank()) {
            return timer.error(Kind.GARBAGE, "Datadog answered an error: " + errors.asString());
        }
        for (JsonNode column : root.path("data").path("attributes").path("columns").values()) {
            if (!column.path("type").asString("number").equals("number")) {
                continue;
            }
            JsonNode values = column.path("values");
            if (!values.isArray() || values.isEmpty() || !values.get(0).isNumber()) {
                return timer.error(Kind.NO_DATA, "the Datadog formula gave no value in the interval");
            }
            double v = values.get(0).asDouble();
            return Double.isNaN(v) ? timer.error(Kind.NO_DATA, "the Datadog formula gave NaN") : timer.value(v, OptionalLong.empty());
        }
        return timer.error(Kind.NO_DATA, "the Datadog answer has no number column");
    }
}
