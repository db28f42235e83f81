package dev.stepwise.analysis.providers;

import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.InvalidPathException;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.PathNotFoundException;
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
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import tools.jackson.databind.JsonNode;

/**
 * Argo's {@code web} provider: any HTTP endpoint answering JSON, with {@code jsonPath} ({@code "{$.data.ok}"}, the
 * Kubernetes JSONPath form with braces) selecting the value. {@code method} (GET, POST, PUT), {@code headers},
 * {@code body} (text; arguments JSON-escaped inside quotes) or {@code jsonBody} (a YAML object; arguments substituted
 * in its strings), {@code timeoutSeconds} (default 10). Only 2xx answers are measurements; a missing path is an error.
 * {@code insecure: true} is refused (see {@link dev.stepwise.analysis.http.Tls}).
 */
public final class WebProvider extends HttpProvider {

    public static final String TYPE = "web";
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final Configuration JSON_PATH = Configuration.defaultConfiguration();

    public WebProvider(ProviderSettings settings, Clock clock) {
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
        String url = requireUrl(c, "url", "the URL", problems);
        String method = c.string("method").orElse("GET").toUpperCase(Locale.ROOT);
        if (!List.of("GET", "POST", "PUT").contains(method)) {
            problems.add(new ConfigProblem(c.pointer("method"), "analysis.provider.method", "method must be GET, POST or PUT"));
        }
        if (c.has("body") && c.has("jsonBody")) {
            problems.add(new ConfigProblem(c.pointer("jsonBody"), "analysis.provider.body", "give body or jsonBody, not both"));
        }
        c.number("timeoutSeconds", problems);
        c.string("jsonPath").ifPresent(p -> {
            try {
                JsonPath.compile(jsonPath(p));
            } catch (InvalidPathException | IllegalArgumentException e) {
                problems.add(new ConfigProblem(c.pointer("jsonPath"), "analysis.provider.json-path", "'" + p + "' is not a JSONPath: " + e.getMessage()));
            }
        });
        refuseInsecure(spec.config(), problems);
        checkCredentials(TYPE, url, c, "url", problems);
        return problems;
    }

    /** Argo writes {@code {$.data.ok}}; Kubernetes also allows {@code {.data.ok}}. Jayway wants {@code $.data.ok}. */
    static String jsonPath(String written) {
        String p = written.trim();
        if (p.startsWith("{") && p.endsWith("}")) {
            p = p.substring(1, p.length() - 1).trim();
        }
        return p.startsWith("$") ? p : "$" + (p.startsWith(".") || p.startsWith("[") ? "" : ".") + p;
    }

    @Override
    protected Measurement measure(ProviderSpec spec, MeasureArgs args, MeasurementTimer timer) {
        List<ConfigProblem> problems = check(spec, args);
        if (!problems.isEmpty()) {
            return misconfigured(timer, problems);
        }
        ProviderConfig c = new ProviderConfig(spec.config());
        QueryTemplate.Rendered url = QueryTemplate.renderUrl(c.string("url").orElseThrow(), args.values());
        if (!url.isOk()) {
            return timer.query(c.string("url").orElse("")).error(Kind.MISCONFIGURED, url.problem());
        }
        String method = c.string("method").orElse("GET").toUpperCase(Locale.ROOT);
        timer.query(method + " " + url.text());
        Optional<URI> uri = httpUrl(url.text(), "/url", problems);
        if (uri.isEmpty()) {
            return misconfigured(timer, problems);
        }
        ProviderSettings.Endpoint endpoint = settings.endpoint(TYPE, url.text());
        RequestHeaders requestHeaders = authAndTemplateHeaders(endpoint, c, args, timer);
        if (!requestHeaders.isOk()) {
            return requestHeaders.failure();
        }
        Map<String, String> headers = requestHeaders.values();
        HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.noBody();
        if (c.has("jsonBody")) {
            Object rendered = substituteStrings(spec.config().get("jsonBody"), args.values());
            body = HttpRequest.BodyPublishers.ofString(Json.write(rendered));
            headers.putIfAbsent("Content-Type", "application/json");
        } else if (c.has("body")) {
            QueryTemplate.Rendered b = QueryTemplate.render(c.string("body").orElseThrow(), args.values(), QueryLanguage.JSON);
            if (!b.isOk()) {
                return timer.error(Kind.MISCONFIGURED, "body: " + b.problem());
            }
            body = HttpRequest.BodyPublishers.ofString(b.text());
        }
        List<String> clientProblems = new ArrayList<>();
        Optional<BoundedHttp> http = http(endpoint, clientProblems);
        if (http.isEmpty()) {
            return timer.error(Kind.MISCONFIGURED, clientProblems.get(0));
        }
        Duration timeout = c.number("timeoutSeconds", new ArrayList<>())
                .map(s -> Duration.ofMillis((long) (s * 1000))).orElse(DEFAULT_TIMEOUT);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri.get()).method(method, body).header("Accept", "application/json");
        addHeaders(b, headers);
        HttpOutcome outcome = http.get().send(b, timeout, endpoint.limits().maxResponseBytes());
        if (outcome instanceof HttpOutcome.Failure f) {
            return timer.error(f.error());
        }
        HttpOutcome.Response r = (HttpOutcome.Response) outcome;
        String where = BoundedHttp.where(uri.get());
        if (!r.isSuccess()) {
            return timer.error(http.get().statusError(r, where, r.snippet(200)));
        }
        Optional<JsonNode> json = Json.parse(r.body());
        Optional<String> path = c.string("jsonPath");
        if (path.isEmpty()) {
            // without a path, the whole answer is the result: JSON as data, anything else as text
            Object whole = json.map(Json::toPlain).orElseGet(() -> r.text().strip());
            return whole == null || "".equals(whole) ? timer.error(Kind.NO_DATA, where + " answered with an empty body")
                    : timer.value(whole, OptionalLong.empty());
        }
        if (json.isEmpty()) {
            return timer.error(Kind.GARBAGE, where + " did not answer JSON, so " + path.get() + " cannot select from it: " + r.snippet(120));
        }
        Object selected;
        try {
            selected = JsonPath.using(JSON_PATH).parse(Json.toPlain(json.get())).read(jsonPath(path.get()));
        } catch (PathNotFoundException e) {
            return timer.error(Kind.GARBAGE, "the answer from " + where + " has nothing at " + path.get());
        }
        if (selected == null) {
            return timer.error(Kind.NO_DATA, path.get() + " is null in the answer from " + where);
        }
        if (selected instanceof Double d && d.isNaN()) {
            return timer.error(Kind.NO_DATA, path.get() + " is NaN");
        }
        if (selected instanceof List<?> l && l.isEmpty()) {
            return timer.error(Kind.NO_DATA, path.get() + " selected nothing in the answer from " + where);
        }
        return timer.value(normalize(selected), selected instanceof List<?> l ? OptionalLong.of(l.size()) : OptionalLong.empty());
    }

    /** JSONPath hands back its own number types; conditions want Double like every other provider's numbers. */
    private static Object normalize(Object v) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof List<?> l) {
            return l.stream().map(WebProvider::normalize).toList();
        }
        return v;
    }

    private static Object substituteStrings(Object node, Map<String, String> args) {
        if (node instanceof String s) {
            return dev.stepwise.spec.model.Args.substitute(s, args);
        }
        if (node instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), substituteStrings(v, args)));
            return out;
        }
        if (node instanceof List<?> l) {
            return l.stream().map(v -> substituteStrings(v, args)).toList();
        }
        return node;
    }
}
