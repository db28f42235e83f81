package dev.stepwise.spec.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.spec.Finding;
import dev.stepwise.spec.SpecSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RolloutMappingTest {

    @Test
    void mapsIdentityImagesAndStepwiseExtensions() {
        RolloutSpec r = ModelCases.rollout("canary-istio.yaml", "checkout-api");
        assertThat(r.qualifiedName()).isEqualTo("shop/checkout-api");
        assertThat(r.origin()).isEqualTo(Origin.ARGO_ROLLOUT);
        assertThat(r.file()).isEqualTo("model-cases/canary-istio.yaml");
        assertThat(r.replicas()).isEqualTo(10);
        assertThat(r.images()).containsExactly(
                Map.entry("checkout-api", "your-org/checkout-api:v2.1.0"),
                Map.entry("envoy", "envoyproxy/envoy:v1.30.1"),
                Map.entry("migrate", "your-org/checkout-migrate:v2.1.0"));
        assertThat(r.progressDeadlineSeconds()).isEqualTo(900);
        assertThat(r.progressDeadlineAbort()).isTrue();
        assertThat(r.minReadySeconds()).isEqualTo(5);
        assertThat(r.revisionHistoryLimit()).isEqualTo(3);
        assertThat(r.waves()).containsExactly(List.of("staging-eu"), List.of("prod-eu", "prod-us"));
        assertThat(r.promoteTo()).contains(new PromoteTo("envs/production/checkout-api.yaml", PromoteTo.Mode.PULL_REQUEST));
        assertThat(r.onAbortRevert()).isEqualTo(RevertMode.REVERT_BRANCH);
        assertThat(r.podTemplateHash()).hasSize(10).matches("[bcdfghjklmnpqrstvwxz2456789]+");
    }

    @Test
    void mapsCanaryWithIstioSubsetsAndBackgroundAnalysis() {
        CanaryStrategy c = ModelCases.rollout("canary-istio.yaml", "checkout-api").canary().orElseThrow();
        assertThat(c.canaryService()).contains("checkout-api-canary");
        assertThat(c.stableService()).contains("checkout-api-stable");
        assertThat(c.maxSurge()).isEqualTo(IntOrPercent.percent(50));
        assertThat(c.maxUnavailable()).isEqualTo(IntOrPercent.of(0));
        assertThat(c.dynamicStableScale()).isTrue();
        assertThat(c.trafficRouting().managedRoutes()).containsExactly("header-route", "mirror-route");
        IstioRouter istio = (IstioRouter) c.trafficRouting().routers().get(0);
        assertThat(istio.virtualServices()).containsExactly(new IstioRouter.VirtualService("checkout-vs", List.of("primary")));
        assertThat(istio.destinationRule()).contains(new IstioRouter.DestinationRule("checkout-dr", "canary", "stable"));
        assertThat(istio.needsCanaryAndStableServices()).isFalse();

        BackgroundAnalysis bg = c.analysis().orElseThrow();
        assertThat(bg.startingStep()).isEqualTo(2);
        assertThat(bg.analysis().templates()).extracting(TemplateRef::templateName).containsExactly("latency");

        assertThat(c.steps()).extracting(Step::describe).containsExactly(
                "setWeight 10", "pause 5m", "analysis success-rate", "setWeight 50", "pause until promoted", "setWeight 100");
        AnalysisStep analysis = (AnalysisStep) c.steps().get(2);
        assertThat(analysis.args()).extracting(Arg::toString)
                .containsExactly("service=checkout-api-canary", "hash=podTemplateHashValue Latest");
        assertThat(analysis.pointer()).isEqualTo("/spec/strategy/canary/steps/2/analysis");
        assertThat(c.steps().get(5).irreversible()).isTrue();
        assertThat(c.steps().get(3).irreversible()).isFalse();
    }

    @Test
    void mapsEveryStepType() {
        ModelResult<RolloutSpec> result = SpecModel.rollout(ModelCases.doc(ModelCases.load("all-steps.yaml"), "every-step"));
        assertThat(result.findings()).isEmpty();
        List<Step> steps = result.get().canary().orElseThrow().steps();
        assertThat(steps).extracting(Step::describe).containsExactly(
                "setWeight 5",
                "pause 30s",
                "pause 1h30m",
                "pause until promoted",
                "analysis smoke, global-errors (cluster)",
                "setCanaryScale replicas 3",
                "setCanaryScale weight 25%",
                "setCanaryScale matchTrafficWeight",
                "setHeaderRoute beta-users: x-beta exact 'true' or user-agent regex '.*Android.*'",
                "setMirrorRoute mirror-get: mirror 35% of method exact 'GET' and path prefix '/api'",
                "setMirrorRoute mirror-get: remove",
                "experiment 10m: baseline (stable, 2 replicas), candidate (canary, 1 replica, weight 5%); analyses compare=smoke",
                "plugin stepwise/notify",
                "setHeaderRoute beta-users: remove");
        assertThat(steps).extracting(Step::kind).containsExactly("setWeight", "pause", "pause", "pause", "analysis",
                "setCanaryScale", "setCanaryScale", "setCanaryScale", "setHeaderRoute", "setMirrorRoute", "setMirrorRoute",
                "experiment", "plugin", "setHeaderRoute");
        assertThat(((Pause) steps.get(1)).duration()).contains(Duration.ofSeconds(30));
        assertThat(((Pause) steps.get(3)).isIndefinite()).isTrue();
        AnalysisStep a = (AnalysisStep) steps.get(4);
        assertThat(a.templates().get(1).clusterScope()).isTrue();
        assertThat(a.args().get(0).valueFrom()).contains(new ValueFrom(ValueFrom.Kind.FIELD_REF, "metadata.labels['app']"));
        ExperimentStep e = (ExperimentStep) steps.get(11);
        assertThat(e.duration()).contains(Duration.ofMinutes(10));
        assertThat(e.templates().get(0)).isEqualTo(new ExperimentStep.Template("baseline", ExperimentStep.SpecRef.STABLE, Optional.of(2), Optional.empty()));
        assertThat(e.analyses().get(0).requiredForCompletion()).isTrue();
        PluginStep p = (PluginStep) steps.get(12);
        assertThat(p.config()).containsEntry("channel", "#deploys");
        assertThat(p.irreversible()).isTrue();
        PluginRouter router = (PluginRouter) result.get().canary().orElseThrow().trafficRouting().routers().get(0);
        assertThat(router.name()).isEqualTo(PluginRouter.GATEWAY_API);
        assertThat(router.describe()).isEqualTo("gateway API httpRoute app-route");
    }

    @Test
    void mapsEachTrafficRouter() {
        RepositoryModel model = ModelCases.model("routers.yaml");
        assertThat(model.findings()).isEmpty();
        NginxRouter nginx = (NginxRouter) routers(model, "via-nginx").get(0);
        assertThat(nginx.stableIngresses()).containsExactly("app-ingress");
        assertThat(nginx.annotationPrefix()).contains("custom.nginx.ingress.kubernetes.io");
        assertThat(nginx.additionalIngressAnnotations()).containsEntry("canary-by-header", "X-Canary");
        SmiRouter smi = (SmiRouter) routers(model, "via-smi").get(0);
        assertThat(smi.rootService()).contains("app");
        assertThat(smi.trafficSplitName()).contains("app-split");
        AlbRouter alb = (AlbRouter) routers(model, "via-alb").get(0);
        assertThat(alb.ingresses()).containsExactly("app-alb");
        assertThat(alb.servicePort()).isEqualTo(443);
        assertThat(alb.rootService()).contains("app-root");
        assertThat(model.rollout("default", "via-alb").orElseThrow().canary().orElseThrow().trafficRouting().maxTrafficWeight())
                .isEqualTo(1000);
        List<TrafficRouter> two = routers(model, "via-ambassador");
        assertThat(two).extracting(TrafficRouter::type).containsExactly("ambassador", "istio");
        assertThat(((OtherRouter) two.get(0)).config()).containsKey("mappings");
        assertThat(((IstioRouter) two.get(1)).virtualServices()).extracting(IstioRouter.VirtualService::toString)
                .containsExactly("vs-a", "vs-b (routes one, two)");
    }

    @Test
    void appliesArgoDefaults() {
        RepositoryModel model = ModelCases.model("defaults.yaml");
        RolloutSpec canary = model.rollout("default", "plain-canary").orElseThrow();
        assertThat(canary.replicas()).isEqualTo(1);
        assertThat(canary.progressDeadlineSeconds()).isEqualTo(600);
        assertThat(canary.progressDeadlineAbort()).isFalse();
        assertThat(canary.revisionHistoryLimit()).isEqualTo(10);
        assertThat(canary.onAbortRevert()).isEqualTo(RevertMode.NONE);
        assertThat(canary.waves()).isEmpty();
        CanaryStrategy c = canary.canary().orElseThrow();
        assertThat(c.steps()).isEmpty();
        assertThat(c.trafficRouting().isReplicaRatio()).isTrue();
        assertThat(c.maxSurge()).hasToString("25%");
        assertThat(c.maxUnavailable()).hasToString("25%");
        assertThat(c.scaleDownDelaySeconds()).isEqualTo(30);
        assertThat(c.abortScaleDownDelaySeconds()).isEqualTo(30);
        assertThat(c.analysis()).isEmpty();

        RolloutSpec bg = model.rollout("web", "plain-bluegreen").orElseThrow();
        assertThat(bg.workloadRef()).contains(new WorkloadRef("apps/v1", "Deployment", "web-frontend", WorkloadRef.ScaleDown.PROGRESSIVELY));
        assertThat(bg.images()).isEmpty();
        BlueGreenStrategy b = bg.blueGreen().orElseThrow();
        assertThat(b.autoPromotionEnabled()).isTrue();
        assertThat(b.autoPromotionSeconds()).isZero();
        assertThat(b.scaleDownDelaySeconds()).isEqualTo(30);
        assertThat(b.abortScaleDownDelaySeconds()).isEqualTo(30);
        assertThat(b.previewService()).isEmpty();
        assertThat(b.previewReplicaCount()).isEmpty();
    }

    @Test
    void mapsBlueGreen() {
        BlueGreenStrategy b = ModelCases.rollout("bluegreen.yaml", "storefront").blueGreen().orElseThrow();
        assertThat(b.activeService()).isEqualTo("storefront-active");
        assertThat(b.previewService()).contains("storefront-preview");
        assertThat(b.previewReplicaCount()).contains(2);
        assertThat(b.autoPromotionSeconds()).isEqualTo(600);
        assertThat(b.scaleDownDelaySeconds()).isEqualTo(120);
        assertThat(b.scaleDownDelayRevisionLimit()).contains(1);
        assertThat(b.prePromotionAnalysis().orElseThrow().templateNames()).isEqualTo("smoke-tests");
        assertThat(b.postPromotionAnalysis().orElseThrow().templates().get(0).clusterScope()).isTrue();
    }

    @Test
    void podTemplateHashChangesWithContentNotWithKeyOrder() {
        String a = "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: a}\nspec:\n  strategy: {canary: {}}\n"
                + "  template:\n    metadata: {labels: {app: a, tier: web}}\n    spec: {containers: [{name: app, image: app:1}]}\n";
        String reordered = "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: a}\nspec:\n  strategy: {canary: {}}\n"
                + "  template:\n    spec: {containers: [{image: app:1, name: app}]}\n    metadata: {labels: {tier: web, app: a}}\n";
        String changed = a.replace("app:1", "app:2");
        assertThat(hash(a)).isEqualTo(hash(reordered)).isNotEqualTo(hash(changed));
    }

    @Test
    void oddInputGivesLocatedFindingsNotExceptions() {
        SpecSet set = ModelCases.yaml("bad.yaml", String.join("\n",
                "apiVersion: argoproj.io/v1alpha1",
                "kind: Rollout",
                "metadata: {name: bad}",
                "spec:",
                "  replicas: lots",
                "  workloadRef: {name: app}",
                "  strategy:",
                "    canary:",
                "      steps:",
                "        - setWeight: 10",
                "        - pause: {duration: 5 minutes}",
                ""));
        ModelResult<RolloutSpec> r = SpecModel.rollout(set.documents().get(0));
        assertThat(r.isPresent()).isFalse();
        assertThat(r.findings()).extracting(Finding::toLine).contains(
                "bad.yaml:5:13: warning: expected a whole number here, found the string 'lots'; ignored (at /spec/replicas) [model.unreadable]",
                "bad.yaml:11:29: error: '5 minutes' has unknown unit ' minutes': use ms, s, m or h (e.g. 500ms, 30s, 5m, 1h30m) (at /spec/strategy/canary/steps/1/pause/duration) [model.duration]");
    }

    @Test
    void aRolloutWithoutStrategyOrWithTwoIsAnError() {
        SpecSet set = ModelCases.yaml("s.yaml", "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: none}\nspec: {replicas: 1}\n"
                + "---\napiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: both}\nspec:\n  strategy: {canary: {}, blueGreen: {activeService: a}}\n");
        assertThat(SpecModel.rollout(set.documents().get(0)).findings()).extracting(Finding::code).contains("model.strategy");
        assertThat(SpecModel.rollout(set.documents().get(1)).findings()).extracting(Finding::message)
                .contains("a Rollout has one strategy; this one has both canary and blueGreen");
    }

    private static String hash(String yaml) {
        return SpecModel.rollout(ModelCases.yaml("h.yaml", yaml).documents().get(0)).get().podTemplateHash();
    }

    private static List<TrafficRouter> routers(RepositoryModel model, String name) {
        return model.rollout("default", name).orElseThrow().canary().orElseThrow().trafficRouting().routers();
    }
}
