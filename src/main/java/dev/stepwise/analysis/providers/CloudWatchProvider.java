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
import dev.stepwise.analysis.SecretRef;
import dev.stepwise.analysis.http.BoundedHttp;
import dev.stepwise.analysis.http.HttpOutcome;
import dev.stepwise.spec.model.ArgoDuration;
import dev.stepwise.spec.model.Args;
import dev.stepwise.spec.model.ProviderSpec;
import java.net.URI;
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
import java.util.Set;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;
import tools.jackson.databind.JsonNode;

/**
 * Amazon CloudWatch {@code GetMetricData}, with Argo's fields: {@code interval} (how far back, default 5m) and
 * {@code metricDataQueries} (Argo's camelCase form of the API's MetricDataQuery: {@code id}, {@code expression},
 * {@code label}, {@code metricStat: {metric: {namespace, metricName, dimensions: [{name, value}]}, period, stat, unit}},
 * {@code period}, {@code returnData}). Sent with the AWS JSON 1.0 protocol and signed with Signature Version 4 by the
 * AWS SDK's signer. The result, as in Argo, is the list of MetricDataResults ({@code Id}, {@code Label},
 * {@code StatusCode}, {@code Timestamps}, {@code Values}), so conditions read {@code result[0].Values}.
 *
 * <p>Credentials: {@code accessKeyId}, {@code secretAccessKey}, {@code sessionToken} and {@code region} in Stepwise's
 * provider configuration, or {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, {@code AWS_SESSION_TOKEN},
 * {@code AWS_REGION} (or {@code AWS_DEFAULT_REGION}).
 */
public final class CloudWatchProvider extends HttpProvider {

    public static final String TYPE = "cloudWatch";
    private static final AwsV4HttpSigner SIGNER = AwsV4HttpSigner.create();
    private static final Set<String> UNSENDABLE = Set.of("host", "content-length", "connection", "expect", "upgrade");

    public CloudWatchProvider(ProviderSettings settings, Clock clock) {
        super(settings, clock);
    }

    @Override
    public String type() {
        return TYPE;
    }

    private ProviderSettings.Endpoint endpoint() {
        return settings.endpoint(TYPE, null);
    }

    private Optional<String> region(ProviderSettings.Endpoint e) {
        SecretRef ref = e.credential("region").orElse(SecretRef.env(settings.environment().containsKey("AWS_REGION") ? "AWS_REGION" : "AWS_DEFAULT_REGION"));
        SecretRef.Resolved r = ref.resolve(settings.environment());
        return r.isOk() ? Optional.of(r.value()) : Optional.empty();
    }

    private String address(ProviderSettings.Endpoint e) {
        return e.address().orElseGet(() -> "https://monitoring." + region(e).orElse("us-east-1") + ".amazonaws.com");
    }

    private SecretRef credential(ProviderSettings.Endpoint e, String name, String env) {
        return e.credential(name).orElse(SecretRef.env(env));
    }

    @Override
    public List<ConfigProblem> check(ProviderSpec spec, MeasureArgs args) {
        List<ConfigProblem> problems = new ArrayList<>();
        ProviderConfig c = new ProviderConfig(spec.config());
        List<?> queries = c.list("metricDataQueries");
        if (queries.isEmpty()) {
            problems.add(new ConfigProblem(c.pointer("metricDataQueries"), "analysis.provider.missing", "metricDataQueries needs at least one query"));
        }
        for (int i = 0; i < queries.size(); i++) {
            if (!(queries.get(i) instanceof Map<?, ?> q) || q.get("id") == null || (q.get("expression") == null && q.get("metricStat") == null)) {
                problems.add(new ConfigProblem("/metricDataQueries/" + i, "analysis.provider.cloudwatch-query",
                        "each query needs an id and either expression or metricStat"));
            }
        }
        if (c.has("interval") && ArgoDuration.tryParse(spec.config().get("interval")).isEmpty()) {
            problems.add(new ConfigProblem(c.pointer("interval"), "analysis.provider.duration", "interval must be a duration such as 5m"));
        }
        ProviderSettings.Endpoint e = endpoint();
        if (region(e).isEmpty()) {
            problems.add(new ConfigProblem("", "analysis.provider.credentials", "no AWS region: set AWS_REGION or credentials.region"));
        }
        for (String[] cred : new String[][] {{"accessKeyId", "AWS_ACCESS_KEY_ID"}, {"secretAccessKey", "AWS_SECRET_ACCESS_KEY"}}) {
            SecretRef.Resolved r = credential(e, cred[0], cred[1]).resolve(settings.environment());
            if (!r.isOk()) {
                problems.add(new ConfigProblem("", "analysis.provider.credentials", "AWS credentials: " + r.problem()));
            }
        }
        httpUrl(address(e), "", problems);
        return problems;
    }

