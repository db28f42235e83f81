package dev.stepwise.engine.analysis;

import dev.stepwise.spec.model.AnalysisTemplateSpec;
import dev.stepwise.spec.model.Arg;
import dev.stepwise.spec.model.Args;
import dev.stepwise.spec.model.DurationParam;
import dev.stepwise.spec.model.IntParam;
import dev.stepwise.spec.model.MetricSpec;
import dev.stepwise.spec.model.Origin;
import dev.stepwise.spec.model.RolloutSpec;
import dev.stepwise.spec.model.TemplateRef;
import dev.stepwise.spec.model.ValueFrom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Turns the analysis a rollout names (templates, arguments, dry-run patterns) into a {@link ResolvedRun}: templates
 * looked up, merged into one run as Argo merges them, {@code {{args.x}}} placeholders resolved, conditions compiled.
 *
 * <p>Templates are looked up in the map given to the engine by the name the rollout writes ({@code templateName}),
 * cluster templates under {@link #clusterKey(String)}; a template that travels inline with the rollout (built from a
 * Flagger Canary) comes from {@link RolloutSpec#inlineTemplates()}. A {@code namespace/name} key is accepted too, as
 * {@code RepositoryModel} keys its templates that way.
 *
 * <p>Resolving is pure but not free, and the engine needs a run's metrics on every decision, so results are cached by
 * the identity of the spec objects they came from (a new spec revision is a new object, hence a new entry).
 */
public final class AnalysisResolver {
    private static final int MAX_ENTRIES = 50_000;

    private final ConditionCache conditions;
    private final ConcurrentHashMap<Key, ResolvedRun> cache = new ConcurrentHashMap<>();

    public AnalysisResolver(ConditionCache conditions) {
        this.conditions = conditions;
    }

    /** The key a ClusterAnalysisTemplate has in the engine's template map. */
    public static String clusterKey(String name) {
        return "cluster:" + name;
    }

    /** The key {@code ref} is looked up by in the engine's template map. */
    public static String key(TemplateRef ref) {
        return ref.clusterScope() ? clusterKey(ref.templateName()) : ref.templateName();
    }

    /**
     * Resolves one analysis. {@code source} is the spec object the analysis is written in (its identity is the cache
     * key); {@code rolloutDryRun} tells which metrics the rollout runs in dry-run mode.
     */
    public ResolvedRun resolve(Object source, RolloutSpec spec, Map<String, AnalysisTemplateSpec> templates,
                               List<TemplateRef> refs, List<Arg> args, Predicate<String> rolloutDryRun,
                               String stableHash, String canaryHash) {
        // the versions matter only to podTemplateHashValue arguments; leaving them out otherwise lets every revision
        // of a rollout share one entry
        boolean versioned = false;
        for (Arg a : args) {
            versioned |= a.valueFrom().map(f -> f.kind() == ValueFrom.Kind.POD_TEMPLATE_HASH).orElse(false);
        }
        Key key = versioned ? new Key(source, templates, stableHash, canaryHash) : new Key(source, templates, null, null);
        ResolvedRun cached = cache.get(key);
        if (cached != null) {
            return cached;
        }
        ResolvedRun run = build(spec, templates, refs, args, rolloutDryRun, stableHash, canaryHash);
        if (cache.size() >= MAX_ENTRIES) {
            cache.clear();
        }
        cache.put(key, run);
        return run;
    }

    private ResolvedRun build(RolloutSpec spec, Map<String, AnalysisTemplateSpec> templates, List<TemplateRef> refs,
                              List<Arg> args, Predicate<String> rolloutDryRun, String stableHash, String canaryHash) {
        List<AnalysisTemplateSpec> found = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        boolean flagger = false;
        for (TemplateRef ref : refs) {
            AnalysisTemplateSpec t = lookup(spec, templates, ref);
            if (t == null) {
                missing.add((ref.clusterScope() ? "ClusterAnalysisTemplate '" : "AnalysisTemplate '") + ref.templateName() + "'");
            } else {
                found.add(t);
                flagger |= ref.inline() && spec.origin() == Origin.FLAGGER_CANARY;
            }
        }
        String names = String.join(", ", refs.stream().map(TemplateRef::templateName).toList());
        int threshold = flagger ? spec.flagger().map(f -> f.threshold()).orElse(0) : 0;
        if (!missing.isEmpty()) {
            return new ResolvedRun(names, List.of(), Map.of(), String.join(", ", missing) + " not found", threshold);
        }

        // arguments: template defaults first, the rollout's values over them
        Map<String, String> values = new LinkedHashMap<>();
        Set<String> deferred = new LinkedHashSet<>();
        for (AnalysisTemplateSpec t : found) {
            for (Arg a : t.args()) {
                a.value().ifPresent(v -> values.putIfAbsent(a.name(), v));
                if (a.value().isEmpty() && a.valueFrom().isPresent()) {
                    deferred.add(a.name());
                }
            }
        }
        for (Arg a : args) {
            if (a.value().isPresent()) {
                values.put(a.name(), a.value().get());
                continue;
            }
            Optional<String> v = a.valueFrom().flatMap(f -> valueFrom(f, spec, stableHash, canaryHash));
            if (v.isPresent()) {
                values.put(a.name(), v.get());
            } else if (a.valueFrom().isPresent()) {
                deferred.add(a.name()); // a secret or a field the reconciler reads when it measures
            }
        }
        List<String> unset = new ArrayList<>();
        for (AnalysisTemplateSpec t : found) {
            for (Arg a : t.requiredArgs()) {
                if (!values.containsKey(a.name()) && !deferred.contains(a.name()) && !unset.contains(a.name())) {
                    unset.add(a.name());
                }
            }
        }
        Map<String, String> frozen = Collections.unmodifiableMap(values);
        if (!unset.isEmpty()) {
            return new ResolvedRun(names, List.of(), frozen, "argument" + (unset.size() > 1 ? "s " : " ")
                    + String.join(", ", unset) + " of " + names + (unset.size() > 1 ? " have" : " has")
                    + " no value: the rollout must pass " + (unset.size() > 1 ? "them" : "it"), threshold);
        }

        List<ResolvedMetric> metrics = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (AnalysisTemplateSpec t : found) {
            for (MetricSpec m : t.metrics()) {
                if (seen.add(m.name())) { // Argo refuses duplicates; the first one is kept so the run still says something
                    metrics.add(metric(m.resolve(frozen), frozen, rolloutDryRun));
                }
            }
        }
        return new ResolvedRun(names, metrics, frozen, "", threshold);
    }

    private static AnalysisTemplateSpec lookup(RolloutSpec spec, Map<String, AnalysisTemplateSpec> templates, TemplateRef ref) {
        if (ref.inline()) {
            return spec.inlineTemplates().get(ref.templateName());
        }
        AnalysisTemplateSpec t = templates.get(key(ref));
        if (t == null && !ref.clusterScope()) {
            t = templates.get(spec.namespace() + "/" + ref.templateName());
        }
        return t != null && t.clusterScope() == ref.clusterScope() ? t : null;
    }

    private static Optional<String> valueFrom(ValueFrom from, RolloutSpec spec, String stableHash, String canaryHash) {
        switch (from.kind()) {
            case POD_TEMPLATE_HASH:
                if (from.ref().equalsIgnoreCase("Stable")) {
                    return Optional.ofNullable(stableHash);
                }
                if (from.ref().equalsIgnoreCase("Latest")) {
                    return Optional.ofNullable(canaryHash);
                }
                return Optional.empty();
            case FIELD_REF:
                if (from.ref().equals("metadata.name")) {
                    return Optional.of(spec.name());
                }
                if (from.ref().equals("metadata.namespace")) {
                    return Optional.of(spec.namespace());
                }
                return Optional.empty();
            default:
                return Optional.empty();
        }
    }

    private ResolvedMetric metric(MetricSpec m, Map<String, String> args, Predicate<String> rolloutDryRun) {
        List<String> problems = new ArrayList<>();
        Duration interval = m.interval().map(p -> duration(p, "interval", problems)).orElse(null);
        Duration initialDelay = m.initialDelay().map(p -> duration(p, "initialDelay", problems)).orElse(Duration.ZERO);
        Integer count;
        if (m.count().isPresent()) {
            Integer n = integer(m.count().get(), "count", problems);
            if (n == null) {
                count = 1;
            } else if (n > 0) {
                count = n;
            } else {
                count = interval != null ? null : 1; // count 0: with an interval it measures until stopped, as in Argo
            }
        } else {
            count = interval != null ? null : 1;
        }
        int failureLimit = intOr(m.failureLimit(), "failureLimit", 0, problems);
        int inconclusiveLimit = intOr(m.inconclusiveLimit(), "inconclusiveLimit", 0, problems);
        int errorLimit = intOr(m.consecutiveErrorLimit(), "consecutiveErrorLimit", MetricSpec.DEFAULT_CONSECUTIVE_ERROR_LIMIT, problems);
        int successLimit = intOr(m.consecutiveSuccessLimit(), "consecutiveSuccessLimit", 0, problems);
        MetricCondition success = m.successCondition().map(c -> condition(c, "successCondition", problems)).orElse(null);
        MetricCondition failure = m.failureCondition().map(c -> condition(c, "failureCondition", problems)).orElse(null);
        boolean dryRun = m.dryRun() || rolloutDryRun.test(m.name());
        int retention = m.measurementRetention().map(n -> Math.max(1, n)).orElse(AnalysisRuns.DEFAULT_RETENTION);
        return new ResolvedMetric(m, args, dryRun, interval, count, initialDelay, failureLimit, inconclusiveLimit,
                errorLimit, successLimit, m.minSamples().orElse(0), success, failure, String.join("; ", problems), retention);
    }

    private static Duration duration(DurationParam p, String field, List<String> problems) {
        if (p.value().isPresent()) {
            return p.value().get();
        }
        problems.add(field + " '" + p.raw() + "' has no value");
        return null;
    }

    private static Integer integer(IntParam p, String field, List<String> problems) {
        if (p.value().isPresent()) {
            return p.value().get();
        }
        problems.add(field + " '" + p.raw() + "' has no value");
        return null;
    }

    private static int intOr(IntParam p, String field, int fallback, List<String> problems) {
        Integer v = integer(p, field, problems);
        return v == null ? fallback : v;
    }

    private MetricCondition condition(String text, String field, List<String> problems) {
        if (Args.hasPlaceholder(text)) {
            problems.add(field + " '" + text + "' uses an argument with no value");
            return null;
        }
        MetricCondition.Compiled c = conditions.compile(text);
        if (c instanceof MetricCondition.Ok ok) {
            return ok.condition();
        }
        MetricCondition.Invalid bad = (MetricCondition.Invalid) c;
        problems.add(field + " '" + text + "' does not compile: " + bad.message());
        return null;
    }

    /** Cache key: the spec objects by identity (records compare deeply, which would cost more than resolving). */
    private static final class Key {
        private final Object source;
        private final Map<String, AnalysisTemplateSpec> templates;
        private final String stable;
        private final String canary;
        private final int hash;

        Key(Object source, Map<String, AnalysisTemplateSpec> templates, String stable, String canary) {
            this.source = source;
            this.templates = templates;
            this.stable = stable;
            this.canary = canary;
            this.hash = 31 * (31 * System.identityHashCode(source) + System.identityHashCode(templates))
                    + java.util.Objects.hashCode(stable) * 17 + java.util.Objects.hashCode(canary);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.source == source && k.templates == templates
                    && java.util.Objects.equals(k.stable, stable) && java.util.Objects.equals(k.canary, canary);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
