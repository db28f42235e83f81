package dev.stepwise.spec;

import java.util.Optional;

/**
 * The kinds Stepwise reads, by apiVersion and kind as users already write them. Anything else in a spec folder
 * (a Service, a ConfigMap) is reported as ignored.
 */
public enum SpecKind {
    ROLLOUT("argoproj.io/v1alpha1", "Rollout", "rollout"),
    ANALYSIS_TEMPLATE("argoproj.io/v1alpha1", "AnalysisTemplate", "analysistemplate"),
    CLUSTER_ANALYSIS_TEMPLATE("argoproj.io/v1alpha1", "ClusterAnalysisTemplate", "clusteranalysistemplate"),
    CANARY("flagger.app/v1beta1", "Canary", "canary"),
    METRIC_TEMPLATE("flagger.app/v1beta1", "MetricTemplate", "metrictemplate"),
    POLICY("stepwise.dev/v1alpha1", "Policy", "policy"),
    CLUSTER("stepwise.dev/v1alpha1", "Cluster", "cluster");

    private final String apiVersion;
    private final String kind;
    private final String schemaName;

    SpecKind(String apiVersion, String kind, String schemaName) {
        this.apiVersion = apiVersion;
        this.kind = kind;
        this.schemaName = schemaName;
    }

    public String apiVersion() {
        return apiVersion;
    }

    public String kind() {
        return kind;
    }

    /** File name of this kind's JSON Schema under {@code schema/}. */
    public String schemaFile() {
        return schemaName + ".schema.json";
    }

    /** True for the kinds that describe something to roll out (an Argo Rollout or a Flagger Canary). */
    public boolean isRollout() {
        return this == ROLLOUT || this == CANARY;
    }

    public static Optional<SpecKind> of(String apiVersion, String kind) {
        for (SpecKind k : values()) {
            if (k.apiVersion.equals(apiVersion) && k.kind.equals(kind)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    /** A kind we know by name but under another apiVersion (a typo, or a version we do not read). */
    public static Optional<SpecKind> byKindOnly(String kind) {
        for (SpecKind k : values()) {
            if (k.kind.equals(kind)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}
