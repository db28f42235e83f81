package dev.stepwise.analysis.providers;

import dev.stepwise.analysis.ConfigProblem;
import dev.stepwise.analysis.MeasureArgs;
import dev.stepwise.analysis.Measurement;
import dev.stepwise.analysis.MeasurementError;
import dev.stepwise.analysis.MeasurementTimer;
import dev.stepwise.analysis.MetricProvider;
import dev.stepwise.analysis.ProviderAuth;
import dev.stepwise.analysis.ProviderConfig;
import dev.stepwise.analysis.ProviderSettings;
import dev.stepwise.analysis.QueryLanguage;
import dev.stepwise.analysis.QueryTemplate;
import dev.stepwise.analysis.http.BoundedHttp;
import dev.stepwise.analysis.http.HttpLimits;
import dev.stepwise.analysis.http.Tls;
import dev.stepwise.spec.model.ProviderSpec;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;

/**
 * What the HTTP providers share: their settings, a clock, one {@link BoundedHttp} per trust configuration (so
 * connections to a provider are reused across measurements), auth header resolution, and the guarantee that nothing
 * escapes {@link #measure}: a bug in reading an answer is an error measurement, not an exception in the engine.
 */
public abstract class HttpProvider implements MetricProvider {

    protected final ProviderSettings settings;
    protected final Clock clock;
    private final Map<String, BoundedHttp> clients = new ConcurrentHashMap<>();

