package dev.stepwise.spec.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A metric's provider: {@code type} is the key under Argo's {@code provider} ({@code prometheus}, {@code web},
 * {@code datadog}, {@code newRelic}, {@code cloudWatch}, {@code graphite}, {@code influxdb}, {@code kayenta},
 * {@code job}, {@code wavefront}, {@code plugin}…) and {@code config} its value as written. Providers parse their own
 * configuration when they run; the model does not second-guess them.
 *
 * <p>Flagger metrics give two more types: {@value #FLAGGER_WEBHOOK} (a rollout or pre-rollout webhook, passing on
 * HTTP 200–202) and, until {@link RepositoryModel} finds the MetricTemplate a {@code templateRef} names,
 * {@value #FLAGGER_TEMPLATE_REF}. Builtin metrics are plain {@code prometheus} queries ({@link FlaggerQueries}).
 */
public record ProviderSpec(String type, Map<String, Object> config) {

    public static final String FLAGGER_WEBHOOK = "flagger-webhook";
    public static final String FLAGGER_TEMPLATE_REF = "flagger-template-ref";
    /**
     * A configuration key Stepwise sets on a Flagger Canary's metrics: the provider's answer is read as Flagger reads
     * it, one number (the last series' value of a vector), and an empty result or NaN is an error ("no values found",
     * which Flagger counts as a failed check). The Canary's thresholdRange conditions ({@code result >= 99}) then
     * compare numbers.
     */
    public static final String FLAGGER_VALUE = "flaggerValue";
    /** The Canary's template variables on an unresolved templateRef (see {@link FlaggerQueries.Vars}). */
    public static final String FLAGGER_VARS = "flaggerVars";
    /** Why a MetricTemplate's query could not be rendered for the Canary that uses it (validation reports it). */
    public static final String FLAGGER_QUERY_PROBLEM = "flaggerQueryProblem";

    public ProviderSpec {
        config = Collections.unmodifiableMap(new LinkedHashMap<>(config));
    }

    /** The query a reviewer would want to read, when the provider has one. */
    public java.util.Optional<String> query() {
        Object q = config.get("query");
        return q instanceof String s ? java.util.Optional.of(s) : java.util.Optional.empty();
    }
}
