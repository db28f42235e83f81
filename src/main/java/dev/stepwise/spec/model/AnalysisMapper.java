package dev.stepwise.spec.model;

import dev.stepwise.spec.SpecDocument;
import dev.stepwise.spec.SpecKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Maps AnalysisTemplate and ClusterAnalysisTemplate documents, and the analysis references rollouts make. */
final class AnalysisMapper {

    private AnalysisMapper() {
    }

    static ModelResult<AnalysisTemplateSpec> template(SpecDocument doc) {
        Mapping m = new Mapping(doc);
        boolean cluster = doc.kind().orElse(null) == SpecKind.CLUSTER_ANALYSIS_TEMPLATE;
        Node spec = m.root().get("spec");
        if (!spec.isMap()) {
            m.error("", "model.no-spec", doc.describe() + " has no spec: an analysis template needs spec.metrics");
            return ModelResult.failed(m.findings());
        }
        if (doc.name().isEmpty()) {
            m.error("/metadata", "model.no-name", doc.kindName() + " has no metadata.name: rollouts name templates by it");
            return ModelResult.failed(m.findings());
        }
        List<Arg> args = new ArrayList<>();
        for (Node a : spec.get("args").items()) {
            args(a, m).ifPresent(args::add);
        }
        List<String> dryRun = dryRunPatterns(spec.get("dryRun"));
        Map<String, Integer> retention = new HashMap<>();
        for (Node r : spec.get("measurementRetention").items()) {
            Optional<String> metric = r.get("metricName").text();
            r.get("limit").optInt().ifPresent(limit -> metric.ifPresent(name -> retention.put(name, limit)));
        }
        List<MetricSpec> metrics = new ArrayList<>();
        for (Node metric : spec.get("metrics").items()) {
            metric(metric, dryRun, retention, m).ifPresent(metrics::add);
        }
        if (metrics.isEmpty() && !m.hasErrors()) {
            m.warning("/spec/metrics", "model.no-metrics", doc.describe() + " has no metrics: an analysis using it succeeds at once");
        }
        AnalysisTemplateSpec t = new AnalysisTemplateSpec(cluster ? "" : doc.namespace(), doc.name(), cluster, doc.file(), args, metrics);
        return ModelResult.of(t, m.findings());
    }

    private static Optional<MetricSpec> metric(Node metric, List<String> dryRun, Map<String, Integer> retention, Mapping m) {
        Optional<String> name = metric.get("name").text();
        if (name.isEmpty()) {
            m.error(metric.pointer(), "model.metric-name", "a metric needs a name; this one is skipped");
            return Optional.empty();
        }
        Optional<DurationParam> interval = durationParam(metric.get("interval"), m);
        Optional<DurationParam> initialDelay = durationParam(metric.get("initialDelay"), m);
        Optional<IntParam> count = intParam(metric.get("count"), m);
        IntParam failureLimit = intParam(metric.get("failureLimit"), m).orElse(IntParam.of(0));
        IntParam inconclusiveLimit = intParam(metric.get("inconclusiveLimit"), m).orElse(IntParam.of(0));
        IntParam consecutiveErrorLimit = intParam(metric.get("consecutiveErrorLimit"), m)
                .orElse(IntParam.of(MetricSpec.DEFAULT_CONSECUTIVE_ERROR_LIMIT));
        IntParam consecutiveSuccessLimit = intParam(metric.get("consecutiveSuccessLimit"), m).orElse(IntParam.of(0));
        boolean isDryRun = dryRun.stream().anyMatch(p -> matches(p, name.get()));
        Optional<Integer> keep = Optional.ofNullable(retention.get(name.get()));
        return Optional.of(new MetricSpec(name.get(), interval, count, initialDelay,
                metric.get("successCondition").text(), metric.get("failureCondition").text(),
                failureLimit, inconclusiveLimit, consecutiveErrorLimit, consecutiveSuccessLimit, isDryRun, keep,
                metric.get("minSamples").optInt(), provider(metric.get("provider"), m), metric.pointer()));
    }

    static ProviderSpec provider(Node provider, Mapping m) {
        Map<String, Node> entries = provider.entries();
        if (entries.isEmpty()) {
            m.warning(provider.pointer(), "model.no-provider", "this metric names no provider; it cannot be measured");
            return new ProviderSpec("none", Map.of());
        }
        if (entries.size() > 1) {
            m.warning(provider.pointer(), "model.many-providers", "a metric has exactly one provider; found "
                    + String.join(", ", entries.keySet()) + " and read only " + entries.keySet().iterator().next());
        }
        Map.Entry<String, Node> first = entries.entrySet().iterator().next();
        return new ProviderSpec(first.getKey(), first.getValue().rawMap());
    }

