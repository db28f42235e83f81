package dev.stepwise.spec.model;

import java.util.List;
import java.util.Optional;

/**
 * An {@code AnalysisTemplate} ({@code clusterScope} false, in {@code namespace}) or {@code ClusterAnalysisTemplate}
 * ({@code clusterScope} true, namespace empty): the arguments it declares and its metrics. Templates Stepwise builds
 * from a Flagger Canary's metrics have the Canary's file and namespace.
 */
public record AnalysisTemplateSpec(String namespace, String name, boolean clusterScope, String file, List<Arg> args,
                                   List<MetricSpec> metrics) {

    public AnalysisTemplateSpec {
        args = List.copyOf(args);
        metrics = List.copyOf(metrics);
    }

    /** {@code namespace/name}, or just the name for a cluster template. */
    public String qualifiedName() {
        return clusterScope ? name : namespace + "/" + name;
    }

    public Optional<Arg> arg(String argName) {
        return args.stream().filter(a -> a.name().equals(argName)).findFirst();
    }

    /** Arguments with neither value nor valueFrom: a rollout using this template must pass them. */
    public List<Arg> requiredArgs() {
        return args.stream().filter(Arg::isRequired).toList();
    }

    public Optional<MetricSpec> metric(String metricName) {
        return metrics.stream().filter(m -> m.name().equals(metricName)).findFirst();
    }
}
