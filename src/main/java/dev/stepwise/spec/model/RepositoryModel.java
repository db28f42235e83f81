package dev.stepwise.spec.model;

import dev.stepwise.spec.Finding;
import dev.stepwise.spec.SpecDocument;
import dev.stepwise.spec.SpecKind;
import dev.stepwise.spec.SpecSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything of one spec repository (or one Git revision of it) as typed values: rollouts in file order, analysis
 * templates by {@code namespace/name}, cluster templates by name, Flagger MetricTemplates by {@code namespace/name},
 * and the findings of mapping them. Flagger metrics that name a MetricTemplate get its provider and query here, where
 * all documents are known.
 */
public record RepositoryModel(List<RolloutSpec> rollouts, Map<String, AnalysisTemplateSpec> templates,
                              Map<String, AnalysisTemplateSpec> clusterTemplates,
                              Map<String, MetricTemplateSpec> metricTemplates, List<Finding> findings) {

    public RepositoryModel {
        rollouts = List.copyOf(rollouts);
        templates = Collections.unmodifiableMap(new LinkedHashMap<>(templates));
        clusterTemplates = Collections.unmodifiableMap(new LinkedHashMap<>(clusterTemplates));
        metricTemplates = Collections.unmodifiableMap(new LinkedHashMap<>(metricTemplates));
        findings = List.copyOf(findings);
    }

    public static RepositoryModel of(SpecSet set) {
        List<Finding> findings = new ArrayList<>();
        Map<String, AnalysisTemplateSpec> templates = new LinkedHashMap<>();
        Map<String, AnalysisTemplateSpec> cluster = new LinkedHashMap<>();
        Map<String, MetricTemplateSpec> metricTemplates = new LinkedHashMap<>();
        List<RolloutSpec> rollouts = new ArrayList<>();
        for (SpecDocument doc : set.documents()) {
            SpecKind kind = doc.kind().orElse(null);
            if (kind == null) {
                continue;
            }
            switch (kind) {
                case ANALYSIS_TEMPLATE:
                case CLUSTER_ANALYSIS_TEMPLATE: {
                    ModelResult<AnalysisTemplateSpec> r = SpecModel.analysisTemplate(doc);
                    findings.addAll(r.findings());
                    // the first of two same-named templates wins; CrossDocumentChecks does not judge templates twice
                    r.value().ifPresent(t -> (t.clusterScope() ? cluster : templates).putIfAbsent(
                            t.clusterScope() ? t.name() : t.qualifiedName(), t));
                    break;
                }
                case METRIC_TEMPLATE: {
                    ModelResult<MetricTemplateSpec> r = SpecModel.metricTemplate(doc);
                    findings.addAll(r.findings());
                    r.value().ifPresent(t -> metricTemplates.putIfAbsent(t.qualifiedName(), t));
                    break;
                }
                case ROLLOUT:
                case CANARY: {
                    ModelResult<RolloutSpec> r = SpecModel.rollout(doc);
                    findings.addAll(r.findings());
                    r.value().ifPresent(rollouts::add);
                    break;
                }
                default:
                    break;
            }
        }
        List<RolloutSpec> resolved = rollouts.stream().map(r -> resolveMetricTemplates(r, metricTemplates)).toList();
        return new RepositoryModel(resolved, templates, cluster, metricTemplates, findings);
    }

    /** The rollout named {@code namespace/name}, the first one if (wrongly) there are several. */
    public Optional<RolloutSpec> rollout(String namespace, String name) {
        return rollouts.stream().filter(r -> r.namespace().equals(namespace) && r.name().equals(name)).findFirst();
    }

    /**
     * The template {@code ref} names for {@code rollout}: the rollout's own inline template, a ClusterAnalysisTemplate
     * when clusterScope is set, else an AnalysisTemplate in the rollout's namespace.
     */
    public Optional<AnalysisTemplateSpec> template(RolloutSpec rollout, TemplateRef ref) {
        if (ref.inline()) {
            return Optional.ofNullable(rollout.inlineTemplates().get(ref.templateName()));
        }
        if (ref.clusterScope()) {
            return Optional.ofNullable(clusterTemplates.get(ref.templateName()));
        }
        return Optional.ofNullable(templates.get(rollout.namespace() + "/" + ref.templateName()));
    }

    /** Names of the AnalysisTemplates in {@code namespace}, for suggestions. */
    public List<String> templateNames(String namespace) {
        return templates.values().stream().filter(t -> t.namespace().equals(namespace)).map(AnalysisTemplateSpec::name).toList();
    }

    public Optional<MetricTemplateSpec> metricTemplate(String namespace, String name) {
        return Optional.ofNullable(metricTemplates.get(namespace + "/" + name));
    }

    private static RolloutSpec resolveMetricTemplates(RolloutSpec r, Map<String, MetricTemplateSpec> metricTemplates) {
        if (r.inlineTemplates().isEmpty()) {
            return r;
        }
        Map<String, AnalysisTemplateSpec> inline = new LinkedHashMap<>();
        boolean changed = false;
        for (Map.Entry<String, AnalysisTemplateSpec> e : r.inlineTemplates().entrySet()) {
            AnalysisTemplateSpec t = e.getValue();
            List<MetricSpec> metrics = new ArrayList<>();
            for (MetricSpec metric : t.metrics()) {
                ProviderSpec p = metric.provider();
                MetricTemplateSpec mt = p.type().equals(ProviderSpec.FLAGGER_TEMPLATE_REF)
                        ? metricTemplates.get(p.config().get("namespace") + "/" + p.config().get("name")) : null;
                if (mt == null) {
                    metrics.add(metric);
                    continue;
                }
                Map<String, Object> config = new LinkedHashMap<>(mt.provider().config());
                config.put("templateRef", mt.qualifiedName());
                // Flagger renders the template's query over the Canary ({{ target }}, {{ interval }}, ...); a query
                // that cannot be rendered is left as written, and CrossDocumentChecks reports why
                Optional<FlaggerQueries.Vars> vars = FlaggerQueries.Vars.fromConfig(p.config().get(ProviderSpec.FLAGGER_VARS));
                if (vars.isPresent() && config.get("query") instanceof String q) {
                    FlaggerQueries.Rendered rendered = FlaggerQueries.render(q, vars.get());
                    rendered.query().ifPresent(text -> config.put("query", text));
                    rendered.problem().ifPresent(why -> config.put(ProviderSpec.FLAGGER_QUERY_PROBLEM, why));
                }
                config.put(ProviderSpec.FLAGGER_VALUE, true);
                metrics.add(new MetricSpec(metric.name(), metric.interval(), metric.count(), metric.initialDelay(),
                        metric.successCondition(), metric.failureCondition(), metric.failureLimit(), metric.inconclusiveLimit(),
                        metric.consecutiveErrorLimit(), metric.consecutiveSuccessLimit(), metric.dryRun(),
                        metric.measurementRetention(), metric.minSamples(), new ProviderSpec(mt.provider().type(), config),
                        metric.pointer()));
                changed = true;
            }
            inline.put(e.getKey(), new AnalysisTemplateSpec(t.namespace(), t.name(), t.clusterScope(), t.file(), t.args(), metrics));
        }
        if (!changed) {
            return r;
        }
        return new RolloutSpec(r.namespace(), r.name(), r.origin(), r.file(), r.documentIndex(), r.replicas(), r.images(),
                r.podTemplateHash(), r.workloadRef(), r.progressDeadlineSeconds(), r.progressDeadlineAbort(),
                r.minReadySeconds(), r.revisionHistoryLimit(), r.strategy(), r.waves(), r.promoteTo(), r.onAbortRevert(),
                inline, r.flagger());
    }
}
