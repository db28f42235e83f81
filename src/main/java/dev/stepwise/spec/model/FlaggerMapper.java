package dev.stepwise.spec.model;

import dev.stepwise.spec.SpecDocument;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Maps a Flagger {@code Canary} onto the same {@link RolloutSpec} an Argo Rollout gives, so one engine runs both.
 * The mapping follows what Flagger's scheduler does on each {@code analysis.interval} tick; {@code docs/flagger-mapping.md}
 * explains it with a worked example.
 */
final class FlaggerMapper {

    static final String METRICS_TEMPLATE = "flagger-metrics";
    static final String PRE_ROLLOUT_TEMPLATE = "flagger-pre-rollout";
    static final String AB_ROUTE = "flagger-ab";
    static final String MIRROR_ROUTE = "flagger-mirror";

    private static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);
    private static final Duration MIN_INTERVAL = Duration.ofSeconds(10);
    private static final String DEFAULT_WINDOW = "1m";
    private static final int KUBERNETES_DEFAULT_ITERATIONS = 10;
    private static final Set<String> BUILTIN_METRICS = Set.of("request-success-rate", "request-duration");

    private FlaggerMapper() {
    }

    static ModelResult<RolloutSpec> map(SpecDocument doc) {
        Mapping m = new Mapping(doc);
        Node spec = m.root().get("spec");
        if (!spec.isMap()) {
            m.error("", "model.no-spec", doc.describe() + " has no spec");
            return ModelResult.failed(m.findings());
        }
        if (doc.name().isEmpty()) {
            m.error("/metadata", "model.no-name", "this Canary has no metadata.name");
            return ModelResult.failed(m.findings());
        }
        Node target = spec.get("targetRef");
        Optional<String> targetName = target.get("name").text();
        if (targetName.isEmpty()) {
            m.error(target.isPresent() ? target.pointer() : "/spec", "model.flagger-target",
                    "a Canary needs spec.targetRef.name: the Deployment it rolls out");
            return ModelResult.failed(m.findings());
        }
        WorkloadRef workload = new WorkloadRef(target.get("apiVersion").string("apps/v1"), target.get("kind").string("Deployment"),
                targetName.get(), WorkloadRef.ScaleDown.NEVER);
        String service = spec.get("service").get("name").text().orElse(targetName.get());
        Optional<String> provider = spec.get("provider").text();

        Node analysis = spec.firstOf("analysis", "canaryAnalysis");
        boolean skip = spec.get("skipAnalysis").bool(false) || !analysis.isMap();
        Duration interval = interval(analysis.get("interval"), m);
        int threshold = Math.max(1, analysis.get("threshold").integer(1));
        Optional<Integer> iterations = analysis.get("iterations").optInt().filter(i -> i > 0);
        Optional<Integer> stepWeight = analysis.get("stepWeight").optInt().filter(w -> w > 0);
        List<Integer> stepWeights = new ArrayList<>();
        for (Node w : analysis.get("stepWeights").items()) {
            w.optInt().ifPresent(stepWeights::add);
        }
        int maxWeight = stepWeights.isEmpty() ? analysis.get("maxWeight").optInt().filter(w -> w > 0).orElse(100)
                : Math.min(100, stepWeights.get(stepWeights.size() - 1));
        boolean mirror = analysis.get("mirror").bool(false);
        List<FlaggerSource.Webhook> webhooks = webhooks(analysis.get("webhooks"), m);
        List<Node> match = analysis.get("match").items();

        FlaggerSource.Mode mode;
        if (provider.orElse("").equals("kubernetes")) {
            // Flagger: the kubernetes provider cannot split traffic, so every Canary on it runs blue/green
            mode = FlaggerSource.Mode.BLUE_GREEN;
            if (!match.isEmpty()) {
                m.warning(analysis.get("match").pointer(), "model.flagger-kubernetes",
                        "A/B testing needs a traffic router; with provider kubernetes Flagger ignores analysis.match and runs blue/green");
            }
            if (iterations.isEmpty() && !skip) {
                m.warning(analysis.pointer(), "model.flagger-kubernetes", "provider kubernetes cannot shift traffic gradually: "
                        + "Flagger runs blue/green with " + KUBERNETES_DEFAULT_ITERATIONS + " iterations; set analysis.iterations to say so");
                iterations = Optional.of(KUBERNETES_DEFAULT_ITERATIONS);
            }
        } else if (!match.isEmpty() && iterations.isPresent()) {
            mode = FlaggerSource.Mode.AB_TESTING;
        } else if (iterations.isPresent()) {
            mode = FlaggerSource.Mode.BLUE_GREEN;
        } else {
            mode = FlaggerSource.Mode.CANARY;
        }

        FlaggerSource source = new FlaggerSource(mode, provider, service, interval, threshold, iterations, stepWeight,
                stepWeights, maxWeight, analysis.get("stepWeightPromotion").optInt().filter(w -> w > 0), mirror,
                analysis.get("mirrorWeight").optInt(), skip, webhooks, serviceBlock(spec.get("service")));

        Map<String, AnalysisTemplateSpec> inline = new LinkedHashMap<>();
        boolean counted = mode == FlaggerSource.Mode.BLUE_GREEN;
        List<MetricSpec> metrics = skip ? List.of() : metrics(analysis, source, counted, m);
        if (!metrics.isEmpty()) {
            inline.put(METRICS_TEMPLATE, new AnalysisTemplateSpec(doc.namespace(), METRICS_TEMPLATE, false, doc.file(), List.of(), metrics));
        }
        List<MetricSpec> preRollout = skip ? List.of() : webhookMetrics(source, "pre-rollout", 1, doc.name(), doc.namespace());
        if (!preRollout.isEmpty()) {
            inline.put(PRE_ROLLOUT_TEMPLATE, new AnalysisTemplateSpec(doc.namespace(), PRE_ROLLOUT_TEMPLATE, false, doc.file(), List.of(), preRollout));
        }

        RolloutStrategy strategy = mode == FlaggerSource.Mode.BLUE_GREEN
                ? blueGreen(source, analysis, inline, m)
                : canary(source, analysis, match, inline, m);

        RolloutSpec rollout = new RolloutSpec(doc.namespace(), doc.name(), Origin.FLAGGER_CANARY, doc.file(), doc.index(),
                RolloutSpec.DEFAULT_REPLICAS, Map.of(),
                PodTemplateHash.of(List.of(workload.apiVersion(), workload.kind(), workload.name())), Optional.of(workload),
                spec.get("progressDeadlineSeconds").integer(RolloutSpec.DEFAULT_PROGRESS_DEADLINE_SECONDS),
                true, 0, RolloutSpec.DEFAULT_REVISION_HISTORY_LIMIT, strategy,
                RolloutMapper.waves(spec.get("waves")), RolloutMapper.promoteTo(spec.get("promoteTo"), m),
                RolloutMapper.revert(spec.get("onAbort").get("revert"), m), inline, Optional.of(source));
        return ModelResult.of(rollout, m.findings());
    }

    private static CanaryStrategy canary(FlaggerSource f, Node analysis, List<Node> match,
                                         Map<String, AnalysisTemplateSpec> inline, Mapping m) {
        List<Step> steps = new ArrayList<>();
        String at = analysis.isPresent() ? analysis.pointer() : "/spec";
        Optional<BackgroundAnalysis> background = Optional.empty();
        List<String> managedRoutes = new ArrayList<>();
        if (!f.skipAnalysis()) {
            gates(f, Gate.Kind.CONFIRM_ROLLOUT, steps);
            if (inline.containsKey(PRE_ROLLOUT_TEMPLATE)) {
                steps.add(inlineAnalysis(PRE_ROLLOUT_TEMPLATE, hookPointer(f, "pre-rollout", at)));
            }
            int trafficStart = steps.size();
            if (f.mode() == FlaggerSource.Mode.AB_TESTING) {
                managedRoutes.add(AB_ROUTE);
                steps.add(new SetHeaderRoute(AB_ROUTE, headerMatches(match, m), false, analysis.get("match").pointer()));
                steps.add(Pause.of(f.interval().multipliedBy(f.iterations().orElse(1)), analysis.get("iterations").pointer()));
            } else {
                List<Integer> weights = weights(f);
                if (weights.isEmpty()) {
                    m.warning(at, "model.flagger-no-progress", "this Canary has no stepWeight, stepWeights or iterations: "
                            + "Flagger would never move traffic to the canary; the plan waits for a person instead");
                    steps.add(Pause.indefinite(at));
                }
                if (!weights.isEmpty() && weights.get(weights.size() - 1) < f.maxWeight()) {
                    m.warning(analysis.get("stepWeights").pointer(), "model.flagger-no-progress", "these stepWeights never reach "
                            + f.maxWeight() + "% (each should be larger than the one before); Flagger would not get there either");
                }
                for (int i = 0; i < weights.size(); i++) {
                    boolean firstAfterMirror = f.mirror() && i == 0;
                    if (f.mirror() && i == 0) {
                        // Flagger mirrors for one interval before the first weight, and asks for no traffic-increase
                        // confirmation between mirroring and that first weight
                        gates(f, Gate.Kind.CONFIRM_TRAFFIC_INCREASE, steps);
                        trafficStart = steps.size();
                        managedRoutes.add(MIRROR_ROUTE);
                        steps.add(new SetMirrorRoute(MIRROR_ROUTE, Optional.of(f.mirrorWeight().orElse(100)), List.of(),
                                false, analysis.get("mirror").pointer()));
                        steps.add(Pause.of(f.interval(), analysis.get("interval").pointer()));
                        steps.add(new SetMirrorRoute(MIRROR_ROUTE, Optional.empty(), List.of(), false, analysis.get("mirror").pointer()));
                    }
                    if (!firstAfterMirror) {
                        gates(f, Gate.Kind.CONFIRM_TRAFFIC_INCREASE, steps);
                    }
                    if (i == 0 && !f.mirror()) {
                        trafficStart = steps.size();
                    }
                    steps.add(new SetWeight(weights.get(i), false, weightPointer(analysis, f, i)));
                    steps.add(Pause.of(f.interval(), analysis.get("interval").pointer()));
                }
                if (!weights.isEmpty()) {
                    // Flagger asks confirm-traffic-increase once more before it promotes at maxWeight
                    gates(f, Gate.Kind.CONFIRM_TRAFFIC_INCREASE, steps);
                }
            }
            gates(f, Gate.Kind.CONFIRM_PROMOTION, steps);
            if (inline.containsKey(METRICS_TEMPLATE)) {
                RolloutAnalysis ra = new RolloutAnalysis(List.of(TemplateRef.inline(METRICS_TEMPLATE, at + "/metrics")),
                        List.of(), List.of(), at + "/metrics");
                background = Optional.of(new BackgroundAnalysis(ra, trafficStart));
            }
        }
        TrafficRouting routing = new TrafficRouting(routers(f, m), managedRoutes, 100);
        return new CanaryStrategy(steps, Optional.of(f.canaryName()), Optional.of(f.primaryName()), routing, background,
                IntOrPercent.TWENTY_FIVE_PERCENT, IntOrPercent.TWENTY_FIVE_PERCENT, false, 0, 0, Optional.empty(),
                PodMetadata.NONE, PodMetadata.NONE);
    }

    private static BlueGreenStrategy blueGreen(FlaggerSource f, Node analysis, Map<String, AnalysisTemplateSpec> inline, Mapping m) {
        String at = analysis.isPresent() ? analysis.pointer() : "/spec";
        List<TemplateRef> templates = new ArrayList<>();
        if (inline.containsKey(PRE_ROLLOUT_TEMPLATE)) {
            templates.add(TemplateRef.inline(PRE_ROLLOUT_TEMPLATE, hookPointer(f, "pre-rollout", at)));
        }
        if (inline.containsKey(METRICS_TEMPLATE)) {
            templates.add(TemplateRef.inline(METRICS_TEMPLATE, at + "/metrics"));
        }
        Optional<RolloutAnalysis> pre = templates.isEmpty() ? Optional.empty()
                : Optional.of(new RolloutAnalysis(templates, List.of(), List.of(), at + "/metrics"));
        List<Gate> confirmRollout = f.skipAnalysis() ? List.of() : gates(f, Gate.Kind.CONFIRM_ROLLOUT);
        List<Gate> confirmPromotion = f.skipAnalysis() ? List.of() : gates(f, Gate.Kind.CONFIRM_PROMOTION);
        // Flagger switches only after all iterations, whatever the metrics say: that wait is Argo's autoPromotionSeconds
        long waitSeconds = f.skipAnalysis() ? 0 : f.interval().multipliedBy(f.iterations().orElse(1)).getSeconds();
        if (f.mirror() && !f.provider().orElse("").equals("kubernetes")) {
            m.info(analysis.get("mirror").pointer(), "model.flagger-mirror",
                    "Flagger mirrors traffic to the new version during the blue/green iterations; the plan shows it as a note");
        }
        return new BlueGreenStrategy(f.service(), Optional.of(f.canaryName()), Optional.empty(), confirmPromotion.isEmpty(),
                (int) Math.min(Integer.MAX_VALUE, waitSeconds), pre, Optional.empty(), 0, Optional.empty(), 0,
                IntOrPercent.TWENTY_FIVE_PERCENT, PodMetadata.NONE, PodMetadata.NONE, confirmRollout, confirmPromotion);
    }

    /** The weights Flagger steps through, reproducing its nextStepWeight rule (it may overshoot maxWeight). */
    static List<Integer> weights(FlaggerSource f) {
        List<Integer> out = new ArrayList<>();
        int w = 0;
        for (int guard = 0; w < f.maxWeight() && guard < 200; guard++) {
            int next = nextStep(f, w);
            if (next <= 0) {
                break;
            }
            w = Math.min(100, w + next);
            out.add(w);
        }
        return out;
    }

    private static int nextStep(FlaggerSource f, int current) {
        List<Integer> sw = f.stepWeights();
        if (f.stepWeight().isPresent() || sw.isEmpty()) {
            return f.stepWeight().orElse(0);
        }
        int maxStep = 100 - current;
        if (maxStep == 0) {
            return 1;
        }
        if (current == 0) {
            return Math.min(maxStep, sw.get(0));
        }
        for (int i = 0; i < sw.size() - 1; i++) {
            if (sw.get(i) == current) {
                return Math.min(maxStep, sw.get(i + 1) - current);
            }
        }
        return maxStep;
    }

    private static String weightPointer(Node analysis, FlaggerSource f, int i) {
        if (!f.stepWeights().isEmpty() && i < f.stepWeights().size()) {
            return analysis.get("stepWeights").pointer() + "/" + i;
        }
        return analysis.get("stepWeight").pointer();
    }

    private static void gates(FlaggerSource f, Gate.Kind kind, List<Step> steps) {
        for (FlaggerSource.Webhook hook : f.webhooks(kind.hookType())) {
            steps.add(Pause.gate(new Gate(kind, hook.name()), hook.pointer()));
        }
    }

    private static List<Gate> gates(FlaggerSource f, Gate.Kind kind) {
        return f.webhooks(kind.hookType()).stream().map(h -> new Gate(kind, h.name())).toList();
    }

    private static String hookPointer(FlaggerSource f, String type, String fallback) {
        return f.webhooks(type).stream().findFirst().map(FlaggerSource.Webhook::pointer).orElse(fallback);
    }

    private static AnalysisStep inlineAnalysis(String template, String pointer) {
        return new AnalysisStep(new RolloutAnalysis(List.of(TemplateRef.inline(template, pointer)), List.of(), List.of(), pointer),
                false, pointer);
    }

    private static Duration interval(Node n, Mapping m) {
        if (n.isMissing()) {
            return DEFAULT_INTERVAL;
        }
        Optional<Duration> d = n.duration();
        if (d.isEmpty()) {
            return DEFAULT_INTERVAL;
        }
        if (d.get().compareTo(MIN_INTERVAL) < 0) {
            m.info(n.pointer(), "model.flagger-interval", "Flagger runs its analysis at most every 10s; "
                    + ArgoDuration.format(d.get()) + " is read as 10s");
            return MIN_INTERVAL;
        }
        return d.get();
    }

    private static List<FlaggerSource.Webhook> webhooks(Node hooks, Mapping m) {
        List<FlaggerSource.Webhook> out = new ArrayList<>();
        for (Node h : hooks.items()) {
            Optional<Duration> timeout = h.get("timeout").isPresent() ? h.get("timeout").duration() : Optional.empty();
            out.add(new FlaggerSource.Webhook(h.get("name").string(""), h.get("type").text().orElse("rollout"),
                    h.get("url").string(""), timeout, h.pointer(), h.get("metadata").stringMap()));
        }
        return out;
    }

    /**
     * Flagger metrics (and rollout webhooks, which are checks too) as Argo metrics. Every check runs once per interval
     * and Flagger rolls back after {@code threshold} failed checks, so each metric measures every interval and fails
     * past {@code threshold - 1} failures (or errors: Flagger counts a failing query as a failed check). In blue/green
     * mode the metric is counted: {@code iterations} measurements, the first one interval in, as Flagger's first tick
     * only runs the pre-rollout webhooks.
     */
    private static List<MetricSpec> metrics(Node analysis, FlaggerSource f, boolean counted, Mapping m) {
        List<MetricSpec> out = new ArrayList<>();
        IntParam limit = IntParam.of(f.threshold() - 1);
        Optional<DurationParam> interval = Optional.of(DurationParam.of(f.interval()));
        Optional<IntParam> count = counted ? Optional.of(IntParam.of(f.iterations().orElse(1))) : Optional.empty();
        Optional<DurationParam> initialDelay = counted ? interval : Optional.empty();
        for (Node metric : analysis.get("metrics").items()) {
            Optional<String> name = metric.get("name").text();
            if (name.isEmpty()) {
                m.error(metric.pointer(), "model.metric-name", "a Canary metric needs a name; this one is skipped");
                continue;
            }
            String window = metric.get("interval").text().orElse(DEFAULT_WINDOW);
            FlaggerQueries.Vars vars = vars(m, f, window, metric.get("templateVariables").stringMap());
            Optional<Double> min = metric.get("thresholdRange").get("min").number();
            Optional<Double> max = metric.get("thresholdRange").get("max").number();
            Optional<Double> legacy = metric.get("threshold").number();
            ProviderSpec provider;
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("window", window);
            if (metric.has("templateRef")) {
                Node ref = metric.get("templateRef");
                config.put("name", ref.get("name").string(""));
                config.put("namespace", ref.get("namespace").text().orElse(m.doc().namespace()));
                config.put("templateVariables", metric.get("templateVariables").rawMap());
                // the MetricTemplate's query is rendered over these once the template is found (RepositoryModel)
                config.put(ProviderSpec.FLAGGER_VARS, vars.toConfig());
                provider = new ProviderSpec(ProviderSpec.FLAGGER_TEMPLATE_REF, config);
            } else if (metric.has("query")) {
                // the deprecated inline query: PromQL for the Canary's metrics server, run as written
                provider = prometheus(metricsServer(m), metric.get("query").string(""));
            } else if (BUILTIN_METRICS.contains(name.get())) {
                Optional<String> observer = FlaggerQueries.observer(f.provider());
                if (observer.isEmpty()) {
                    m.error(metric.pointer(), "model.flagger-metric", "builtin metric '" + name.get() + "' has no query for provider '"
                            + f.provider().orElse("") + "' in Stepwise; measure it with a MetricTemplate (templateRef)");
                    continue;
                }
                String template = FlaggerQueries.builtinTemplate(observer.get(), name.get()).orElseThrow();
                provider = prometheus(metricsServer(m), FlaggerQueries.render(template, vars).query().orElseThrow());
            } else {
                m.error(metric.pointer(), "model.flagger-metric", "metric '" + name.get()
                        + "' is not builtin (request-success-rate, request-duration) and has no templateRef: nothing to measure");
                continue;
            }
            if (min.isEmpty() && max.isEmpty() && legacy.isPresent()) {
                // the deprecated single threshold: a floor for success rate, a ceiling for everything else
                if (name.get().equals("request-success-rate")) {
                    min = legacy;
                } else {
                    max = legacy;
                }
            }
            Optional<String> success = condition(min, max);
            if (success.isEmpty()) {
                m.warning(metric.pointer(), "model.flagger-threshold", "metric '" + name.get()
                        + "' has no thresholdRange: any value it returns passes");
            }
            out.add(new MetricSpec(name.get(), interval, count, initialDelay, success, Optional.empty(), limit,
                    IntParam.of(0), limit, IntParam.of(0), false, Optional.empty(),
                    metric.get("minSamples").optInt(), provider, metric.pointer()));
        }
        for (MetricSpec hook : webhookMetrics(f, "rollout", counted ? f.iterations().orElse(1) : 0, m.doc().name(), m.doc().namespace())) {
            out.add(new MetricSpec(hook.name(), interval, count, initialDelay, Optional.empty(), Optional.empty(), limit,
                    IntParam.of(0), limit, IntParam.of(0), false, Optional.empty(), Optional.empty(), hook.provider(), hook.pointer()));
        }
        return out;
    }

    /** Where a Canary without {@code spec.metricsServer} finds Prometheus: Flagger's own default. */
    static final String DEFAULT_METRICS_SERVER = "http://prometheus:9090";

    private static String metricsServer(Mapping m) {
        return m.root().get("spec").get("metricsServer").text().orElse(DEFAULT_METRICS_SERVER);
    }

    /** A Prometheus query whose result is read as Flagger reads it: one number (see {@link ProviderSpec#FLAGGER_VALUE}). */
    private static ProviderSpec prometheus(String address, String query) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("address", address);
        config.put("query", query);
        config.put(ProviderSpec.FLAGGER_VALUE, true);
        return new ProviderSpec("prometheus", config);
    }

    /** The Canary as its metric templates see it (Flagger's MetricTemplateModel). */
    private static FlaggerQueries.Vars vars(Mapping m, FlaggerSource f, String window, Map<String, String> variables) {
        Node spec = m.root().get("spec");
        String target = spec.get("targetRef").get("name").string("");
        return new FlaggerQueries.Vars(m.doc().name(), m.doc().namespace(), target, f.service(),
                spec.get("ingressRef").get("name").text().orElse(target), spec.get("routeRef").get("name").text().orElse(target),
                window, variables);
    }

    /** Webhooks of {@code type} as metrics that pass when the webhook answers 2xx; {@code count} 0 means uncounted. */
    private static List<MetricSpec> webhookMetrics(FlaggerSource f, String type, int count, String canaryName, String namespace) {
        List<MetricSpec> out = new ArrayList<>();
        for (FlaggerSource.Webhook hook : f.webhooks(type)) {
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("type", type);
            config.put("url", hook.url());
            hook.timeout().ifPresent(t -> config.put("timeout", ArgoDuration.format(t)));
            // Flagger's payload: the Canary, the phase it is in when the hook runs, the hook's metadata
            config.put("canary", canaryName);
            config.put("namespace", namespace);
            config.put("metadata", hook.metadata());
            out.add(new MetricSpec(hook.name(), Optional.empty(), count > 0 ? Optional.of(IntParam.of(count)) : Optional.empty(),
                    Optional.empty(), Optional.empty(), Optional.empty(), IntParam.of(f.threshold() - 1), IntParam.of(0),
                    IntParam.of(f.threshold() - 1), IntParam.of(0), false, Optional.empty(), Optional.empty(),
                    new ProviderSpec(ProviderSpec.FLAGGER_WEBHOOK, config), hook.pointer()));
        }
        return out;
    }

    /** {@code thresholdRange} as an Argo success condition over {@code result}: inside the range passes. */
    static Optional<String> condition(Optional<Double> min, Optional<Double> max) {
        if (min.isPresent() && max.isPresent()) {
            return Optional.of("result >= " + num(min.get()) + " && result <= " + num(max.get()));
        }
        return min.map(v -> "result >= " + num(v)).or(() -> max.map(v -> "result <= " + num(v)));
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
    }

    private static List<HeaderMatch> headerMatches(List<Node> match, Mapping m) {
        List<HeaderMatch> out = new ArrayList<>();
        for (Node entry : match) {
            for (String key : entry.entries().keySet()) {
                if (!key.equals("headers")) {
                    m.warning(entry.get(key).pointer(), "model.flagger-match", "A/B match on '" + key
                            + "' cannot be expressed as a header route; only header conditions are kept");
                }
            }
            Map<String, Node> headers = entry.get("headers").entries();
            if (headers.size() > 1) {
                m.warning(entry.get("headers").pointer(), "model.flagger-match", "this match requires all of "
                        + String.join(", ", headers.keySet()) + "; a header route matches any one of them, so more requests reach the canary");
            }
            headers.forEach((name, value) -> {
                if (value.has("suffix")) {
                    out.add(new HeaderMatch(name, new StringMatch(StringMatch.Type.REGEX,
                            ".*" + Pattern.quote(value.get("suffix").string("")))));
                } else {
                    RolloutMapper.stringMatch(value, m).ifPresent(v -> out.add(new HeaderMatch(name, v)));
                }
            });
        }
        return out;
    }

    private static List<TrafficRouter> routers(FlaggerSource f, Mapping m) {
        String p = f.provider().orElse("");
        String at = "/spec/provider";
        String base = p.contains(":") ? p.substring(0, p.indexOf(':')) : p;
        switch (base) {
            case "istio":
                return List.of(new IstioRouter(List.of(new IstioRouter.VirtualService(f.service(), List.of())), Optional.empty(), at));
            case "linkerd":
            case "smi":
            case "osm":
                return List.of(new SmiRouter(Optional.of(f.service()), Optional.of(f.service()), at));
            case "nginx": {
                List<String> ingress = m.root().get("spec").get("ingressRef").get("name").text().map(List::of).orElse(List.of());
                return List.of(new NginxRouter(ingress, Optional.empty(), Map.of(), "/spec/ingressRef"));
            }
            case "gatewayapi":
                return List.of(new PluginRouter(PluginRouter.GATEWAY_API, Map.of("httpRoute", f.service()), at));
            case "kubernetes":
                return List.of();
            case "":
                return List.of(new OtherRouter("default-mesh-provider", Map.of(), true, "/spec"));
            default:
                return List.of(new OtherRouter(p, Map.of(), !base.equals("appmesh"), at));
        }
    }

    /** {@code spec.service}: the port and metadata of the Services Flagger would generate (and Stepwise does). */
    private static Optional<FlaggerSource.ServiceBlock> serviceBlock(Node service) {
        Optional<Integer> port = service.get("port").optInt().filter(p -> p > 0 && p <= 65535);
        if (port.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Object> istio = new LinkedHashMap<>();
        for (String option : List.of("match", "retries", "timeout", "rewrite", "headers", "corsPolicy")) {
            Object v = service.get(option).value();
            if (v != null) {
                istio.put(option, v);
            }
        }
        List<Object> gatewayRefs = new ArrayList<>();
        service.get("gatewayRefs").items().forEach(n -> gatewayRefs.add(n.value()));
        return Optional.of(new FlaggerSource.ServiceBlock(port.get(), service.get("targetPort").text(),
                service.get("portName").text().orElse("http"), service.get("appProtocol").text(),
                service.get("headless").bool(false), metadata(service.get("apex")), metadata(service.get("primary")),
                metadata(service.get("canary")), service.get("hosts").strings(), service.get("gateways").strings(),
                gatewayRefs, istio));
    }

    private static FlaggerSource.Metadata metadata(Node custom) {
        return custom.isMap() ? new FlaggerSource.Metadata(custom.get("labels").stringMap(), custom.get("annotations").stringMap())
                : FlaggerSource.Metadata.NONE;
    }
}
