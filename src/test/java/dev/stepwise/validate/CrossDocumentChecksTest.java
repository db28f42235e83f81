package dev.stepwise.validate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.spec.Finding;
import dev.stepwise.spec.SpecSet;
import dev.stepwise.spec.model.ModelCases;
import dev.stepwise.spec.model.RepositoryModel;
import java.util.List;
import org.junit.jupiter.api.Test;

class CrossDocumentChecksTest {

    private static final String FILE = "model-cases/cross-checks.yaml";

    private static List<String> lines(String... files) {
        SpecSet set = ModelCases.load(files);
        return CrossDocumentChecks.check(set, RepositoryModel.of(set)).stream().map(Finding::toLine).toList();
    }

    private final List<String> findings = lines("cross-checks.yaml");

    @Test
    void consistentSpecsHaveNoFindings() {
        assertThat(lines("canary-istio.yaml", "bluegreen.yaml", "flagger-canary.yaml")).isEmpty();
    }

    @Test
    void missingTemplateWithNearestName() {
        assertThat(findings).contains(FILE + ":22:40: error: the analysis at step 2 names AnalysisTemplate 'sucess-rate', "
                + "which is not in namespace shop (did you mean 'success-rate'?) (at /spec/strategy/canary/steps/1/analysis/templates/0/templateName) [cross.template-missing]");
    }

    @Test
    void templateThatExistsAtTheOtherScope() {
        assertThat(findings).contains(FILE + ":18:36: error: the background analysis names AnalysisTemplate 'error-budget', "
                + "which is not in namespace shop; a ClusterAnalysisTemplate error-budget exists: add clusterScope: true "
                + "(at /spec/strategy/canary/analysis/templates/0/templateName) [cross.template-missing]");
        assertThat(findings).contains(FILE + ":42:36: error: postPromotionAnalysis names ClusterAnalysisTemplate 'error-budgte', "
                + "which is not in the repository (did you mean 'error-budget'?) (at /spec/strategy/blueGreen/postPromotionAnalysis/templates/0/templateName) [cross.template-missing]");
    }

    @Test
    void requiredArgumentNotPassedAndUnknownArgumentPassed() {
        assertThat(findings).contains(FILE + ":26:15: error: the analysis at step 3 uses template success-rate, which needs argument "
                + "'namespace' (it has no value or valueFrom); pass it under args (at /spec/strategy/canary/steps/2/analysis/args) [cross.arg-missing]");
        assertThat(findings).contains(FILE + ":27:24: warning: the analysis at step 3 passes argument 'servcie', which no template it "
                + "uses declares (success-rate) (did you mean 'service'?) (at /spec/strategy/canary/steps/2/analysis/args/1/name) [cross.arg-unused]");
    }

    @Test
    void servicesAndIstioSubsets() {
        assertThat(findings).contains(FILE + ":11:22: error: canaryService and stableService are both 'orders': Argo points them at "
                + "different ReplicaSets, so they must be two Services (at /spec/strategy/canary/stableService) [cross.service-same]");
        assertThat(findings).contains(FILE + ":16:90: error: canarySubsetName and stableSubsetName are both 'canary': the canary and "
                + "stable pods need subsets of their own (at /spec/strategy/canary/trafficRouting/istio/destinationRule/stableSubsetName) [cross.istio-subset]");
        assertThat(findings).contains(FILE + ":40:23: error: previewService and activeService are both 'payments': the preview would "
                + "take live traffic before promotion (at /spec/strategy/blueGreen/previewService) [cross.service-same]");
        assertThat(findings).contains(FILE + ":55:16: error: traffic routing with nginx needs canaryService under strategy.canary to "
                + "know where each weight goes (at /spec/strategy/canary/trafficRouting/nginx) [cross.service-missing]");
    }

    @Test
    void headerRouteMustBeManaged() {
        assertThat(findings).contains(FILE + ":28:34: error: setHeaderRoute at step 4 uses route 'betta', which is not listed in "
                + "trafficRouting.managedRoutes; Argo only touches routes listed there (did you mean 'beta'?) "
                + "(at /spec/strategy/canary/steps/3/setHeaderRoute/name) [cross.managed-route]");
    }

    @Test
    void duplicateRolloutAcrossRolloutAndCanary() {
        assertThat(findings).contains(FILE + ":61:9: error: Canary shop/orders has the same namespace and name as the Rollout at "
                + FILE + ":4:9; one of them would overwrite the other's state (at /metadata/name) [cross.duplicate-rollout]");
    }

    @Test
    void aMetricTemplateQueryWithAVariableTheCanaryDoesNotGiveIsAnError() {
        SpecSet set = ModelCases.yaml("specs/canary.yaml", """
                apiVersion: flagger.app/v1beta1
                kind: MetricTemplate
                metadata: {name: latency, namespace: shop}
                spec:
                  provider: {type: prometheus, address: http://prometheus:9090}
                  query: histogram_quantile(0.99, sum(rate(x_bucket{direction="{{ variables.direction }}"}[{{ interval }}])) by (le))
                ---
                apiVersion: flagger.app/v1beta1
                kind: Canary
                metadata: {name: web, namespace: shop}
                spec:
                  targetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
                  service: {port: 80}
                  analysis:
                    interval: 1m
                    threshold: 2
                    maxWeight: 50
                    stepWeight: 10
                    metrics:
                      - name: latency
                        templateRef: {name: latency}
                        thresholdRange: {max: 500}
                """);
        List<String> out = CrossDocumentChecks.check(set, RepositoryModel.of(set)).stream().map(Finding::toLine).toList();
        assertThat(out).singleElement().asString().contains("error: metric 'latency': shop/latency's query cannot be rendered "
                + "for this Canary: the query uses {{ variables.direction }} but the metric's templateVariables has no 'direction'")
                .contains("[cross.metric-template-query]");
    }

    @Test
    void flaggerTemplateRefNamesAMissingMetricTemplate() {
        assertThat(findings).contains(FILE + ":72:29: error: metric 'errors' names MetricTemplate shop/error-rate, which is not in "
                + "the repository (did you mean 'error-rates'?) (at /spec/analysis/metrics/0/templateRef/name) [cross.metric-template-missing]");
    }

    @Test
    void everyFindingIsACrossCheckAndSorted() {
        assertThat(findings).hasSize(12);
        SpecSet set = ModelCases.load("cross-checks.yaml");
        List<Finding> list = CrossDocumentChecks.check(set, RepositoryModel.of(set));
        assertThat(list).allMatch(f -> f.code().startsWith("cross.")).isSortedAccordingTo(Finding.BY_PLACE);
    }

    @Test
    void suggestionsOnlyForTypos() {
        assertThat(CrossDocumentChecks.suggestion("sucess-rate", List.of("success-rate", "latency"))).isEqualTo(" (did you mean 'success-rate'?)");
        assertThat(CrossDocumentChecks.suggestion("cpu", List.of("success-rate", "latency"))).isEmpty();
    }
}
