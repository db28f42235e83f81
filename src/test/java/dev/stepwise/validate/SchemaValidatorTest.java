package dev.stepwise.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.stepwise.spec.Finding;
import dev.stepwise.spec.Location;
import dev.stepwise.spec.Severity;
import dev.stepwise.spec.SourceFile;
import dev.stepwise.spec.SpecDocument;
import dev.stepwise.spec.SpecKind;
import dev.stepwise.spec.SpecLoader;
import dev.stepwise.spec.SpecSet;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SchemaValidatorTest {

    private static final SchemaValidator VALIDATOR = SchemaValidator.bundled();

    // ------------------------------------------------------------------------------------------------ valid specs

    @ParameterizedTest
    @ValueSource(strings = {
            "rollout-canary-istio", "rollout-canary-nginx", "rollout-canary-smi-alb", "rollout-canary-gatewayapi",
            "rollout-bluegreen", "rollout-experiment", "analysistemplates", "clusteranalysistemplate",
            "canary-nginx", "canary-istio", "canary-bluegreen", "metrictemplate", "clusters"})
    void documentedExamplesHaveNoFindings(String fixture) {
        SpecSet set = load("valid/" + fixture + ".yaml");

        assertThat(set.findings()).as("reading the fixture").isEmpty();
        assertThat(set.documents()).isNotEmpty();
        for (SpecDocument doc : set.documents()) {
            assertThat(VALIDATOR.validate(doc)).as(doc.describe()).isEmpty();
        }
    }

    @Test
    void validFixturesCoverEveryKindWithABundledSchema() {
        Set<SpecKind> seen = EnumSet.noneOf(SpecKind.class);
        for (String fixture : List.of("rollout-canary-istio", "analysistemplates", "clusteranalysistemplate",
                "canary-nginx", "metrictemplate", "clusters")) {
            load("valid/" + fixture + ".yaml").documents().forEach(d -> seen.add(d.kind().orElseThrow()));
        }
        Set<SpecKind> expected = EnumSet.copyOf(VALIDATOR.kinds());
        expected.remove(SpecKind.POLICY); // written and tested alongside the Policy schema
        assertThat(seen).containsAll(expected);
    }

    @Test
    void bundledSchemasAreLoadedOnceAndCoverTheKindsStepwiseOwnsOrReads() {
        assertThat(SchemaValidator.bundled()).isSameAs(VALIDATOR);
        assertThat(VALIDATOR.kinds()).contains(SpecKind.ROLLOUT, SpecKind.ANALYSIS_TEMPLATE,
                SpecKind.CLUSTER_ANALYSIS_TEMPLATE, SpecKind.CANARY, SpecKind.METRIC_TEMPLATE, SpecKind.CLUSTER);
    }

    // ------------------------------------------------------------------------------------------------ one test per error class

    @Test
    void wrongTypeNamesTheFieldTheExpectedTypeAndTheValueFound() {
        List<Finding> findings = findings("invalid/wrong-type.yaml");

        assertThat(findings).extracting(Finding::code, f -> f.location().line(), f -> f.location().column(), Finding::pointer)
                .containsExactly(
                        tuple("schema.type", 6, 13, "/spec/replicas"),
                        tuple("schema.type", 14, 18, "/spec/template/metadata/labels/version"),
                        tuple("schema.type", 23, 15, "/spec/strategy/canary/steps/1/pause"));
        assertThat(findings.get(0).message()).isEqualTo("replicas must be a whole number, found the string 'three'");
        assertThat(findings.get(1).message()).isEqualTo("version must be a string, found 2 (put it in quotes: \"2\")");
        assertThat(findings.get(2).message()).startsWith("pause must be a mapping (key: value), found an empty value")
                .contains("'pause: {}' to wait for a promotion");
        assertThat(findings).allSatisfy(f -> {
            assertThat(f.severity()).isEqualTo(Severity.ERROR);
            assertThat(f.location().file()).isEqualTo("invalid/wrong-type.yaml");
        });
    }

    @Test
    void outOfRangeSaysTheLimitAndTheValueFound() {
        List<Finding> findings = findings("invalid/out-of-range.yaml");

        assertThat(findings).extracting(Finding::code, f -> f.location().line(), f -> f.location().column(),
                        Finding::pointer, Finding::message)
                .containsExactly(
                        tuple("schema.range", 21, 20, "/spec/strategy/canary/steps/1/setWeight",
                                "setWeight must be at most 100, found 150"),
                        tuple("schema.range", 23, 21, "/spec/strategy/canary/steps/2/setCanaryScale/replicas",
                                "replicas must be at least 0, found -1"));
    }

    @Test
    void setWeightMayExceedOneHundredWhenTheTrafficRouterCountsToMore() {
        // rollout-canary-gatewayapi sets maxTrafficWeight: 1000 and a step of setWeight: 600
        SpecDocument doc = load("valid/rollout-canary-gatewayapi.yaml").documents().get(0);
        assertThat(doc.at("/spec/strategy/canary/steps/3/setWeight")).contains(600L);
        assertThat(VALIDATOR.validate(doc)).isEmpty();
    }

    @Test
    void missingRequiredFieldIsLocatedAtTheObjectThatLacksIt() {
        List<Finding> findings = findings("invalid/missing-required.yaml");

        assertThat(findings).extracting(Finding::code, f -> f.location().line(), f -> f.location().column(),
                        Finding::pointer, Finding::message)
                .containsExactly(
                        tuple("schema.required", 7, 5, "/spec/metrics/0",
                                "required field 'successCondition' or 'failureCondition' is missing from metrics[0]: "
                                        + "without successCondition or failureCondition, Argo Rollouts counts every "
                                        + "measurement of this metric as a success"),
                        tuple("schema.required", 13, 5, "/spec/metrics/1/provider",
                                "required field 'provider' is missing from metrics[1]"));
    }

    @Test
    void unknownFieldIsLocatedAtItsKeyWithTheNearestValidName() {
        List<Finding> findings = findings("invalid/unknown-field.yaml");

        // stepWieght also leaves the analysis without stepWeight/stepWeights/iterations; the typo says why, once.
        assertThat(findings).extracting(Finding::code, f -> f.location().line(), f -> f.location().column(),
                        Finding::pointer, Finding::message)
                .containsExactly(
                        tuple("schema.unknown-field", 16, 5, "/spec/analysis/stepWieght",
                                "unknown field 'stepWieght' in analysis; did you mean 'stepWeight'?"),
                        tuple("schema.unknown-field", 17, 3, "/spec/canaryAnalysis",
                                "unknown field 'canaryAnalysis' in spec; did you mean 'analysis'?"));
    }

    @Test
    void misspeltStepFieldsGiveOneFindingEachWithoutNoiseFromTheStepAlternatives() {
        List<Finding> findings = findings("invalid/step-typo.yaml");

        assertThat(findings).extracting(Finding::code, f -> f.location().line(), f -> f.location().column(),
                        Finding::pointer, Finding::message)
                .containsExactly(
                        tuple("schema.unknown-field", 13, 9, "/spec/strategy/canary/steps/0/setWieght",
                                "unknown field 'setWieght' in steps[0]; did you mean 'setWeight'?"),
                        tuple("schema.unknown-field", 14, 17, "/spec/strategy/canary/steps/1/pause/duraton",
                                "unknown field 'duraton' in pause; did you mean 'duration'?"),
                        tuple("schema.one-of", 15, 9, "/spec/strategy/canary/steps/2",
                                "steps[2] needs one of 'setWeight', 'pause', 'analysis', 'setCanaryScale', "
                                        + "'setHeaderRoute', 'setMirrorRoute', 'experiment' or 'plugin'; found none"));
    }

    @Test
    void badDurationSaysWhatADurationLooksLike() {
        List<Finding> findings = findings("invalid/bad-duration.yaml");

        assertThat(findings).extracting(Finding::code, f -> f.location().line(), f -> f.location().column(),
                        Finding::pointer, Finding::message)
                .containsExactly(tuple("schema.pattern", 8, 15, "/spec/metrics/0/interval",
                        "interval '5 minutes' is not valid: expected a duration such as 30s, 5m, 1h or 1h30m "
                                + "(units: ms, s, m, h)"));
    }

    @Test
    void badEnumListsTheAllowedValuesAndTheClosestOne() {
        List<Finding> findings = findings("invalid/bad-enum.yaml");

        assertThat(findings).extracting(Finding::code, f -> f.location().line(), f -> f.location().column(),
                        Finding::pointer, Finding::message)
                .containsExactly(tuple("schema.enum", 18, 13, "/spec/analysis/webhooks/0/type",
                        "type must be one of 'confirm-rollout', 'pre-rollout', 'rollout', 'confirm-traffic-increase', "
                                + "'confirm-promotion', 'post-rollout', 'rollback' or 'event', found the string "
                                + "'pre-rolout'; did you mean 'pre-rollout'?"));
    }

    @Test
    void twoProvidersInOneMetricIsOneFindingAtTheSecondProvider() {
        List<Finding> findings = findings("invalid/two-providers.yaml");

        assertThat(findings).extracting(Finding::code, f -> f.location().line(), f -> f.location().column(), Finding::pointer)
                .containsExactly(
                        tuple("schema.one-of", 12, 7, "/spec/metrics/0/provider"),
                        tuple("schema.one-of", 16, 15, "/spec/metrics/1/provider"));
        assertThat(findings.get(0).message()).startsWith(
                "provider has 'prometheus' and 'web', but takes only one of 'prometheus', 'web', 'datadog'");
        assertThat(findings.get(1).message()).startsWith("provider needs one of 'prometheus', 'web',")
                .endsWith("'skywalking' or 'plugin'; found none");
    }

    @Test
    void secretInClusterIsRejectedWithoutRepeatingIt() {
        List<Finding> findings = findings("invalid/cluster-secret.yaml");

        assertThat(findings).extracting(Finding::code, f -> f.location().line(), f -> f.location().column(), Finding::pointer)
                .containsExactly(
                        tuple("schema.secret", 9, 5, "/spec/server/token"),
                        tuple("schema.secret", 10, 3, "/spec/password"));
        assertThat(findings.get(0).message()).isEqualTo("'token' must not be set here: spec files live in Git and "
                + "never hold credentials; put the credential in a file and name it (server.tokenFile), use a "
                + "kubeconfig context, or pass it to Stepwise through its environment");
        assertThat(findings).allSatisfy(f -> assertThat(f.toLine()).doesNotContain("eyJhbGci", "not-a-real-token", "hunter2"));
    }

    @Test
    void credentialsInAnalysisTemplatesMustComeFromArguments() {
        List<Finding> findings = findingsOfText("inline-password.yaml", """
                apiVersion: argoproj.io/v1alpha1
                kind: AnalysisTemplate
                metadata:
                  name: success-rate
                spec:
                  metrics:
                  - name: success-rate
                    successCondition: result[0] >= 0.95
                    provider:
                      prometheus:
                        query: up
                        authentication:
                          basicAuth:
                            username: analysis
                            password: correct-horse-battery
                """);

        assertThat(findings).extracting(Finding::code, f -> f.location().line(), f -> f.location().column(), Finding::pointer)
                .containsExactly(tuple("schema.secret", 15, 23,
                        "/spec/metrics/0/provider/prometheus/authentication/basicAuth/password"));
        assertThat(findings.get(0).message()).startsWith("password: a credential must not be written in a spec file")
                .contains("valueFrom.secretKeyRef", "{{args.name}}")
                .doesNotContain("correct-horse-battery");
    }

    @Test
    void userInfoInAServerUrlIsMaskedInTheMessage() {
        List<Finding> findings = findingsOfText("cluster-url.yaml", """
                apiVersion: stepwise.dev/v1alpha1
                kind: Cluster
                metadata:
                  name: prod
                spec:
                  server:
                    url: https://admin:s3cret@api.example.com:6443
                    tokenFile: /var/run/token
                """);

        assertThat(findings).extracting(Finding::code, Finding::pointer)
                .containsExactly(tuple("schema.pattern", "/spec/server/url"));
        assertThat(findings.get(0).message()).contains("'https://***@api.example.com:6443'").doesNotContain("s3cret");
    }

    @Test
    void everyBadDocumentOfAFileIsReportedAndTheGoodOnesAreNot() {
        SpecSet set = load("invalid/several-documents.yaml");
        List<Finding> findings = new ArrayList<>();
        set.documents().forEach(d -> findings.addAll(VALIDATOR.validate(d)));

        assertThat(set.documents()).hasSize(3); // the ConfigMap is not a kind Stepwise reads
        assertThat(findings).extracting(Finding::code, f -> f.location().line(), f -> f.location().column(), Finding::pointer)
                .containsExactly(
                        tuple("schema.one-of", 15, 3, "/spec"),
                        tuple("schema.pattern", 29, 9, "/metadata/name"),
                        tuple("schema.type", 31, 15, "/spec/kubeconfig"));
        assertThat(findings.get(0).message())
                .isEqualTo("spec has 'kubeconfig' and 'server', but takes only one of 'kubeconfig', 'inCluster' or 'server'");
        assertThat(findings.get(2).message()).startsWith("kubeconfig must be a mapping (key: value), found the string")
                .contains("an inline kubeconfig would put credentials in Git");
    }

    @Test
    void workloadRefAndAnInlineTemplateExcludeEachOther() {
        List<Finding> findings = findingsOfText("workload-ref.yaml", """
                apiVersion: argoproj.io/v1alpha1
                kind: Rollout
                metadata:
                  name: checkout
                spec:
                  workloadRef:
                    apiVersion: apps/v1
                    kind: Deployment
                    name: checkout
                  template:
                    spec:
                      containers:
                      - name: checkout
                        image: checkout:1
                  strategy:
                    blueGreen: {}
                """);

        assertThat(findings).extracting(Finding::code, f -> f.location().line(), f -> f.location().column(),
                        Finding::pointer, Finding::message)
                .containsExactly(
                        tuple("schema.not-allowed", 10, 3, "/spec/template",
                                "spec.template must be left out when spec.workloadRef is set: the pod template comes "
                                        + "from the referenced workload"),
                        tuple("schema.required", 16, 16, "/spec/strategy/blueGreen/activeService",
                                "required field 'activeService' is missing from blueGreen"));
    }

    @Test
    void extensionFieldsAreCheckedToo() {
        List<Finding> findings = findingsOfText("extensions.yaml", """
                apiVersion: argoproj.io/v1alpha1
                kind: Rollout
                metadata:
                  name: checkout
                spec:
                  workloadRef: {name: checkout}
                  waves: [[staging], [prod-eu, prod-eu]]
                  promoteTo: {path: ../prod/checkout.yaml, mode: merge}
                  onAbort: {revert: yes}
                  strategy:
                    canary:
                      steps:
                      - setWeight: 10
                        irreversible: "true"
                """);

        assertThat(findings).extracting(Finding::code, Finding::pointer, Finding::message)
                .containsExactly(
                        tuple("schema.unique", "/spec/waves/1", "waves[1] lists 'prod-eu' more than once"),
                        tuple("schema.pattern", "/spec/promoteTo/path", "path '../prod/checkout.yaml' is not valid: "
                                + "expected a relative path to a .yaml file inside the repository (no leading '/', no '..')"),
                        tuple("schema.enum", "/spec/promoteTo/mode",
                                "mode must be one of 'direct' or 'pull-request', found the string 'merge'"),
                        tuple("schema.enum", "/spec/onAbort/revert",
                                "revert must be one of 'none', 'revert-branch' or 'revert-commit', found the string 'yes'"),
                        tuple("schema.type", "/spec/strategy/canary/steps/0/irreversible",
                                "irreversible must be true or false, found the string 'true' (write true or false, without quotes)"));
    }

    @Test
    void malformedRestartTimeIsReported() {
        List<Finding> findings = findingsOfText("restart.yaml", """
                apiVersion: argoproj.io/v1alpha1
                kind: Rollout
                metadata:
                  name: checkout
                spec:
                  workloadRef: {name: checkout}
                  restartAt: next tuesday
                  strategy:
                    blueGreen: {activeService: checkout}
                """);

        assertThat(findings).extracting(Finding::code, f -> f.location().line(), f -> f.location().column(),
                        Finding::pointer, Finding::message)
                .containsExactly(tuple("schema.format", 7, 14, "/spec/restartAt",
                        "restartAt 'next tuesday' is not valid: expected an RFC 3339 date and time such as 2024-03-30T21:19:35Z"));
    }

    @Test
    void concurrentValidationsGiveTheSameFindingsAsSequentialOnes() throws Exception {
        List<SpecDocument> docs = new ArrayList<>();
        for (String fixture : List.of("invalid/wrong-type.yaml", "invalid/step-typo.yaml", "invalid/two-providers.yaml",
                "invalid/cluster-secret.yaml", "valid/rollout-canary-istio.yaml", "valid/analysistemplates.yaml")) {
            docs.addAll(load(fixture).documents());
        }
        List<List<Finding>> expected = docs.stream().map(VALIDATOR::validate).toList();

        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<List<List<Finding>>>> runs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                runs.add(pool.submit(() -> {
                    List<List<Finding>> last = null;
                    for (int round = 0; round < 10; round++) {
                        last = docs.stream().map(VALIDATOR::validate).toList();
                    }
                    return last;
                }));
            }
            for (java.util.concurrent.Future<List<List<Finding>>> run : runs) {
                assertThat(run.get(60, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(expected);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(expected.stream().mapToInt(List::size).sum()).isGreaterThan(5);
    }

    @Test
    void aStepWithOnlyAnUnrelatedUnknownFieldStillSaysItNeedsAnAction() {
        List<Finding> findings = findingsOfText("step.yaml", """
                apiVersion: argoproj.io/v1alpha1
                kind: Rollout
                metadata:
                  name: checkout
                spec:
                  workloadRef: {name: checkout}
                  strategy:
                    canary:
                      steps:
                      - irreversible: true
                        note: run the migration
                """);

        assertThat(findings).extracting(Finding::code, Finding::pointer)
                .containsExactly(
                        tuple("schema.one-of", "/spec/strategy/canary/steps/0"),
                        tuple("schema.unknown-field", "/spec/strategy/canary/steps/0/note"));
    }

    @Test
    void aMisspeltFieldDoesNotAlsoCountAsAMissingOne() {
        List<Finding> findings = findingsOfText("typo.yaml", """
                apiVersion: argoproj.io/v1alpha1
                kind: AnalysisTemplate
                metadata:
                  name: success-rate
                spec:
                  metrics:
                  - name: success-rate
                    sucessCondition: result[0] >= 0.95
                    provider:
                      prometheus:
                        qurey: up
                """);

        assertThat(findings).extracting(Finding::code, Finding::message)
                .containsExactly(
                        tuple("schema.unknown-field",
                                "unknown field 'sucessCondition' in metrics[0]; did you mean 'successCondition'?"),
                        tuple("schema.unknown-field", "unknown field 'qurey' in prometheus; did you mean 'query'?"));
    }

    @Test
    void unknownFieldFarFromAnyNameListsTheFieldsAllowedThere() {
        List<Finding> findings = findingsOfText("pause.yaml", """
                apiVersion: argoproj.io/v1alpha1
                kind: Rollout
                metadata:
                  name: checkout
                spec:
                  workloadRef: {name: checkout}
                  strategy:
                    canary:
                      steps:
                      - pause: {until: promoted}
                """);

        assertThat(findings).extracting(Finding::code, Finding::message, Finding::location)
                .containsExactly(tuple("schema.unknown-field", "unknown field 'until' in pause (fields here: duration)",
                        new Location("pause.yaml", 10, 17)));
    }

    // ------------------------------------------------------------------------------------------------ kinds without a schema

    @Test
    void policyDocumentsAreCheckedWhenThePolicySchemaIsBundled() {

        List<Finding> findings = findingsOfText("policy.yaml", """
                apiVersion: stepwise.dev/v1alpha1
                kind: Policy
                metadata:
                  name: broken
                spec: 42
                """);

        assertThat(findings).isNotEmpty()
                .allSatisfy(f -> assertThat(f.code()).startsWith("schema.").isNotEqualTo("schema.unavailable"));
    }

    @Test
    void documentsOfKindsStepwiseDoesNotReadAreNotChecked() {
        SpecDocument configMap = new SpecDocument("x.yaml", 0, java.util.Map.of("kind", "ConfigMap"),
                new dev.stepwise.spec.SourceMap("x.yaml"), java.util.Optional.empty());
        assertThat(VALIDATOR.validate(configMap)).isEmpty();
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static List<Finding> findings(String fixture) {
        SpecSet set = load(fixture);
        assertThat(set.findings()).as("reading " + fixture).noneMatch(Finding::isError);
        List<Finding> all = new ArrayList<>();
        set.documents().forEach(d -> all.addAll(VALIDATOR.validate(d)));
        return all;
    }

    private static List<Finding> findingsOfText(String path, String yaml) {
        SpecSet set = new SpecLoader().load(List.of(new SourceFile(path, yaml.getBytes(StandardCharsets.UTF_8))));
        assertThat(set.findings()).as("reading " + path).isEmpty();
        List<Finding> all = new ArrayList<>();
        set.documents().forEach(d -> all.addAll(VALIDATOR.validate(d)));
        return all;
    }

    static SpecSet load(String fixture) {
        String resource = "/schema-cases/" + fixture;
        try (InputStream in = SchemaValidatorTest.class.getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            return new SpecLoader().load(List.of(new SourceFile(fixture, in.readAllBytes())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
