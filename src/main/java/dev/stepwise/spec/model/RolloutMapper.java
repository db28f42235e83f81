package dev.stepwise.spec.model;

import dev.stepwise.spec.SpecDocument;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Maps an Argo Rollouts {@code Rollout} document onto {@link RolloutSpec}, with Argo's defaults. */
final class RolloutMapper {

    private static final List<String> STEP_KINDS = List.of("setWeight", "pause", "analysis", "setCanaryScale",
            "setHeaderRoute", "setMirrorRoute", "experiment", "plugin");

    private RolloutMapper() {
    }

    static ModelResult<RolloutSpec> map(SpecDocument doc) {
        Mapping m = new Mapping(doc);
        Node spec = m.root().get("spec");
        if (!spec.isMap()) {
            m.error("", "model.no-spec", doc.describe() + " has no spec");
            return ModelResult.failed(m.findings());
        }
        if (doc.name().isEmpty()) {
            m.error("/metadata", "model.no-name", "this Rollout has no metadata.name");
            return ModelResult.failed(m.findings());
        }
        Node template = spec.get("template");
        Optional<WorkloadRef> workloadRef = workloadRef(spec.get("workloadRef"), m);
        Map<String, String> images = images(template.get("spec"));
        String hash = template.isPresent() ? PodTemplateHash.of(template.value())
                : PodTemplateHash.of(workloadRef.map(w -> List.of(w.apiVersion(), w.kind(), w.name())).orElse(List.of()));
        if (template.isMissing() && workloadRef.isEmpty()) {
            m.warning("/spec", "model.no-template", "this Rollout has neither spec.template nor spec.workloadRef: there is nothing to run");
        }

        // every field is read before the strategy, so one document reports all its odd values at once
        int replicas = spec.get("replicas").integer(RolloutSpec.DEFAULT_REPLICAS);
        int progressDeadline = spec.get("progressDeadlineSeconds").integer(RolloutSpec.DEFAULT_PROGRESS_DEADLINE_SECONDS);
        boolean progressDeadlineAbort = spec.get("progressDeadlineAbort").bool(false);
        int minReady = spec.get("minReadySeconds").integer(0);
        int history = spec.get("revisionHistoryLimit").integer(RolloutSpec.DEFAULT_REVISION_HISTORY_LIMIT);
        List<List<String>> waves = waves(spec.get("waves"));
        Optional<PromoteTo> promoteTo = promoteTo(spec.get("promoteTo"), m);
        RevertMode revert = revert(spec.get("onAbort").get("revert"), m);
        Optional<RolloutStrategy> strategy = strategy(spec.get("strategy"), m);
        if (strategy.isEmpty()) {
            return ModelResult.failed(m.findings());
        }
        RolloutSpec rollout = new RolloutSpec(doc.namespace(), doc.name(), Origin.ARGO_ROLLOUT, doc.file(), doc.index(),
                replicas, images, hash, workloadRef, progressDeadline, progressDeadlineAbort, minReady, history,
                strategy.get(), waves, promoteTo, revert, Map.of(), Optional.empty());
        return ModelResult.of(rollout, m.findings());
    }

