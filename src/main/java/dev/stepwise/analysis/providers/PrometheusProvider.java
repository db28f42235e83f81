package dev.stepwise.analysis.providers;

import dev.stepwise.analysis.ConfigProblem;
import dev.stepwise.analysis.Json;
import dev.stepwise.analysis.MeasureArgs;
import dev.stepwise.analysis.Measurement;
import dev.stepwise.analysis.MeasurementError;
import dev.stepwise.analysis.MeasurementError.Kind;
import dev.stepwise.analysis.MeasurementTimer;
import dev.stepwise.analysis.ProviderConfig;
import dev.stepwise.analysis.ProviderSettings;
import dev.stepwise.analysis.QueryLanguage;
import dev.stepwise.analysis.QueryTemplate;
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
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Prometheus's HTTP API: instant queries ({@code /api/v1/query}) and, with Argo's {@code rangeQuery}
 * ({@code start}, {@code end}, {@code step}), range queries ({@code /api/v1/query_range}). Results follow Argo's
 * conventions: a scalar is a number, a vector is a list of numbers (so {@code result[0]} is the first series), a
 * matrix is a list of series, each a list of numbers, and a string is a string.
 *
 * <p>No data is never a value: an empty vector or matrix, or a NaN anywhere in a scalar or vector (the 0/0 of a
 * success rate with no traffic), is a {@code no-data} error. In a matrix, NaN points are dropped, and a series left
 * empty is no data.
 *
 * <p>Sample count: the number of series of a vector, the number of points of a matrix, 1 for a scalar — unless the
 * block has {@code sampleCountQuery} (a Stepwise extension), an instant query whose first value is the count
 * (typically {@code sum(increase(http_requests_total{…}[2m]))}, the requests a success rate rests on).
 */
public final class PrometheusProvider extends HttpProvider {

    public static final String TYPE = "prometheus";
    private static final Pattern NOW_MINUS = Pattern.compile("now\\(\\)\\s*-\\s*duration\\(\\s*[\"']([^\"']+)[\"']\\s*\\)");

    public PrometheusProvider(ProviderSettings settings, Clock clock) {
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
        String address = requireUrl(c, "address", "the Prometheus address", problems);
        c.require("query", problems, "the PromQL query");
        refuseInsecure(spec.config(), problems);
        if (c.has("authentication")) {
            problems.add(new ConfigProblem(c.pointer("authentication"), "analysis.provider.auth-in-template",
                    "credentials (sigv4, oauth2) are not read from templates kept in Git; configure auth for this "
                            + "address in Stepwise's provider configuration"));
        }
        c.number("timeout", problems);
        c.map("rangeQuery").ifPresent(r -> {
            if (!r.has("step")) {
                problems.add(new ConfigProblem(r.pointer("step"), "analysis.provider.missing", "a range query needs a step"));
            } else if (parseStep(r.raw().get("step")).isEmpty()) {
                problems.add(new ConfigProblem(r.pointer("step"), "analysis.provider.duration", "step must be a duration such as 30s"));
            }
            for (String key : List.of("start", "end")) {
                r.string(key).filter(v -> !v.contains("{{")).ifPresent(v -> {
                    if (parseTime(v, Instant.EPOCH).isEmpty()) {
                        problems.add(new ConfigProblem(r.pointer(key), "analysis.provider.time", "'" + v + "' is not a time: use now(), "
                                + "now() - duration(\"10m\"), -10m, an RFC 3339 time or Unix seconds"));
                    }
                });
            }
        });
        checkCredentials(TYPE, address, c, "address", problems);
        return problems;
    }

