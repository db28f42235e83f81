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
import dev.stepwise.analysis.SecretRef;
import dev.stepwise.analysis.http.BoundedHttp;
import dev.stepwise.analysis.http.HttpOutcome;
import dev.stepwise.spec.model.ProviderSpec;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import tools.jackson.databind.JsonNode;

/**
 * New Relic: an NRQL {@code query} run through NerdGraph (GraphQL, {@code POST /graphql} with the {@code API-Key}
 * header). The NRQL is passed as a GraphQL variable, never spliced into the GraphQL document; arguments inside NRQL
 * string literals are NRQL-escaped. As in Argo, a single result row is the result (a map, so conditions read
 * {@code result.successRate}); several rows are a list of maps. {@code profile} selects the entry of Stepwise's
 * provider configuration whose {@code match} equals it. Credentials: {@code apiKey} and {@code accountId} there, or
 * {@code NEW_RELIC_API_KEY} and {@code NEW_RELIC_ACCOUNT_ID}; {@code NEW_RELIC_REGION=EU} selects the EU endpoint.
 */
public final class NewRelicProvider extends HttpProvider {

    public static final String TYPE = "newRelic";
    private static final String GRAPHQL = "query($accountId: Int!, $nrql: Nrql!) { actor { account(id: $accountId) "
            + "{ nrql(query: $nrql) { results } } } }";

    public NewRelicProvider(ProviderSettings settings, Clock clock) {
        super(settings, clock);
    }

    @Override
    public String type() {
        return TYPE;
    }

    private ProviderSettings.Endpoint endpoint(ProviderSpec spec) {
        return settings.endpoint(TYPE, new ProviderConfig(spec.config()).string("profile").orElse(null));
    }

    private String address(ProviderSettings.Endpoint e) {
        return e.address().orElseGet(() -> "EU".equalsIgnoreCase(settings.environment().getOrDefault("NEW_RELIC_REGION", ""))
                ? "https://api.eu.newrelic.com/graphql" : "https://api.newrelic.com/graphql");
    }

    private SecretRef apiKey(ProviderSettings.Endpoint e) {
        return e.credential("apiKey").orElse(SecretRef.env("NEW_RELIC_API_KEY"));
    }

    private SecretRef accountId(ProviderSettings.Endpoint e) {
        return e.credential("accountId").orElse(SecretRef.env("NEW_RELIC_ACCOUNT_ID"));
    }

    @Override
    public List<ConfigProblem> check(ProviderSpec spec, MeasureArgs args) {
        List<ConfigProblem> problems = new ArrayList<>();
        ProviderConfig c = new ProviderConfig(spec.config());
        c.require("query", problems, "the NRQL query");
        ProviderSettings.Endpoint e = endpoint(spec);
        httpUrl(address(e), "", problems);
        SecretRef.Resolved key = apiKey(e).resolve(settings.environment());
        if (!key.isOk()) {
            problems.add(new ConfigProblem("", "analysis.provider.credentials", "New Relic API key: " + key.problem()));
        }
        SecretRef.Resolved account = accountId(e).resolve(settings.environment());
        if (!account.isOk()) {
            problems.add(new ConfigProblem("", "analysis.provider.credentials", "New Relic account id: " + account.problem()));
        } else if (!account.value().matches("\\d{1,12}")) {
            problems.add(new ConfigProblem("", "analysis.provider.credentials", "the New Relic account id must be a number"));
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
        RenderedQuery nrql = renderQuery(c, args, QueryLanguage.NRQL, timer);
        if (!nrql.isOk()) {
            return nrql.failure();
        }
        ProviderSettings.Endpoint e = endpoint(spec);
        String key = apiKey(e).resolve(settings.environment()).value();
        long account = Long.parseLong(accountId(e).resolve(settings.environment()).value());
        timer.addSecrets(List.of(key));
        List<String> clientProblems = new ArrayList<>();
        Optional<BoundedHttp> http = http(e, clientProblems);
        if (http.isEmpty()) {
            return timer.error(Kind.MISCONFIGURED, clientProblems.get(0));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("query", GRAPHQL);
        body.put("variables", Map.of("accountId", account, "nrql", nrql.text()));
        URI uri = URI.create(address(e));
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .header("API-Key", key).POST(HttpRequest.BodyPublishers.ofString(Json.write(body)));
        HttpOutcome outcome = http.get().send(b, e.limits().requestTimeout(), e.limits().maxResponseBytes());
        if (outcome instanceof HttpOutcome.Failure f) {
            return timer.error(f.error());
        }
        HttpOutcome.Response r = (HttpOutcome.Response) outcome;
        Optional<JsonNode> json = Json.parse(r.body());
        if (!r.isSuccess()) {
            return timer.error(http.get().statusError(r, "New Relic NerdGraph", json.map(NewRelicProvider::errors).orElse(r.snippet(200))));
        }
        if (json.isEmpty()) {
            return timer.error(Kind.GARBAGE, "NerdGraph did not answer JSON: " + r.snippet(120));
        }
        JsonNode root = json.get();
        if (root.path("errors").isArray() && !root.path("errors").isEmpty()) {
            // GraphQL reports failures with HTTP 200 and an errors array (NRQL syntax errors, rate limits, bad keys)
            boolean limited = root.path("errors").values().stream()
                    .anyMatch(n -> n.path("extensions").path("errorClass").asString("").contains("TOO_MANY_REQUESTS"));
            return timer.error(MeasurementError.of(limited ? Kind.RATE_LIMITED : Kind.HTTP_STATUS,
                    "NerdGraph answered with an error: " + errors(root)));
        }
        JsonNode results = root.path("data").path("actor").path("account").path("nrql").path("results");
        if (!results.isArray() || results.isEmpty()) {
            return timer.error(Kind.NO_DATA, "the NRQL query returned no rows");
        }
        List<Object> rows = new ArrayList<>();
        for (JsonNode row : results.values()) {
            Object plain = Json.toPlain(row);
            if (plain instanceof Map<?, ?> m && m.values().stream().allMatch(v -> v == null)) {
                return timer.error(Kind.NO_DATA, "the NRQL query returned a row of nulls (no matching events)");
            }
            rows.add(plain);
        }
        return timer.value(rows.size() == 1 ? rows.get(0) : rows, OptionalLong.of(rows.size()));
    }

    private static String errors(JsonNode root) {
        List<String> out = new ArrayList<>();
        root.path("errors").values().forEach(n -> out.add(n.path("message").asString(n.asString(""))));
        return String.join("; ", out);
    }
}