    /** Container name → image, containers first, then init containers (their images are part of a version too). */
    static Map<String, String> images(Node podSpec) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String list : List.of("containers", "initContainers")) {
            for (Node c : podSpec.get(list).items()) {
                Optional<String> name = c.get("name").text();
                Optional<String> image = c.get("image").text();
                if (name.isPresent() && image.isPresent()) {
                    out.putIfAbsent(name.get(), image.get());
                }
            }
        }
        return out;
    }

    private static Optional<WorkloadRef> workloadRef(Node ref, Mapping m) {
        if (!ref.isMap()) {
            return Optional.empty();
        }
        String scaleDown = ref.get("scaleDown").string("never");
        Optional<WorkloadRef.ScaleDown> sd = WorkloadRef.ScaleDown.of(scaleDown);
        if (sd.isEmpty()) {
            m.error(ref.get("scaleDown").pointer(), "model.scale-down",
                    "workloadRef.scaleDown is '" + scaleDown + "'; Argo knows never, onsuccess and progressively");
        }
        return Optional.of(new WorkloadRef(ref.get("apiVersion").string("apps/v1"), ref.get("kind").string("Deployment"),
                ref.get("name").string(""), sd.orElse(WorkloadRef.ScaleDown.NEVER)));
    }

    private static Optional<RolloutStrategy> strategy(Node strategy, Mapping m) {
        Node canary = strategy.get("canary");
        Node blueGreen = strategy.get("blueGreen");
        if (canary.isPresent() && blueGreen.isPresent()) {
            m.error(strategy.pointer(), "model.strategy", "a Rollout has one strategy; this one has both canary and blueGreen");
            return Optional.empty();
        }
        if (canary.isPresent()) {
            return canary(canary, m).map(c -> c);
        }
        if (blueGreen.isPresent()) {
            return Optional.of(blueGreen(blueGreen, m));
        }
        m.error(strategy.isPresent() ? strategy.pointer() : "/spec", "model.strategy",
                "this Rollout has no spec.strategy.canary or spec.strategy.blueGreen; Argo needs one");
        return Optional.empty();
    }

    private static Optional<CanaryStrategy> canary(Node c, Mapping m) {
        List<Step> steps = new ArrayList<>();
        boolean stepsOk = true;
        for (Node s : c.get("steps").items()) {
            Optional<Step> step = step(s, m);
            if (step.isPresent()) {
                steps.add(step.get());
            } else {
                stepsOk = false;
            }
        }
        if (!stepsOk) {
            return Optional.empty(); // a skipped step would shift every later step's index: refuse rather than mislead
        }
        Optional<BackgroundAnalysis> background = Optional.empty();
        Node analysis = c.get("analysis");
        if (analysis.isMap()) {
            background = Optional.of(new BackgroundAnalysis(AnalysisMapper.rolloutAnalysis(analysis, m),
                    analysis.get("startingStep").integer(0)));
        }
        return Optional.of(new CanaryStrategy(steps, c.get("canaryService").text(), c.get("stableService").text(),
                trafficRouting(c.get("trafficRouting"), m), background,
                intOrPercent(c.get("maxSurge"), m), intOrPercent(c.get("maxUnavailable"), m),
                c.get("dynamicStableScale").bool(false),
                c.get("abortScaleDownDelaySeconds").integer(CanaryStrategy.DEFAULT_ABORT_SCALE_DOWN_DELAY_SECONDS),
                c.get("scaleDownDelaySeconds").integer(CanaryStrategy.DEFAULT_SCALE_DOWN_DELAY_SECONDS),
                c.get("scaleDownDelayRevisionLimit").optInt(),
                podMetadata(c.get("canaryMetadata")), podMetadata(c.get("stableMetadata"))));
    }

    private static Optional<Step> step(Node s, Mapping m) {
        List<String> kinds = STEP_KINDS.stream().filter(s::has).toList();
        if (kinds.isEmpty()) {
            // "- pause: {}" is a map with a key; "- pause:" alone reads as pause: null, still an indefinite pause
            if (s.isMap() && s.entries().containsKey("pause")) {
                kinds = List.of("pause");
            } else {
                m.error(s.pointer(), "model.step", "this step is none of " + String.join(", ", STEP_KINDS));
                return Optional.empty();
            }
        }
        if (kinds.size() > 1) {
            m.error(s.pointer(), "model.step", "a step does one thing; this one has " + String.join(" and ", kinds));
            return Optional.empty();
        }
        boolean irreversible = s.get("irreversible").bool(false);
        String kind = kinds.get(0);
        Node body = s.get(kind);
        switch (kind) {
            case "setWeight": {
                var w = body.integer();
                if (w.isEmpty()) {
                    m.error(body.pointer(), "model.step", "setWeight needs a whole number from 0 to 100");
                    return Optional.empty();
                }
                return Optional.of(new SetWeight(w.getAsInt(), irreversible, body.pointer()));
            }
            case "pause": {
                Node d = body.get("duration");
                if (d.isMissing()) {
                    return Optional.of(new Pause(Optional.empty(), Optional.empty(), irreversible, body.pointer()));
                }
                Optional<java.time.Duration> duration = d.duration();
                if (duration.isEmpty()) {
                    return Optional.empty(); // reported by duration(); reading it as indefinite would change its meaning
                }
                return Optional.of(new Pause(duration, Optional.empty(), irreversible, body.pointer()));
            }
            case "analysis":
                return Optional.of(new AnalysisStep(AnalysisMapper.rolloutAnalysis(body, m), irreversible, body.pointer()));
            case "setCanaryScale":
                return Optional.of(new SetCanaryScale(body.get("weight").optInt(), body.get("replicas").optInt(),
                        body.get("matchTrafficWeight").bool(false), irreversible, body.pointer()));
            case "setHeaderRoute": {
                List<HeaderMatch> matches = new ArrayList<>();
                for (Node match : body.get("match").items()) {
                    stringMatch(match.get("headerValue"), m).ifPresent(v ->
                            matches.add(new HeaderMatch(match.get("headerName").string(""), v)));
                }
                return Optional.of(new SetHeaderRoute(body.get("name").string(""), matches, irreversible, body.pointer()));
            }
            case "setMirrorRoute": {
                List<RouteMatch> matches = new ArrayList<>();
                for (Node match : body.get("match").items()) {
                    Map<String, StringMatch> headers = new LinkedHashMap<>();
                    match.get("headers").entries().forEach((h, v) -> stringMatch(v, m).ifPresent(sm -> headers.put(h, sm)));
                    matches.add(new RouteMatch(stringMatch(match.get("method"), m), stringMatch(match.get("path"), m), headers));
                }
                return Optional.of(new SetMirrorRoute(body.get("name").string(""), body.get("percentage").optInt(),
                        matches, irreversible, body.pointer()));
            }
            case "experiment":
                return experiment(body, irreversible, m);
            default: // plugin
                return Optional.of(new PluginStep(body.get("name").string(""), body.get("config").rawMap(), irreversible, body.pointer()));
        }
    }

    private static Optional<Step> experiment(Node body, boolean irreversible, Mapping m) {
        Optional<java.time.Duration> duration = Optional.empty();
        if (body.has("duration")) {
            duration = body.get("duration").duration();
            if (duration.isEmpty()) {
                return Optional.empty();
            }
        }
        List<ExperimentStep.Template> templates = new ArrayList<>();
        for (Node t : body.get("templates").items()) {
            String specRef = t.get("specRef").string("");
            ExperimentStep.SpecRef ref;
            if (specRef.equals("stable")) {
                ref = ExperimentStep.SpecRef.STABLE;
            } else if (specRef.equals("canary")) {
                ref = ExperimentStep.SpecRef.CANARY;
            } else {
                m.error(t.get("specRef").pointer(), "model.spec-ref", "specRef is '" + specRef + "'; it must be stable or canary");
                return Optional.empty();
            }
            templates.add(new ExperimentStep.Template(t.get("name").string(""), ref, t.get("replicas").optInt(), t.get("weight").optInt()));
        }
        List<ExperimentStep.Analysis> analyses = new ArrayList<>();
        for (Node a : body.get("analyses").items()) {
            List<Arg> args = new ArrayList<>();
            for (Node arg : a.get("args").items()) {
                AnalysisMapper.args(arg, m).ifPresent(args::add);
            }
            String templateName = a.get("templateName").string("");
            analyses.add(new ExperimentStep.Analysis(a.get("name").string(templateName),
                    TemplateRef.named(templateName, a.get("clusterScope").bool(false), a.get("templateName").pointer()),
                    args, a.get("requiredForCompletion").bool(false)));
        }
        return Optional.of(new ExperimentStep(duration, templates, analyses, irreversible, body.pointer()));
    }

    static Optional<StringMatch> stringMatch(Node n, Mapping m) {
        if (!n.isMap()) {
            return Optional.empty();
        }
        for (StringMatch.Type t : StringMatch.Type.values()) {
            if (n.has(t.field())) {
                return Optional.of(new StringMatch(t, n.get(t.field()).string("")));
            }
        }
        m.odd(n.pointer(), "a match needs exact, prefix or regex; this one is skipped");
        return Optional.empty();
    }

    private static TrafficRouting trafficRouting(Node tr, Mapping m) {
        if (!tr.isMap()) {
            return TrafficRouting.REPLICA_RATIO;
        }
        List<TrafficRouter> routers = new ArrayList<>();
        for (Map.Entry<String, Node> e : tr.entries().entrySet()) {
            Node n = e.getValue();
            switch (e.getKey()) {
                case "nginx": {
                    List<String> ingresses = new ArrayList<>(n.get("stableIngress").text().map(List::of).orElse(List.of()));
                    ingresses.addAll(n.get("stableIngresses").strings());
                    routers.add(new NginxRouter(ingresses, n.get("annotationPrefix").text(),
                            n.get("additionalIngressAnnotations").stringMap(), n.pointer()));
                    break;
                }
                case "istio": {
                    List<IstioRouter.VirtualService> vss = new ArrayList<>();
                    List<Node> vsNodes = new ArrayList<>();
                    if (n.has("virtualService")) {
                        vsNodes.add(n.get("virtualService"));
                    }
                    vsNodes.addAll(n.get("virtualServices").items());
                    for (Node vs : vsNodes) {
                        vss.add(new IstioRouter.VirtualService(vs.get("name").string(""), vs.get("routes").strings()));
                    }
                    Node dr = n.get("destinationRule");
                    Optional<IstioRouter.DestinationRule> rule = dr.isMap()
                            ? Optional.of(new IstioRouter.DestinationRule(dr.get("name").string(""),
                                    dr.get("canarySubsetName").string(""), dr.get("stableSubsetName").string("")))
                            : Optional.empty();
                    routers.add(new IstioRouter(vss, rule, n.pointer()));
                    break;
                }
                case "smi":
                    routers.add(new SmiRouter(n.get("rootService").text(), n.get("trafficSplitName").text(), n.pointer()));
                    break;
                case "alb": {
                    List<String> ingresses = new ArrayList<>(n.get("ingress").text().map(List::of).orElse(List.of()));
                    ingresses.addAll(n.get("ingresses").strings());
                    routers.add(new AlbRouter(ingresses, n.get("servicePort").integer(0), n.get("rootService").text(),
                            n.get("annotationPrefix").text(), n.pointer()));
                    break;
                }
                case "plugins":
                    n.entries().forEach((name, config) -> routers.add(new PluginRouter(name, config.rawMap(), config.pointer())));
                    break;
                case "ambassador":
                case "appMesh":
                case "traefik":
                case "apisix":
                    routers.add(new OtherRouter(e.getKey(), n.rawMap(), !e.getKey().equals("appMesh"), n.pointer()));
                    break;
                case "managedRoutes":
                case "maxTrafficWeight":
                    break;
                default:
                    m.odd(n.pointer(), "trafficRouting." + e.getKey() + " is not a router Stepwise knows; ignored");
            }
        }
        List<String> managed = new ArrayList<>();
        for (Node r : tr.get("managedRoutes").items()) {
            r.get("name").text().ifPresent(managed::add);
        }
        return new TrafficRouting(routers, managed, tr.get("maxTrafficWeight").integer(100));
    }

    private static BlueGreenStrategy blueGreen(Node b, Mapping m) {
        Node pre = b.get("prePromotionAnalysis");
        Node post = b.get("postPromotionAnalysis");
        return new BlueGreenStrategy(b.get("activeService").string(""), b.get("previewService").text(),
                b.get("previewReplicaCount").optInt(), b.get("autoPromotionEnabled").bool(true),
                b.get("autoPromotionSeconds").integer(0),
                pre.isMap() ? Optional.of(AnalysisMapper.rolloutAnalysis(pre, m)) : Optional.empty(),
                post.isMap() ? Optional.of(AnalysisMapper.rolloutAnalysis(post, m)) : Optional.empty(),
                b.get("scaleDownDelaySeconds").integer(BlueGreenStrategy.DEFAULT_SCALE_DOWN_DELAY_SECONDS),
                b.get("scaleDownDelayRevisionLimit").optInt(),
                b.get("abortScaleDownDelaySeconds").integer(BlueGreenStrategy.DEFAULT_ABORT_SCALE_DOWN_DELAY_SECONDS),
                intOrPercent(b.get("maxUnavailable"), m), podMetadata(b.get("previewMetadata")),
                podMetadata(b.get("activeMetadata")), List.of(), List.of());
    }

    private static IntOrPercent intOrPercent(Node n, Mapping m) {
        if (n.isMissing()) {
            return IntOrPercent.TWENTY_FIVE_PERCENT;
        }
        Optional<IntOrPercent> v = IntOrPercent.parse(n.value());
        if (v.isEmpty()) {
            m.odd(n.pointer(), "expected a number of pods or a percentage such as 25%, found " + Node.shape(n.value())
                    + "; Argo's default 25% is used");
        }
        return v.orElse(IntOrPercent.TWENTY_FIVE_PERCENT);
    }

    static PodMetadata podMetadata(Node n) {
        return n.isMap() ? new PodMetadata(n.get("labels").stringMap(), n.get("annotations").stringMap()) : PodMetadata.NONE;
    }

    /** {@code spec.waves}: a list of waves, each a list of cluster names (a single name is a wave of one). */
    static List<List<String>> waves(Node waves) {
        List<List<String>> out = new ArrayList<>();
        for (Node wave : waves.items()) {
            List<String> clusters = wave.strings();
            if (!clusters.isEmpty()) {
                out.add(clusters);
            }
        }
        return out;
    }

    static Optional<PromoteTo> promoteTo(Node p, Mapping m) {
        if (!p.isMap()) {
            return Optional.empty();
        }
        String mode = p.get("mode").string("direct");
        Optional<PromoteTo.Mode> parsed = PromoteTo.Mode.of(mode);
        if (parsed.isEmpty()) {
            m.error(p.get("mode").pointer(), "model.promote-mode", "promoteTo.mode is '" + mode + "'; use direct or pull-request");
        }
        return Optional.of(new PromoteTo(p.get("path").string(""), parsed.orElse(PromoteTo.Mode.DIRECT)));
    }

    static RevertMode revert(Node r, Mapping m) {
        if (r.isMissing()) {
            return RevertMode.NONE;
        }
        String v = r.string("none");
        Optional<RevertMode> mode = RevertMode.of(v);
        if (mode.isEmpty()) {
            m.error(r.pointer(), "model.revert", "onAbort.revert is '" + v + "'; use none, revert-branch or revert-commit");
        }
        return mode.orElse(RevertMode.NONE);
    }
}