    @Override
    protected Measurement measure(ProviderSpec spec, MeasureArgs args, MeasurementTimer timer) {
        List<ConfigProblem> problems = check(spec, args);
        if (!problems.isEmpty()) {
            return misconfigured(timer, problems);
        }
        ProviderConfig c = new ProviderConfig(spec.config());
        QueryTemplate.Rendered query = QueryTemplate.render(c.string("query").orElseThrow(), args.values(), QueryLanguage.PROMQL);
        QueryTemplate.Rendered address = QueryTemplate.renderUrl(c.string("address").orElseThrow(), args.values());
        if (!query.isOk() || !address.isOk()) {
            return timer.query(c.string("query").orElse("")).error(Kind.MISCONFIGURED, query.isOk() ? address.problem() : query.problem());
        }
        timer.query(query.text());
        Optional<URI> base = httpUrl(address.text(), "/address", problems);
        if (base.isEmpty()) {
            return misconfigured(timer, problems);
        }
        ProviderSettings.Endpoint endpoint = settings.endpoint(TYPE, address.text());
        RequestHeaders requestHeaders = authAndTemplateHeaders(endpoint, c, args, timer);
        if (!requestHeaders.isOk()) {
            return requestHeaders.failure();
        }
        Map<String, String> headers = requestHeaders.values();
        List<String> clientProblems = new ArrayList<>();
        Optional<BoundedHttp> http = http(endpoint, clientProblems);
        if (http.isEmpty()) {
            return timer.error(Kind.MISCONFIGURED, clientProblems.get(0));
        }
        Duration timeout = c.number("timeout", new ArrayList<>())
                .map(s -> Duration.ofMillis((long) (s * 1000))).orElse(endpoint.limits().requestTimeout());
        Instant now = clock.instant();

        Optional<ProviderConfig> range = c.map("rangeQuery");
        Map<String, String> form = new LinkedHashMap<>();
        form.put("query", query.text());
        String path;
        if (range.isPresent()) {
            ProviderConfig r = range.get();
            Instant start = r.string("start").map(v -> QueryTemplate.render(v, args.values(), QueryLanguage.PLAIN).text())
                    .flatMap(v -> parseTime(v, now)).orElse(now.minus(Duration.ofMinutes(10)));
            Instant end = r.string("end").map(v -> QueryTemplate.render(v, args.values(), QueryLanguage.PLAIN).text())
                    .flatMap(v -> parseTime(v, now)).orElse(now);
            Duration step = parseStep(r.raw().get("step")).orElseThrow();
            path = "/api/v1/query_range";
            form.put("start", seconds(start));
            form.put("end", seconds(end));
            form.put("step", seconds(step));
        } else {
            path = "/api/v1/query";
            form.put("time", seconds(now));
        }
        Measurement m = send(http.get(), join(base.get(), path), form, headers, timeout, endpoint.limits().maxResponseBytes(), timer);
        if (m.isError() || c.string("sampleCountQuery").isEmpty()) {
            return m;
        }
        return withSampleCount(m, c, args, http.get(), base.get(), headers, timeout, endpoint, now, timer);
    }

    private Measurement withSampleCount(Measurement m, ProviderConfig c, MeasureArgs args, BoundedHttp http, URI base,
                                        Map<String, String> headers, Duration timeout, ProviderSettings.Endpoint endpoint,
                                        Instant now, MeasurementTimer timer) {
        QueryTemplate.Rendered q = QueryTemplate.render(c.string("sampleCountQuery").orElseThrow(), args.values(), QueryLanguage.PROMQL);
        if (!q.isOk()) {
            return m.withSampleCount(OptionalLong.empty()).withEvidence(Map.of("sampleCountError", q.problem()));
        }
        Map<String, String> form = new LinkedHashMap<>();
        form.put("query", q.text());
        form.put("time", seconds(now));
        MeasurementTimer countTimer = MeasurementTimer.start(clock, timer.redactor()).query(q.text());
        Measurement count = send(http, join(base, "/api/v1/query"), form, headers, timeout, endpoint.limits().maxResponseBytes(), countTimer);
        Optional<Double> n = count.value().flatMap(v -> v instanceof Double d ? Optional.of(d)
                : v instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof Double d ? Optional.of(d) : Optional.empty());
        if (n.isEmpty() || n.get().isNaN()) {
            String why = count.error().map(MeasurementError::message).orElse("it did not give a single number");
            return m.withSampleCount(OptionalLong.empty()).withEvidence(Map.of("sampleCountError",
                    "sampleCountQuery gave no count: " + why));
        }
        return m.withSampleCount(OptionalLong.of((long) Math.floor(n.get())))
                .withEvidence(Map.of("sampleCountQuery", timer.redactor().redact(q.text())));
    }

