package dev.stepwise.spec.model;

/**
 * A Flagger {@code MetricTemplate}: a provider ({@code type} prometheus, datadog, cloudwatch, newrelic, graphite,
 * influxdb, dynatrace, stackdriver…, with {@code address}, {@code secretRef} etc. in its config) and a {@code query}
 * (kept in the provider's config under {@code query}), which a Canary's metric names by {@code templateRef}.
 */
public record MetricTemplateSpec(String namespace, String name, String file, ProviderSpec provider) {

    public String qualifiedName() {
        return namespace + "/" + name;
    }
}