    @Override
    protected Measurement measure(ProviderSpec spec, MeasureArgs args, MeasurementTimer timer) {
        List<ConfigProblem> problems = check(spec, args);
        if (!problems.isEmpty()) {
            return misconfigured(timer, problems);
        }
        ProviderConfig c = new ProviderConfig(spec.config());
        ProviderSettings.Endpoint e = endpoint();
        String region = region(e).orElseThrow();
        String accessKey = credential(e, "accessKeyId", "AWS_ACCESS_KEY_ID").resolve(settings.environment()).value();
        String secretKey = credential(e, "secretAccessKey", "AWS_SECRET_ACCESS_KEY").resolve(settings.environment()).value();
        SecretRef.Resolved token = credential(e, "sessionToken", "AWS_SESSION_TOKEN").resolve(settings.environment());
        timer.addSecrets(token.isOk() ? List.of(secretKey, token.value()) : List.of(secretKey));
        Duration interval = c.string("interval").flatMap(ArgoDuration::tryParse).orElse(Duration.ofMinutes(5));
        Instant end = clock.instant();
        List<Object> queries = new ArrayList<>();
        for (Object q : c.list("metricDataQueries")) {
            queries.add(pascal(substitute(q, args.values())));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("StartTime", end.minus(interval).getEpochSecond());
        body.put("EndTime", end.getEpochSecond());
        body.put("MetricDataQueries", queries);
        byte[] payload = Json.write(body).getBytes(StandardCharsets.UTF_8);
        timer.query(Json.write(queries));
        URI uri = URI.create(address(e) + "/");
        SdkHttpRequest unsigned = SdkHttpRequest.builder().uri(uri).method(SdkHttpMethod.POST)
                .putHeader("Content-Type", "application/x-amz-json-1.0")
                .putHeader("X-Amz-Target", "GraniteServiceVersion20100801.GetMetricData")
                .build();
        AwsCredentialsIdentity identity = token.isOk() ? AwsSessionCredentialsIdentity.create(accessKey, secretKey, token.value())
                : AwsCredentialsIdentity.create(accessKey, secretKey);
        SignedRequest signed = SIGNER.sign(r -> r.identity(identity).request(unsigned)
                .payload(ContentStreamProvider.fromByteArray(payload))
                .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "monitoring")
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(HttpSigner.SIGNING_CLOCK, clock));
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofByteArray(payload));
        signed.request().headers().forEach((name, values) -> {
            if (!UNSENDABLE.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(v -> b.header(name, v));
            }
        });
        List<String> clientProblems = new ArrayList<>();
        Optional<BoundedHttp> http = http(e, clientProblems);
        if (http.isEmpty()) {
            return timer.error(Kind.MISCONFIGURED, clientProblems.get(0));
        }
        HttpOutcome outcome = http.get().send(b, e.limits().requestTimeout(), e.limits().maxResponseBytes());
        if (outcome instanceof HttpOutcome.Failure f) {
            return timer.error(f.error());
        }
        HttpOutcome.Response r = (HttpOutcome.Response) outcome;
        Optional<JsonNode> json = Json.parse(r.body());
        if (!r.isSuccess()) {
            // AWS JSON errors: {"__type": "...#ThrottlingException", "message": "..."}; throttling also comes as HTTP 400
            String type = json.map(j -> j.path("__type").asString("")).orElse("");
            String message = json.map(j -> j.path("message").asString(j.path("Message").asString(""))).orElse(r.snippet(200));
            String shortType = type.contains("#") ? type.substring(type.indexOf('#') + 1) : type;
            if (shortType.contains("Throttl") || r.status() == 429) {
                return timer.error(new MeasurementError(Kind.RATE_LIMITED, "CloudWatch is throttling us: " + message,
                        http.get().retryAfter(r)));
            }
            return timer.error(http.get().statusError(r, "CloudWatch GetMetricData", (shortType.isEmpty() ? "" : shortType + ": ") + message));
        }
        if (json.isEmpty()) {
            return timer.error(Kind.GARBAGE, "CloudWatch did not answer JSON: " + r.snippet(120));
        }
        JsonNode results = json.get().path("MetricDataResults");
        if (!results.isArray() || results.isEmpty()) {
            return timer.error(Kind.NO_DATA, "CloudWatch returned no MetricDataResults");
        }
        List<Object> out = new ArrayList<>();
        long points = 0;
        for (JsonNode res : results.values()) {
            Object plain = Json.toPlain(res);
            out.add(plain);
            points += res.path("Values").size();
        }
        if (points == 0) {
            return timer.error(Kind.NO_DATA, "CloudWatch returned no data points in the last " + ArgoDuration.format(interval));
        }
        return timer.value(out, OptionalLong.of(points));
    }

    /** Argo's camelCase keys as the API's PascalCase ({@code metricStat} → {@code MetricStat}). */
    static Object pascal(Object node) {
        if (node instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> {
                String key = String.valueOf(k);
                out.put(key.isEmpty() ? key : Character.toUpperCase(key.charAt(0)) + key.substring(1), pascal(v));
            });
            return out;
        }
        if (node instanceof List<?> l) {
            return l.stream().map(CloudWatchProvider::pascal).toList();
        }
        if (node instanceof Long || node instanceof Integer) {
            return node;
        }
        return node;
    }

    private static Object substitute(Object node, Map<String, String> args) {
        if (node instanceof String s) {
            return Args.substitute(s, args);
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