    private Measurement send(BoundedHttp http, URI uri, Map<String, String> form, Map<String, String> headers,
                             Duration timeout, long maxBytes, MeasurementTimer timer) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(formBody(form)));
        addHeaders(b, headers);
        HttpOutcome outcome = http.send(b, timeout, maxBytes);
        if (outcome instanceof HttpOutcome.Failure f) {
            return timer.error(f.error());
        }
        HttpOutcome.Response r = (HttpOutcome.Response) outcome;
        Optional<JsonNode> json = Json.parse(r.body());
        String where = BoundedHttp.where(uri);
        if (!r.isSuccess()) {
            // Prometheus explains itself: {"status":"error","errorType":"bad_data","error":"parse error at char 5: ..."}
            String explanation = json.filter(j -> j.path("status").asString("").equals("error"))
                    .map(j -> j.path("errorType").asString("error") + ": " + j.path("error").asString(""))
                    .orElse(r.snippet(300));
            return timer.error(http.statusError(r, where, explanation));
        }
        if (json.isEmpty()) {
            return timer.error(Kind.GARBAGE, where + " answered with something that is not JSON: " + r.snippet(120));
        }
        JsonNode root = json.get();
        if (!root.path("status").asString("").equals("success")) {
            return timer.error(Kind.GARBAGE, where + " answered status '" + root.path("status").asString("") + "': "
                    + root.path("errorType").asString("") + " " + root.path("error").asString(""));
        }
        Measurement m = readResult(root.path("data"), timer);
        JsonNode warnings = root.path("warnings");
        if (!m.isError() && warnings.isArray() && !warnings.isEmpty()) {
            List<String> w = new ArrayList<>();
            warnings.values().forEach(n -> w.add(timer.redactor().redact(n.asString(""))));
            m = m.withEvidence(Map.of("warnings", w));
        }
        return m;
    }

    static Measurement readResult(JsonNode data, MeasurementTimer timer) {
        String type = data.path("resultType").asString("");
        JsonNode result = data.path("result");
        switch (type) {
            case "scalar": {
                double v = sampleValue(result);
                if (Double.isNaN(v)) {
                    return timer.error(Kind.NO_DATA, "the query returned NaN (typically 0/0: no traffic in the window)");
                }
                return timer.value(v, OptionalLong.of(1));
            }
            case "string":
                return timer.value(result.path(1).asString(""), OptionalLong.of(1));
            case "vector": {
                if (!result.isArray() || result.isEmpty()) {
                    return timer.error(Kind.NO_DATA, "the query returned no series (an empty vector): is the "
                            + "selector right, and did the version get traffic?");
                }
                List<Double> values = new ArrayList<>();
                for (JsonNode series : result.values()) {
                    double v = sampleValue(series.path("value"));
                    if (Double.isNaN(v)) {
                        return timer.error(Kind.NO_DATA, "series " + labels(series.path("metric"))
                                + " is NaN (typically 0/0: no traffic in the window)");
                    }
                    values.add(v);
                }
                return timer.value(values, OptionalLong.of(values.size()));
            }
            case "matrix": {
                if (!result.isArray() || result.isEmpty()) {
                    return timer.error(Kind.NO_DATA, "the range query returned no series (an empty matrix)");
                }
                List<List<Double>> all = new ArrayList<>();
                long points = 0;
                for (JsonNode series : result.values()) {
                    List<Double> values = new ArrayList<>();
                    for (JsonNode p : series.path("values").values()) {
                        double v = sampleValue(p);
                        if (!Double.isNaN(v)) {
                            values.add(v);
                        }
                    }
                    if (values.isEmpty()) {
                        return timer.error(Kind.NO_DATA, "series " + labels(series.path("metric")) + " has only NaN points in the range");
                    }
                    points += values.size();
                    all.add(values);
                }
                return timer.value(all, OptionalLong.of(points));
            }
            default:
                return timer.error(Kind.GARBAGE, "unknown resultType '" + type + "'");
        }
    }

    /** A {@code [timestamp, "value"]} pair's value. */
    private static double sampleValue(JsonNode pair) {
        JsonNode v = pair.path(1);
        if (v.isMissingNode() || v.isNull()) {
            throw new IllegalStateException("a sample without a value");
        }
        return Json.parseNumber(v.asString());
    }

    private static String labels(JsonNode metric) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : metric.properties()) {
            parts.add(e.getKey() + "=\"" + e.getValue().asString("") + "\"");
        }
        return "{" + String.join(", ", parts) + "}";
    }

    private static String formBody(Map<String, String> form) {
        StringBuilder sb = new StringBuilder();
        form.forEach((k, v) -> {
            if (sb.length() > 0) {
                sb.append('&');
            }
            sb.append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8));
        });
        return sb.toString();
    }

    private static String seconds(Instant t) {
        return String.format(Locale.ROOT, "%.3f", t.toEpochMilli() / 1000.0);
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.3f", d.toMillis() / 1000.0);
    }

    static Optional<Duration> parseStep(Object raw) {
        if (raw instanceof Number n) {
            return n.doubleValue() > 0 ? Optional.of(Duration.ofMillis((long) (n.doubleValue() * 1000))) : Optional.empty();
        }
        return raw == null ? Optional.empty() : ArgoDuration.tryParse(raw).filter(d -> !d.isZero() && !d.isNegative());
    }

    /**
     * Range bounds as Argo users write them: {@code now()}, {@code now() - duration("10m")}, a relative {@code -10m},
     * an RFC 3339 time, or Unix seconds.
     */
    static Optional<Instant> parseTime(String text, Instant now) {
        String t = text.trim();
        if (t.equals("now()") || t.equals("now")) {
            return Optional.of(now);
        }
        Matcher m = NOW_MINUS.matcher(t);
        if (m.matches()) {
            return ArgoDuration.tryParse(m.group(1)).map(now::minus);
        }
        if (t.startsWith("-")) {
            return ArgoDuration.tryParse(t.substring(1)).map(now::minus);
        }
        if (t.matches("\\d{9,11}(\\.\\d+)?")) {
            return Optional.of(Instant.ofEpochMilli((long) (Double.parseDouble(t) * 1000)));
        }
        try {
            return Optional.of(java.time.OffsetDateTime.parse(t).toInstant());
        } catch (java.time.format.DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
