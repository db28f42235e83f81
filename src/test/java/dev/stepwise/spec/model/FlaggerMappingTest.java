package dev.stepwise.spec.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.spec.Finding;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FlaggerMappingTest {

    @Test
    void stepWeightUpToMaxWeightBecomesWeightAndIntervalPausesBetweenGates() {
        RolloutSpec r = ModelCases.model("flagger-canary.yaml").rollout("test", "podinfo").orElseThrow();
        assertThat(r.origin()).isEqualTo(Origin.FLAGGER_CANARY);
        assertThat(r.workloadRef()).contains(new WorkloadRef("apps/v1", "Deployment", "podinfo", WorkloadRef.ScaleDown.NEVER));
        assertThat(r.progressDeadlineSeconds()).isEqualTo(120);
        assertThat(r.progressDeadlineAbort()).isTrue();
        FlaggerSource f = r.flagger().orElseThrow();
        assertThat(f.mode()).isEqualTo(FlaggerSource.Mode.CANARY);
        assertThat(f.threshold()).isEqualTo(5);
        assertThat(f.maxWeight()).isEqualTo(50);
        assertThat(f.interval()).isEqualTo(Duration.ofMinutes(1));
        // service: {port: 9898}: Flagger's defaults for everything else
        assertThat(f.serviceBlock()).contains(new FlaggerSource.ServiceBlock(9898, Optional.empty(), "http", Optional.empty(), false,
                FlaggerSource.Metadata.NONE, FlaggerSource.Metadata.NONE, FlaggerSource.Metadata.NONE, List.of(), List.of(), List.of(), java.util.Map.of()));

        CanaryStrategy c = r.canary().orElseThrow();
        assertThat(c.steps()).extracting(Step::describe).containsExactly(
                "wait for confirm-rollout webhook 'approve-start'",
                "analysis flagger-pre-rollout",
                "setWeight 10", "pause 1m",
                "setWeight 20", "pause 1m",
                "setWeight 30", "pause 1m",
                "setWeight 40", "pause 1m",
                "setWeight 50", "pause 1m",
                "wait for confirm-promotion webhook 'approve-promotion'");
        assertThat(c.canaryService()).contains("podinfo-canary");
        assertThat(c.stableService()).contains("podinfo-primary");
        IstioRouter istio = (IstioRouter) c.trafficRouting().routers().get(0);
        assertThat(istio.virtualServices()).extracting(IstioRouter.VirtualService::name).containsExactly("podinfo");
        assertThat(c.steps().get(2).pointer()).isEqualTo("/spec/analysis/stepWeight");

        BackgroundAnalysis bg = c.analysis().orElseThrow();
        assertThat(bg.startingStep()).isEqualTo(2);
        assertThat(bg.analysis().templates()).containsExactly(TemplateRef.inline("flagger-metrics", "/spec/analysis/metrics"));
    }

    @Test
    void thresholdRangeBecomesSuccessConditionsAndTemplateRefResolvesToTheMetricTemplate() {
        RolloutSpec r = ModelCases.model("flagger-canary.yaml").rollout("test", "podinfo").orElseThrow();
        AnalysisTemplateSpec t = r.inlineTemplates().get("flagger-metrics");
        assertThat(t.metrics()).extracting(MetricSpec::name)
                .containsExactly("request-success-rate", "request-duration", "not-found-percentage", "load-test");
        MetricSpec success = t.metric("request-success-rate").orElseThrow();
        assertThat(success.successCondition()).contains("result >= 99");
        // Flagger's Istio query for the canary's own pods, over the metric's interval, at Flagger's default server
        assertThat(success.provider().type()).isEqualTo("prometheus");
        assertThat(success.provider().config()).containsEntry("address", "http://prometheus:9090")
                .containsEntry(ProviderSpec.FLAGGER_VALUE, true);
        assertThat(success.provider().query().orElseThrow()).isEqualTo("sum(rate(istio_requests_total{reporter=\"destination\","
                + "destination_workload_namespace=\"test\",destination_workload=~\"podinfo\",response_code!~\"5.*\"}[1m])) / "
                + "sum(rate(istio_requests_total{reporter=\"destination\",destination_workload_namespace=\"test\","
                + "destination_workload=~\"podinfo\"}[1m])) * 100");
        assertThat(success.interval().orElseThrow().value()).contains(Duration.ofMinutes(1));
        assertThat(success.failureLimit().value()).contains(4); // threshold 5: the fifth failed check rolls back
        assertThat(success.runsUntilStopped()).isTrue();
        MetricSpec duration = t.metric("request-duration").orElseThrow();
        assertThat(duration.successCondition()).contains("result <= 500");
        assertThat(duration.provider().query().orElseThrow()).startsWith("histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{")
                .endsWith("[30s])) by (le))");
        MetricSpec notFound = t.metric("not-found-percentage").orElseThrow();
        assertThat(notFound.successCondition()).contains("result >= 0.5 && result <= 5");
        assertThat(notFound.provider().type()).isEqualTo("prometheus");
        assertThat(notFound.provider().config()).containsEntry("address", "http://prometheus.istio-system:9090")
                .containsEntry("templateRef", "istio-system/not-found-percentage");
        // the MetricTemplate's query rendered over this Canary: {{ target }} and {{ interval }} filled in
        assertThat(notFound.provider().query().orElseThrow()).isEqualTo("100 - sum(rate(istio_requests_total{destination_workload=\"podinfo\","
                + "response_code!=\"404\"}[1m]))\n/ sum(rate(istio_requests_total{destination_workload=\"podinfo\"}[1m])) * 100");
        assertThat(notFound.provider().config()).containsEntry(ProviderSpec.FLAGGER_VALUE, true);
        assertThat(t.metric("load-test").orElseThrow().provider().type()).isEqualTo("flagger-webhook");
        assertThat(t.metric("load-test").orElseThrow().provider().config()).containsEntry("canary", "podinfo").containsEntry("namespace", "test");

        MetricSpec smoke = r.inlineTemplates().get("flagger-pre-rollout").metric("smoke").orElseThrow();
        assertThat(smoke.effectiveCount()).contains(1);
        assertThat(smoke.provider().config()).containsEntry("type", "pre-rollout").containsEntry("timeout", "15s");
    }

    @Test
    void stepWeightsWithMirrorAndTrafficIncreaseGates() {
        ModelResult<RolloutSpec> result = SpecModel.rollout(ModelCases.doc(ModelCases.load("flagger-stepweights.yaml"), "frontend"));
        assertThat(result.findings()).isEmpty();
        RolloutSpec r = result.get();
        CanaryStrategy c = r.canary().orElseThrow();
        assertThat(c.steps()).extracting(Step::describe).containsExactly(
                "wait for confirm-traffic-increase webhook 'more-traffic'",
                "setMirrorRoute flagger-mirror: mirror 50% of all requests", "pause 30s", "setMirrorRoute flagger-mirror: remove",
                "setWeight 1", "pause 30s",
                "wait for confirm-traffic-increase webhook 'more-traffic'", "setWeight 5", "pause 30s",
                "wait for confirm-traffic-increase webhook 'more-traffic'", "setWeight 25", "pause 30s",
                "wait for confirm-traffic-increase webhook 'more-traffic'", "setWeight 60", "pause 30s",
                "wait for confirm-traffic-increase webhook 'more-traffic'");
        assertThat(c.steps().get(7).pointer()).isEqualTo("/spec/analysis/stepWeights/1");
        assertThat(c.analysis().orElseThrow().startingStep()).isEqualTo(1);
        assertThat(c.canaryService()).contains("frontend-svc-canary");
        assertThat(c.trafficRouting().managedRoutes()).containsExactly("flagger-mirror");
        PluginRouter gw = (PluginRouter) c.trafficRouting().routers().get(0);
        assertThat(gw.name()).isEqualTo(PluginRouter.GATEWAY_API);
        assertThat(gw.config()).containsEntry("httpRoute", "frontend-svc");
        // the deprecated single threshold of request-success-rate is a floor
        assertThat(r.inlineTemplates().get("flagger-metrics").metrics().get(0).successCondition()).contains("result >= 98");
        assertThat(r.flagger().orElseThrow().maxWeight()).isEqualTo(60);
    }

    @Test
    void flaggerStepWeightMayOvershootMaxWeightAsFlaggerDoes() {
        FlaggerSource f = new FlaggerSource(FlaggerSource.Mode.CANARY, Optional.empty(), "s", Duration.ofMinutes(1), 1,
                Optional.empty(), Optional.of(20), List.of(), 50, Optional.empty(), false, Optional.empty(), false, List.of(), Optional.empty());
        assertThat(FlaggerMapper.weights(f)).containsExactly(20, 40, 60);
    }

    @Test
    void iterationsWithMatchIsAbTestingWithAHeaderRoute() {
        RolloutSpec r = ModelCases.model("flagger-ab.yaml").rollout("test", "abtest").orElseThrow();
        assertThat(r.flagger().orElseThrow().mode()).isEqualTo(FlaggerSource.Mode.AB_TESTING);
        CanaryStrategy c = r.canary().orElseThrow();
        assertThat(c.steps()).extracting(Step::describe).containsExactly(
                "setHeaderRoute flagger-ab: x-canary exact 'insider' or cookie regex '^(.*?;)?(canary=always)(;.*)?$'",
                "pause 10m");
        assertThat(c.trafficRouting().managedRoutes()).containsExactly("flagger-ab");
        assertThat(((NginxRouter) c.trafficRouting().routers().get(0)).stableIngresses()).containsExactly("abtest");
        assertThat(c.analysis().orElseThrow().startingStep()).isZero();
        assertThat(r.inlineTemplates().get("flagger-metrics").metrics().get(0).failureLimit().value()).contains(9);
    }

    @Test
    void blueGreenOnTheKubernetesProviderWithConfirmGates() {
        RolloutSpec r = ModelCases.model("flagger-bluegreen.yaml").rollout("test", "podinfo-bg").orElseThrow();
        assertThat(r.flagger().orElseThrow().mode()).isEqualTo(FlaggerSource.Mode.BLUE_GREEN);
        BlueGreenStrategy b = r.blueGreen().orElseThrow();
        assertThat(b.activeService()).isEqualTo("podinfo");
        assertThat(b.previewService()).contains("podinfo-canary");
        assertThat(b.autoPromotionEnabled()).isFalse();
        assertThat(b.autoPromotionSeconds()).isEqualTo(300);
        assertThat(b.previewGates()).containsExactly(new Gate(Gate.Kind.CONFIRM_ROLLOUT, "approve-start"));
        assertThat(b.promotionGates()).containsExactly(new Gate(Gate.Kind.CONFIRM_PROMOTION, "approve-promotion"));
        MetricSpec m = r.inlineTemplates().get("flagger-metrics").metrics().get(0);
        assertThat(m.effectiveCount()).contains(10);
        assertThat(m.initialDelay().orElseThrow().value()).contains(Duration.ofSeconds(30));
        assertThat(m.failureLimit().value()).contains(1);
        assertThat(b.prePromotionAnalysis().orElseThrow().templateNames()).isEqualTo("flagger-metrics");
    }

    @Test
    void theKubernetesProviderCannotShiftTrafficSoFlaggerRunsTenIterations() {
        ModelResult<RolloutSpec> result = SpecModel.rollout(ModelCases.doc(ModelCases.load("flagger-kubernetes-canary.yaml"), "k8s-only"));
        assertThat(result.findings()).extracting(Finding::code)
                .containsExactly("model.flagger-interval", "model.flagger-kubernetes", "model.flagger-kubernetes");
        assertThat(result.findings().get(2).message()).contains("Flagger runs blue/green with 10 iterations");
        RolloutSpec r = result.get();
        assertThat(r.flagger().orElseThrow().interval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(r.blueGreen().orElseThrow().autoPromotionSeconds()).isEqualTo(100);
        assertThat(r.blueGreen().orElseThrow().prePromotionAnalysis()).isEmpty();
    }

    @Test
    void thresholdRangeConditions() {
        assertThat(FlaggerMapper.condition(Optional.of(99.0), Optional.empty())).contains("result >= 99");
        assertThat(FlaggerMapper.condition(Optional.empty(), Optional.of(0.25))).contains("result <= 0.25");
        assertThat(FlaggerMapper.condition(Optional.of(1.0), Optional.of(2.5))).contains("result >= 1 && result <= 2.5");
        assertThat(FlaggerMapper.condition(Optional.empty(), Optional.empty())).isEmpty();
    }
}
