package dev.stepwise.analysis.providers;

import dev.stepwise.analysis.ConfigProblem;
import dev.stepwise.analysis.Json;
import dev.stepwise.analysis.MeasureArgs;
import dev.stepwise.analysis.Measurement;
import dev.stepwise.analysis.MeasurementError.Kind;
import dev.stepwise.analysis.MeasurementTimer;
import dev.stepwise.analysis.Phase;
import dev.stepwise.analysis.ProviderConfig;
import dev.stepwise.analysis.ProviderSettings;
import dev.stepwise.analysis.http.BoundedHttp;
import dev.stepwise.analysis.http.HttpOutcome;
import dev.stepwise.spec.model.ArgoDuration;
import dev.stepwise.spec.model.ProviderSpec;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A Flagger Canary's {@code pre-rollout} and {@code rollout} webhooks, each a check: Stepwise POSTs Flagger's payload
 * ({@code {"name", "namespace", "phase", "checksum", "metadata"}}, JSON) to the hook's URL, and the check passes when
 * the hook answers 200–202, as in Flagger (a load tester, a smoke test, an acceptance gate behind it). Any other status
 * fails the check; no answer within {@code timeout} (default 10s, Flagger's) is an error. The value is the status
 * code. Webhook URLs may carry a token in the query: only host and path ever appear in a message.
 */
public final class FlaggerWebhookProvider extends HttpProvider {

    public static final String TYPE = ProviderSpec.FLAGGER_WEBHOOK;
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    public FlaggerWebhookProvider(ProviderSettings settings, Clock clock) {
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
        requireUrl(c, "url", "the webhook URL", problems);
        c.string("timeout").ifPresent(t -> {
            if (ArgoDuration.tryParse(t).isEmpty()) {
                problems.add(new ConfigProblem(c.pointer("timeout"), "analysis.provider.duration", "'" + t + "' is not a duration like 30s"));
            }
        });
        return problems;
    }

    @Override
    protected Measurement measure(ProviderSpec spec, MeasureArgs args, MeasurementTimer timer) {
        List<ConfigProblem> problems = new ArrayList<>();
        ProviderConfig c = new ProviderConfig(spec.config());
        Optional<URI> uri = httpUrl(c.string("url").orElse(""), "/url", problems);
        if (uri.isEmpty()) {
            return timer.error(Kind.MISCONFIGURED, problems.get(0).message().replace(c.string("url").orElse(""), "the webhook URL"));
        }
        String where = BoundedHttp.where(uri.get());
        timer.query("POST " + where);
        ProviderSettings.Endpoint endpoint = settings.endpoint(TYPE, uri.get().toString());
        RequestHeaders headers = authHeaders(endpoint, timer);
        if (!headers.isOk()) {
            return headers.failure();
        }
        List<String> clientProblems = new ArrayList<>();
        Optional<BoundedHttp> http = http(endpoint, clientProblems);
        if (http.isEmpty()) {
            return timer.error(Kind.MISCONFIGURED, clientProblems.get(0));
        }
        Duration timeout = c.string("timeout").flatMap(ArgoDuration::tryParse).orElse(DEFAULT_TIMEOUT);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri.get())
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(payload(spec.config()))))
                .header("Content-Type", "application/json");
        addHeaders(b, headers.values());
        HttpOutcome outcome = http.get().send(b, timeout, endpoint.limits().maxResponseBytes());
        if (outcome instanceof HttpOutcome.Failure f) {
            return timer.error(f.error());
        }
        HttpOutcome.Response r = (HttpOutcome.Response) outcome;
        boolean passed = r.status() >= 200 && r.status() <= 202;
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("webhook", where);
        if (!passed) {
            evidence.put("answer", timer.redactor().redact(r.snippet(200)));
        }
        return timer.value((double) r.status(), OptionalLong.empty())
                .withProviderPhase(passed ? Phase.SUCCESSFUL : Phase.FAILED).withEvidence(evidence);
    }

    /** Flagger's CanaryWebhookPayload for the Canary named in the configuration. */
    static Map<String, Object> payload(Map<String, Object> config) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("name", String.valueOf(config.getOrDefault("canary", "")));
        p.put("namespace", String.valueOf(config.getOrDefault("namespace", "")));
        p.put("phase", String.valueOf(config.getOrDefault("phase", "Progressing")));
        p.put("checksum", String.valueOf(config.getOrDefault("checksum", "")));
        if (config.get("metadata") instanceof Map<?, ?> m && !m.isEmpty()) {
            p.put("metadata", m);
        }
        return p;
    }
}
