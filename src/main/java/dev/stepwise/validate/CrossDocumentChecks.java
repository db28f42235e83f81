package dev.stepwise.validate;

import dev.stepwise.spec.Finding;
import dev.stepwise.spec.JsonPointer;
import dev.stepwise.spec.Location;
import dev.stepwise.spec.Severity;
import dev.stepwise.spec.SpecDocument;
import dev.stepwise.spec.SpecSet;
import dev.stepwise.spec.model.AnalysisStep;
import dev.stepwise.spec.model.AnalysisTemplateSpec;
import dev.stepwise.spec.model.Arg;
import dev.stepwise.spec.model.BlueGreenStrategy;
import dev.stepwise.spec.model.CanaryStrategy;
import dev.stepwise.spec.model.ExperimentStep;
import dev.stepwise.spec.model.IstioRouter;
import dev.stepwise.spec.model.MetricSpec;
import dev.stepwise.spec.model.Origin;
import dev.stepwise.spec.model.ProviderSpec;
import dev.stepwise.spec.model.RepositoryModel;
import dev.stepwise.spec.model.RolloutSpec;
import dev.stepwise.spec.model.SetHeaderRoute;
import dev.stepwise.spec.model.SetMirrorRoute;
import dev.stepwise.spec.model.Step;
import dev.stepwise.spec.model.TemplateRef;
import dev.stepwise.spec.model.TrafficRouter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks that need more than one document, or more than one field: what JSON Schema cannot see. Each finding is
 * located at the offending field and has a {@code cross.*} code:
 * <ul>
 *   <li>{@code cross.template-missing}: an analysis names a template that is not there (an AnalysisTemplate in the
 *       rollout's namespace, or a ClusterAnalysisTemplate with {@code clusterScope: true}), with the nearest name;</li>
 *   <li>{@code cross.arg-missing}: a template needs an argument (no value, no valueFrom) the rollout does not pass;</li>
 *   <li>{@code cross.arg-unused} (warning): the rollout passes an argument no template declares;</li>
 *   <li>{@code cross.service-same}, {@code cross.service-missing}: canary/stable or active/preview services that are
 *       the same, or missing where the traffic router needs them;</li>
 *   <li>{@code cross.istio-subset}: Istio subset routing without two distinct subset names;</li>
 *   <li>{@code cross.managed-route}: a header or mirror route step naming a route not in managedRoutes;</li>
 *   <li>{@code cross.duplicate-rollout}: two rollouts (Rollout or Canary) with one namespace/name;</li>
 *   <li>{@code cross.metric-template-missing}: a Flagger metric's templateRef names no MetricTemplate.</li>
 * </ul>
 */
public final class CrossDocumentChecks {

    private CrossDocumentChecks() {
    }

    public static List<Finding> check(SpecSet set, RepositoryModel model) {
        List<Finding> out = new ArrayList<>();
        duplicates(set, out);
        Map<String, SpecDocument> byPlace = new HashMap<>();
        set.documents().forEach(d -> byPlace.putIfAbsent(d.file() + "#" + d.index(), d));
        for (RolloutSpec r : model.rollouts()) {
            Optional<SpecDocument> doc = Optional.ofNullable(byPlace.get(r.file() + "#" + r.documentIndex()));
            if (doc.isEmpty()) {
                continue; // a model built from another set: nothing to locate findings in
            }
            new RolloutChecks(r, doc.get(), model, out).run();
        }
        out.sort(Finding.BY_PLACE);
        return out;
    }

    private static void duplicates(SpecSet set, List<Finding> out) {
        Map<String, SpecDocument> first = new HashMap<>();
        for (SpecDocument d : set.rollouts()) {
            if (d.name().isEmpty()) {
                continue;
            }
            SpecDocument earlier = first.putIfAbsent(d.qualifiedName(), d);
            if (earlier != null) {
                Location at = earlier.locate("/metadata/name");
                out.add(d.finding(Severity.ERROR, "/metadata/name", "cross.duplicate-rollout", d.describe()
                        + " has the same namespace and name as the " + earlier.kindName() + " at " + at
                        + "; one of them would overwrite the other's state"));
            }
        }
    }

    /** The checks of one rollout. */
    private static final class RolloutChecks {
        private final RolloutSpec r;
        private final SpecDocument doc;
        private final RepositoryModel model;
        private final List<Finding> out;

        RolloutChecks(RolloutSpec r, SpecDocument doc, RepositoryModel model, List<Finding> out) {
            this.r = r;
            this.doc = doc;
            this.model = model;
            this.out = out;
        }

        void run() {
            if (r.strategy() instanceof CanaryStrategy c) {
                for (int i = 0; i < c.steps().size(); i++) {
                    Step s = c.steps().get(i);
                    if (s instanceof AnalysisStep a) {
                        analysis("the analysis at step " + (i + 1), a.templates(), a.args(), a.analysis().pointer());
                    } else if (s instanceof ExperimentStep e) {
                        for (ExperimentStep.Analysis a : e.analyses()) {
                            analysis("experiment analysis '" + a.name() + "' at step " + (i + 1), List.of(a.template()), a.args(),
                                    JsonPointer.parent(a.template().pointer()));
                        }
                    }
                    routeStep(c, s, i);
                }
                c.analysis().ifPresent(bg -> analysis("the background analysis", bg.analysis().templates(),
                        bg.analysis().args(), bg.analysis().pointer()));
                if (r.origin() == Origin.ARGO_ROLLOUT) {
                    canaryServices(c);
                }
            } else if (r.strategy() instanceof BlueGreenStrategy b) {
                b.prePromotionAnalysis().ifPresent(a -> analysis("prePromotionAnalysis", a.templates(), a.args(), a.pointer()));
                b.postPromotionAnalysis().ifPresent(a -> analysis("postPromotionAnalysis", a.templates(), a.args(), a.pointer()));
                if (r.origin() == Origin.ARGO_ROLLOUT) {
                    String base = "/spec/strategy/blueGreen";
                    if (b.previewService().isPresent() && b.previewService().get().equals(b.activeService())) {
                        error(base + "/previewService", "cross.service-same", "previewService and activeService are both '"
                                + b.activeService() + "': the preview would take live traffic before promotion");
                    }
                }
            }
            flaggerMetricTemplates();
        }

        private void analysis(String where, List<TemplateRef> refs, List<Arg> args, String pointer) {
            List<AnalysisTemplateSpec> found = new ArrayList<>();
            boolean allFound = true;
            for (TemplateRef ref : refs) {
                if (ref.inline()) {
                    allFound = false; // built by Stepwise from a Flagger Canary: nothing to look up, no arguments
                    continue;
                }
                Optional<AnalysisTemplateSpec> t = model.template(r, ref);
                if (t.isPresent()) {
                    found.add(t.get());
                } else {
                    allFound = false;
                    missingTemplate(where, ref);
                }
            }
            Set<String> passed = new LinkedHashSet<>();
            args.forEach(a -> passed.add(a.name()));
            for (AnalysisTemplateSpec t : found) {
                for (Arg required : t.requiredArgs()) {
                    if (!passed.contains(required.name())) {
                        error(pointer + "/args", "cross.arg-missing", where + " uses template " + t.name() + ", which needs argument '"
                                + required.name() + "' (it has no value or valueFrom); pass it under args");
                    }
                }
            }
            if (!allFound) {
                return; // an argument may be meant for the template that is missing; say nothing about it
            }
            for (Arg a : args) {
                boolean declared = found.stream().anyMatch(t -> t.arg(a.name()).isPresent());
                if (!declared) {
                    out.add(doc.finding(Severity.WARNING, a.pointer() + "/name", "cross.arg-unused", where + " passes argument '"
                            + a.name() + "', which no template it uses declares (" + names(found) + ")" + suggestion(a.name(),
                            found.stream().flatMap(t -> t.args().stream()).map(Arg::name).toList())));
                }
            }
        }

        private void missingTemplate(String where, TemplateRef ref) {
            String name = ref.templateName();
            String message;
            if (ref.clusterScope()) {
                message = where + " names ClusterAnalysisTemplate '" + name + "', which is not in the repository";
                if (model.templates().containsKey(r.namespace() + "/" + name)) {
                    message += "; an AnalysisTemplate " + r.namespace() + "/" + name + " exists: drop clusterScope: true";
                } else {
                    message += suggestion(name, model.clusterTemplates().keySet());
                }
            } else {
                message = where + " names AnalysisTemplate '" + name + "', which is not in namespace " + r.namespace();
                if (model.clusterTemplates().containsKey(name)) {
                    message += "; a ClusterAnalysisTemplate " + name + " exists: add clusterScope: true";
                } else {
                    message += suggestion(name, model.templateNames(r.namespace()));
                }
            }
            error(ref.pointer(), "cross.template-missing", message);
        }

        private void canaryServices(CanaryStrategy c) {
            String base = "/spec/strategy/canary";
            if (c.canaryService().isPresent() && c.canaryService().equals(c.stableService())) {
                error(base + "/stableService", "cross.service-same", "canaryService and stableService are both '"
                        + c.canaryService().get() + "': Argo points them at different ReplicaSets, so they must be two Services");
            }
            for (TrafficRouter router : c.trafficRouting().routers()) {
                if (router.needsCanaryAndStableServices() && (c.canaryService().isEmpty() || c.stableService().isEmpty())) {
                    String missing = c.canaryService().isEmpty() && c.stableService().isEmpty() ? "canaryService and stableService"
                            : c.canaryService().isEmpty() ? "canaryService" : "stableService";
                    error(router.pointer(), "cross.service-missing", "traffic routing with " + router.type() + " needs "
                            + missing + " under strategy.canary to know where each weight goes");
                }
                if (router instanceof IstioRouter istio && istio.destinationRule().isPresent()) {
                    IstioRouter.DestinationRule dr = istio.destinationRule().get();
                    String at = router.pointer() + "/destinationRule";
                    if (dr.canarySubsetName().isEmpty() || dr.stableSubsetName().isEmpty()) {
                        error(at, "cross.istio-subset", "Istio subset routing needs both canarySubsetName and stableSubsetName in destinationRule "
                                + dr.name());
                    } else if (dr.canarySubsetName().equals(dr.stableSubsetName())) {
                        error(at + "/stableSubsetName", "cross.istio-subset", "canarySubsetName and stableSubsetName are both '"
                                + dr.canarySubsetName() + "': the canary and stable pods need subsets of their own");
                    }
                }
            }
        }

        private void routeStep(CanaryStrategy c, Step s, int i) {
            String name = s instanceof SetHeaderRoute h ? h.name() : s instanceof SetMirrorRoute m ? m.name() : null;
            if (name == null || r.origin() != Origin.ARGO_ROLLOUT) {
                return;
            }
            if (!c.trafficRouting().managedRoutes().contains(name)) {
                error(s.pointer() + "/name", "cross.managed-route", s.kind() + " at step " + (i + 1) + " uses route '" + name
                        + "', which is not listed in trafficRouting.managedRoutes; Argo only touches routes listed there"
                        + suggestion(name, c.trafficRouting().managedRoutes()));
            }
        }

        /**
         * Flagger metrics whose templateRef stayed unresolved (RepositoryModel found no such MetricTemplate), or whose
         * template's query uses a variable the Canary does not give.
         */
        private void flaggerMetricTemplates() {
            for (AnalysisTemplateSpec t : r.inlineTemplates().values()) {
                for (MetricSpec m : t.metrics()) {
                    if (m.provider().config().get(ProviderSpec.FLAGGER_QUERY_PROBLEM) instanceof String why) {
                        error(m.pointer() + "/templateRef", "cross.metric-template-query", "metric '" + m.name() + "': "
                                + m.provider().config().get("templateRef") + "'s query cannot be rendered for this Canary: " + why);
                        continue;
                    }
                    if (!m.provider().type().equals(ProviderSpec.FLAGGER_TEMPLATE_REF)) {
                        continue;
                    }
                    String ns = String.valueOf(m.provider().config().get("namespace"));
                    String name = String.valueOf(m.provider().config().get("name"));
                    List<String> candidates = model.metricTemplates().values().stream()
                            .filter(mt -> mt.namespace().equals(ns)).map(mt -> mt.name()).toList();
                    error(m.pointer() + "/templateRef/name", "cross.metric-template-missing", "metric '" + m.name()
                            + "' names MetricTemplate " + ns + "/" + name + ", which is not in the repository" + suggestion(name, candidates));
                }
            }
        }

        private void error(String pointer, String code, String message) {
            out.add(doc.finding(Severity.ERROR, pointer, code, message));
        }
    }

    private static String names(List<AnalysisTemplateSpec> templates) {
        return String.join(", ", templates.stream().map(AnalysisTemplateSpec::name).toList());
    }

    /** {@code " (did you mean 'x'?)"} for the nearest candidate close enough to be a typo, else "". */
    static String suggestion(String name, Collection<String> candidates) {
        return Suggestions.nearest(name, candidates).map(best -> " (did you mean '" + best + "'?)").orElse("");
    }
}
