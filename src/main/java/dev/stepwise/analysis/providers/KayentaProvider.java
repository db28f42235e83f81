package dev.stepwise.analysis.providers;

import dev.stepwise.analysis.ConfigProblem;
import dev.stepwise.analysis.Json;
import dev.stepwise.analysis.MeasureArgs;
import dev.stepwise.analysis.Measurement;
import dev.stepwise.analysis.MeasurementError.Kind;
import dev.stepwise.analysis.MeasurementTimer;
import dev.stepwise.analysis.Pacer;
import dev.stepwise.analysis.Phase;
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
 * Kayenta, for teams that already run it: starts a canary analysis with Argo's fields ({@code address},
 * {@code application}, {@code canaryConfigName}, {@code metricsAccountName}, {@code configurationAccountName},
 * {@code storageAccountName}, {@code thresholds: {pass, marginal}}, {@code scopes: [{name, controlScope,
 * experimentScope}]}) with {@code POST /canary/{canaryConfigName}}, then polls {@code GET /canary/{id}} until it is
 * complete. The value is the score; the provider phase is Successful at or above {@code pass}, Inconclusive at or
 * above {@code marginal}, Failed below, as in Argo. Polling waits {@code pollInterval} (default 10s, a Stepwise
 * extension) between requests for at most {@code timeout} (default 15m).
 */
public final class KayentaProvider extends HttpProvider {

    public static final String TYPE = "kayenta";

    private final Pacer pacer;

    public KayentaProvider(ProviderSettings settings, Clock clock, Pacer pacer) {
        super(settings, clock);
        this.pacer = pacer;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<ConfigProblem> check(ProviderSpec spec, MeasureArgs args) {
        List<ConfigProblem> problems = new ArrayList<>();
        ProviderConfig c = new ProviderConfig(spec.config());
        requireUrl(c, "address", "the Kayenta address", problems);
        for (String f : List.of("application", "canaryConfigName", "metricsAccountName", "configurationAccountName", "storageAccountName")) {
            c.require(f, problems, f);
        }
        Optional<ProviderConfig> t = c.map("thresholds");
        if (t.isEmpty()) {
            problems.add(new ConfigProblem(c.pointer("thresholds"), "analysis.provider.missing", "thresholds (pass, marginal) are required"));
        } else {
            t.get().number("pass", problems);
            t.get().number("marginal", problems);
        }
        if (c.list("scopes").isEmpty()) {
            problems.add(new ConfigProblem(c.pointer("scopes"), "analysis.provider.missing", "at least one scope is required"));
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
        QueryTemplate.Rendered address = QueryTemplate.renderUrl(c.string("address").orElseThrow(), args.values());
        if (!address.isOk()) {
            return timer.error(Kind.MISCONFIGURED, address.problem());
        }
        Optional<URI> base = httpUrl(address.text(), "/address", problems);
        if (base.isEmpty()) {
            return misconfigured(timer, problems);
        }
        ProviderSettings.Endpoint e = settings.endpoint(TYPE, address.text());
        RequestHeaders auth = authHeaders(e, timer);
        if (!auth.isOk()) {
            return auth.failure();
        }
        double pass = c.map("thresholds").orElseThrow().number("pass", problems).orElse(95.0);
        double marginal = c.map("thresholds").orElseThrow().number("marginal", problems).orElse(75.0);
        Map<String, Object> scopes = new LinkedHashMap<>();
        for (Object s : c.list("scopes")) {
            if (s instanceof Map<?, ?> scope) {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("controlScope", substitute(scope.get("controlScope"), args));
                one.put("experimentScope", substitute(scope.get("experimentScope"), args));
                scopes.put(String.valueOf(scope.get("name")), one);
            }
        }
        Map<String, Object> body = Map.of("scopes", scopes, "thresholds", Map.of("pass", pass, "marginal", marginal));
        String query = "/canary/" + enc(c.string("canaryConfigName").orElseThrow())
                + "?application=" + enc(c.string("application").orElseThrow())
                + "&metricsAccountName=" + enc(c.string("metricsAccountName").orElseThrow())
                + "&configurationAccountName=" + enc(c.string("configurationAccountName").orElseThrow())
                + "&storageAccountName=" + enc(c.string("storageAccountName").orElseThrow());
        timer.query("POST " + query + " " + Json.write(body));
        List<String> clientProblems = new ArrayList<>();
        Optional<BoundedHttp> http = http(e, clientProblems);
        if (http.isEmpty()) {
            return timer.error(Kind.MISCONFIGURED, clientProblems.get(0));
        }
        HttpRequest.Builder start = HttpRequest.newBuilder(join(base.get(), query)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body)));
        addHeaders(start, auth.values());
        HttpOutcome outcome = http.get().send(start, e.limits().requestTimeout(), e.limits().maxResponseBytes());
        if (outcome instanceof HttpOutcome.Failure f) {
            return timer.error(f.error());
        }
        HttpOutcome.Response r = (HttpOutcome.Response) outcome;
        if (!r.isSuccess()) {
            return timer.error(http.get().statusError(r, "Kayenta POST /canary", kayentaMessage(r)));
        }
        String id = Json.parse(r.body()).map(j -> j.path("canaryExecutionId").asString("")).orElse("");
        if (id.isEmpty()) {
            return timer.error(Kind.GARBAGE, "Kayenta did not answer a canaryExecutionId: " + r.snippet(120));
        }
        Duration every = c.string("pollInterval").flatMap(dev.stepwise.spec.model.ArgoDuration::tryParse).orElse(Duration.ofSeconds(10));
        Duration timeout = c.string("timeout").flatMap(dev.stepwise.spec.model.ArgoDuration::tryParse).orElse(Duration.ofMinutes(15));
        Instant deadline = clock.instant().plus(timeout);
        URI poll = join(base.get(), "/canary/" + enc(id));
        while (true) {
            HttpRequest.Builder get = HttpRequest.newBuilder(poll).GET().header("Accept", "application/json");
            addHeaders(get, auth.values());
            HttpOutcome p = http.get().send(get, e.limits().requestTimeout(), e.limits().maxResponseBytes());
            if (p instanceof HttpOutcome.Failure f) {
                return timer.error(f.error());
            }
            HttpOutcome.Response pr = (HttpOutcome.Response) p;
            if (!pr.isSuccess()) {
                return timer.error(http.get().statusError(pr, "Kayenta GET /canary/" + id, kayentaMessage(pr)));
            }
            Optional<JsonNode> json = Json.parse(pr.body());
            if (json.isEmpty()) {
                return timer.error(Kind.GARBAGE, "Kayenta did not answer JSON: " + pr.snippet(120));
            }
            if (json.get().path("complete").asBoolean(false)) {
                return result(json.get(), id, pass, marginal, timer);
            }
            if (!clock.instant().plus(every).isBefore(deadline)) {
                return timer.error(Kind.TIMEOUT, "Kayenta analysis " + id + " did not complete within " + timeout.toMinutes() + "m");
            }
            if (!pacer.pause(every)) {
                return timer.error(Kind.TIMEOUT, "interrupted while waiting for Kayenta analysis " + id);
            }
        }
    }

