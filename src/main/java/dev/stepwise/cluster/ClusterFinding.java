package dev.stepwise.cluster;

/**
 * Something the cluster side saw that a person may want to know: a hand edit of a managed object ({@code Drift},
 * corrected right after), a weight that did not read back ({@code WeightNotVerified}), an object a rollout needs that
 * does not exist ({@code MissingObject}), a service switch held back until its version has pods
 * ({@code ServiceSwitchDeferred}), a scale-down held back while a Service selects the version
 * ({@code ScaleDownDeferred}), a router, route or experiment Stepwise cannot drive ({@code UnsupportedRouter},
 * {@code UnsupportedRoute}, {@code UnsupportedExperiment}), and a written weight the routers still do not serve after
 * the verify timeout ({@code traffic.not-verified}, {@link ClusterTarget#NOT_VERIFIED}). {@code object} is
 * {@code Kind/namespace/name}.
 */
public record ClusterFinding(String code, String object, String message) {
    @Override
    public String toString() {
        return code + " " + object + ": " + message;
    }
}