    /** An analysis reference in a rollout: step analysis, background analysis, pre/post-promotion analysis. */
    static RolloutAnalysis rolloutAnalysis(Node analysis, Mapping m) {
        List<TemplateRef> templates = new ArrayList<>();
        for (Node t : analysis.get("templates").items()) {
            Optional<String> name = t.get("templateName").text();
            if (name.isEmpty()) {
                m.error(t.pointer(), "model.template-name", "an analysis template reference needs templateName");
                continue;
            }
            templates.add(TemplateRef.named(name.get(), t.get("clusterScope").bool(false), t.get("templateName").pointer()));
        }
        // Argo's first releases wrote a single templateName directly on the analysis; still read, so old specs plan right.
        analysis.get("templateName").text().ifPresent(name ->
                templates.add(TemplateRef.named(name, analysis.get("clusterScope").bool(false), analysis.get("templateName").pointer())));
        if (templates.isEmpty()) {
            m.error(analysis.pointer(), "model.no-templates", "this analysis names no templates");
        }
        List<Arg> args = new ArrayList<>();
        for (Node a : analysis.get("args").items()) {
            args(a, m).ifPresent(args::add);
        }
        return new RolloutAnalysis(templates, args, dryRunPatterns(analysis.get("dryRun")), analysis.pointer());
    }

    static Optional<Arg> args(Node a, Mapping m) {
        Optional<String> name = a.get("name").text();
        if (name.isEmpty()) {
            m.error(a.pointer(), "model.arg-name", "an argument needs a name; this one is skipped");
            return Optional.empty();
        }
        Node from = a.get("valueFrom");
        Optional<ValueFrom> valueFrom = Optional.empty();
        if (from.has("podTemplateHashValue")) {
            valueFrom = Optional.of(new ValueFrom(ValueFrom.Kind.POD_TEMPLATE_HASH, from.get("podTemplateHashValue").string("")));
        } else if (from.has("fieldRef")) {
            valueFrom = Optional.of(new ValueFrom(ValueFrom.Kind.FIELD_REF, from.get("fieldRef").get("fieldPath").string("")));
        } else if (from.has("secretKeyRef")) {
            Node ref = from.get("secretKeyRef");
            valueFrom = Optional.of(new ValueFrom(ValueFrom.Kind.SECRET_KEY_REF, ref.get("name").string("") + "/" + ref.get("key").string("")));
        } else if (from.isMap() && !from.entries().isEmpty()) {
            valueFrom = Optional.of(new ValueFrom(ValueFrom.Kind.OTHER, String.join(",", from.entries().keySet())));
        }
        return Optional.of(new Arg(name.get(), a.get("value").string(), valueFrom, a.pointer()));
    }

    private static List<String> dryRunPatterns(Node dryRun) {
        List<String> out = new ArrayList<>();
        for (Node d : dryRun.items()) {
            d.get("metricName").text().ifPresent(out::add);
        }
        return out;
    }

    private static boolean matches(String pattern, String metric) {
        try {
            return pattern.equals(metric) || metric.matches(pattern);
        } catch (java.util.regex.PatternSyntaxException e) {
            return false;
        }
    }

    static Optional<IntParam> intParam(Node n, Mapping m) {
        if (n.isMissing()) {
            return Optional.empty();
        }
        if (n.value() instanceof String s) {
            IntParam p = IntParam.raw(s);
            if (!p.isResolved() && !Args.hasPlaceholder(s)) {
                m.error(n.pointer(), "model.number", "'" + s + "' is neither a whole number nor an {{args.…}} placeholder");
                return Optional.empty();
            }
            return Optional.of(p);
        }
        return n.integer().isPresent() ? Optional.of(IntParam.of(n.integer().getAsInt())) : Optional.empty();
    }

    static Optional<DurationParam> durationParam(Node n, Mapping m) {
        if (n.isMissing()) {
            return Optional.empty();
        }
        if (n.value() instanceof String s && Args.hasPlaceholder(s)) {
            return Optional.of(DurationParam.raw(s));
        }
        return n.duration().map(d -> new DurationParam(String.valueOf(n.value()), Optional.of(d)));
    }
}