    protected HttpProvider(ProviderSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public final Measurement measure(ProviderSpec spec, MeasureArgs args) {
        MeasurementTimer timer = MeasurementTimer.start(clock, args.redactor());
        try {
            return measure(spec, args, timer);
        } catch (RuntimeException e) {
            return timer.error(MeasurementError.Kind.GARBAGE, "could not read the " + type() + " answer ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    protected abstract Measurement measure(ProviderSpec spec, MeasureArgs args, MeasurementTimer timer);

    /** The client for an endpoint; endpoints with their own CA file get their own client. */
    protected Optional<BoundedHttp> http(ProviderSettings.Endpoint endpoint, List<String> problems) {
        String key = endpoint.caFile().orElse("") + "|" + endpoint.limits().connectTimeout().toMillis();
        BoundedHttp existing = clients.get(key);
        if (existing != null) {
            return Optional.of(existing);
        }
        Optional<SSLContext> ssl = Optional.empty();
        if (endpoint.caFile().isPresent()) {
            try {
                ssl = Optional.of(Tls.trusting(Path.of(endpoint.caFile().get())));
            } catch (Exception e) {
                problems.add("the CA file " + endpoint.caFile().get() + " cannot be used (" + e.getClass().getSimpleName() + ")");
                return Optional.empty();
            }
        }
        HttpLimits limits = endpoint.limits();
        Optional<SSLContext> context = ssl;
        return Optional.of(clients.computeIfAbsent(key, k -> new BoundedHttp(limits, context, clock)));
    }

    /** Resolved auth headers for an endpoint, adding their secret values to the redactor. */
    protected static ProviderAuth.Headers auth(ProviderSettings.Endpoint endpoint, ProviderSettings settings) {
        return endpoint.auth().resolve(settings.environment());
    }

    /** Headers to send with a request, or the measurement that says why they cannot be sent. */
    protected record RequestHeaders(Map<String, String> values, Measurement failure) {

        static RequestHeaders failed(Measurement failure) {
            return new RequestHeaders(Map.of(), failure);
        }

        boolean isOk() {
            return failure == null;
        }
    }

    /**
     * The endpoint's auth headers from Stepwise's provider configuration (never from the template), their secret
     * values handed to the timer's redactor before anything can be logged or reported.
     */
    protected RequestHeaders authHeaders(ProviderSettings.Endpoint endpoint, MeasurementTimer timer) {
        ProviderAuth.Headers auth = endpoint.auth().resolve(settings.environment());
        if (!auth.isOk()) {
            return RequestHeaders.failed(timer.error(MeasurementError.Kind.MISCONFIGURED, auth.problem()));
        }
        timer.addSecrets(auth.secrets());
        return new RequestHeaders(new LinkedHashMap<>(auth.values()), null);
    }

    /** {@link #authHeaders} plus the block's own {@code headers}, whose values may use arguments. */
    protected RequestHeaders authAndTemplateHeaders(ProviderSettings.Endpoint endpoint, ProviderConfig c, MeasureArgs args,
                                                    MeasurementTimer timer) {
        RequestHeaders headers = authHeaders(endpoint, timer);
        if (!headers.isOk()) {
            return headers;
        }
        for (Map.Entry<String, String> h : c.headerList("headers").entrySet()) {
            QueryTemplate.Rendered v = QueryTemplate.render(h.getValue(), args.values(), QueryLanguage.PLAIN);
            if (!v.isOk()) {
                return RequestHeaders.failed(timer.error(MeasurementError.Kind.MISCONFIGURED, "header " + h.getKey() + ": " + v.problem()));
            }
            headers.values().put(h.getKey(), v.text());
        }
        return headers;
    }

    /** The block's {@code query} with its arguments filled in for {@code language}, or the measurement that says why not. */
    protected record RenderedQuery(String text, Measurement failure) {
        boolean isOk() {
            return failure == null;
        }
    }

    /**
     * Renders the block's {@code query} for {@code language} and records the query sent on the timer; a query whose
     * arguments cannot be filled in is a misconfigured measurement that names the query as written.
     */
    protected static RenderedQuery renderQuery(ProviderConfig c, MeasureArgs args, QueryLanguage language,
                                               MeasurementTimer timer) {
        QueryTemplate.Rendered q = QueryTemplate.render(c.string("query").orElseThrow(), args.values(), language);
        if (!q.isOk()) {
            return new RenderedQuery("", timer.query(c.string("query").orElse("")).error(MeasurementError.Kind.MISCONFIGURED, q.problem()));
        }
        timer.query(q.text());
        return new RenderedQuery(q.text(), null);
    }

    /** An address without arguments can be checked before any measurement; a templated one only once rendered. */
    protected static boolean isLiteral(String address) {
        return !address.isEmpty() && !address.contains("{{");
    }

    /** The required URL field {@code key}, checked to be an http(s) URL when it has no arguments. */
    protected static String requireUrl(ProviderConfig c, String key, String what, List<ConfigProblem> problems) {
        String url = c.require(key, problems, what);
        if (isLiteral(url)) {
            httpUrl(url, c.pointer(key), problems);
        }
        return url;
    }

    /** For an address without arguments: a problem at {@code key} if its configured credentials cannot be resolved. */
    protected void checkCredentials(String type, String address, ProviderConfig c, String key, List<ConfigProblem> problems) {
        if (isLiteral(address)) {
            ProviderAuth.Headers h = settings.endpoint(type, address).auth().resolve(settings.environment());
            if (!h.isOk()) {
                problems.add(new ConfigProblem(c.pointer(key), "analysis.provider.credentials", h.problem()));
            }
        }
    }

    protected static void addHeaders(HttpRequest.Builder b, Map<String, String> headers) {
        headers.forEach(b::header);
    }

    /** An http(s) URL, or a problem. */
    protected static Optional<URI> httpUrl(String text, String pointer, List<ConfigProblem> problems) {
        try {
            URI uri = new URI(text.trim());
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https")) || uri.getHost() == null) {
                problems.add(new ConfigProblem(pointer, "analysis.provider.url", "'" + text + "' is not an http(s) URL with a host"));
                return Optional.empty();
            }
            if (uri.getUserInfo() != null) {
                problems.add(new ConfigProblem(pointer, "analysis.provider.url", "the URL has credentials in it; put them in "
                        + "Stepwise's provider configuration (auth.basic), never in a template kept in Git"));
                return Optional.empty();
            }
            return Optional.of(uri);
        } catch (URISyntaxException e) {
            problems.add(new ConfigProblem(pointer, "analysis.provider.url", "'" + text + "' is not a valid URL: " + e.getReason()));
            return Optional.empty();
        }
    }

    /** {@code base} + {@code path}, without doubling or losing the slash between them. */
    protected static URI join(URI base, String path) {
        String b = base.toString();
        if (b.endsWith("/")) {
            b = b.substring(0, b.length() - 1);
        }
        return URI.create(b + path);
    }

    /** Argo's {@code insecure: true} is refused; see {@link Tls} for why and what to do instead. */
    protected static void refuseInsecure(Map<String, Object> config, List<ConfigProblem> problems) {
        Object v = config.get("insecure");
        if (Boolean.TRUE.equals(v) || "true".equals(v)) {
            problems.add(new ConfigProblem("/insecure", "analysis.provider.insecure",
                    "insecure: true (skipping TLS verification) is refused: anyone on the network path could then "
                            + "answer for the provider and pass or fail the rollout; name the provider's CA in "
                            + "Stepwise's provider configuration (caFile) instead"));
        }
    }

    /** The first problem as an error measurement (config problems found at measurement time). */
    protected static Measurement misconfigured(MeasurementTimer timer, List<ConfigProblem> problems) {
        ConfigProblem p = problems.get(0);
        return timer.error(MeasurementError.Kind.MISCONFIGURED, p.message() + (p.pointer().isEmpty() ? "" : " (at " + p.pointer() + ")"));
    }

    @Override
    public void close() {
        clients.values().forEach(BoundedHttp::close);
        clients.clear();
    }
}