    private static Measurement result(JsonNode root, String id, double pass, double marginal, MeasurementTimer timer) {
        String status = root.path("status").asString("");
        JsonNode score = root.path("result").path("judgeResult").path("score").path("score");
        if (!score.isNumber()) {
            String why = root.path("exception").path("details").path("error").asString(status);
            return timer.error(Kind.GARBAGE, "Kayenta analysis " + id + " completed without a score (" + why + ")");
        }
        double s = score.asDouble();
        Phase phase = s >= pass ? Phase.SUCCESSFUL : s >= marginal ? Phase.INCONCLUSIVE : Phase.FAILED;
        return timer.value(s, OptionalLong.empty()).withProviderPhase(phase)
                .withEvidence(Map.of("canaryExecutionId", id, "classification",
                        root.path("result").path("judgeResult").path("score").path("classification").asString("")));
    }

    private static String kayentaMessage(HttpOutcome.Response r) {
        return Json.parse(r.body()).map(j -> j.path("message").asString(r.snippet(200))).orElse(r.snippet(200));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static Object substitute(Object node, MeasureArgs args) {
        if (node instanceof String s) {
            QueryTemplate.Rendered r = QueryTemplate.render(s, args.values(), QueryLanguage.PLAIN);
            return r.isOk() ? r.text() : s;
        }
        if (node instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), substitute(v, args)));
            return out;
        }
        if (node instanceof List<?> l) {
            return l.stream().map(v -> substitute(v, args)).toList();
        }
        return node;
    }
}
