package dev.stepwise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ValidateCommandTest {

    @TempDir
    Path dir;

    private static final String GOOD_ROLLOUT = """
            apiVersion: argoproj.io/v1alpha1
            kind: Rollout
            metadata:
              name: web
              namespace: staging
            spec:
              replicas: 3
              selector:
                matchLabels: {app: web}
              template:
                metadata:
                  labels: {app: web}
                spec:
                  containers:
                    - name: web
                      image: registry.example.com/web:1.0.0
              strategy:
                canary:
                  steps:
                    - setWeight: 10
                    - pause: {duration: 5m}
            """;

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void theExampleRepositoryIsClean() {
        CliRun run = CliRun.of("validate", "examples-repo");
        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("valid: 0 errors, 0 warnings");
        assertThat(run.out()).contains("info: ignored Service production/checkout-api-stable");
        // simulation timelines live beside the specs and are not manifests: ignored, not errors
        assertThat(run.out()).contains("simulations/web-app-analysis-fails.yaml:7:1: info: ignored document 1: not a Kubernetes manifest");
    }

    @Test
    void reportsEachFindingAsPathLineColumnSeverityMessage() throws IOException {
        write("rollouts/web.yaml", GOOD_ROLLOUT.replace("setWeight: 10", "setWeight: 150"));
        CliRun run = CliRun.of("validate", dir.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains(dir + "/rollouts/web.yaml:20:22: error: setWeight must be at most 100, found 150");
        assertThat(run.out()).contains("invalid: 1 error, 0 warnings in 1 file");
    }

    @Test
    void oneBadFileDoesNotHideTheOthers() throws IOException {
        write("a-broken.yaml", "apiVersion: v1\nkind: [\n");
        write("b-rollout.yaml", GOOD_ROLLOUT.replace("name: web", "name: other").replace("replicas: 3", "replicas: three"));
        CliRun run = CliRun.of("validate", dir.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("a-broken.yaml:").contains("[yaml.syntax]");
        assertThat(run.out()).contains("b-rollout.yaml:7:13: error:").contains("[schema.type]");
    }

    @Test
    void warningsAloneKeepTheExitCodeZero() throws IOException {
        write("rollouts/web.yaml", GOOD_ROLLOUT);
        write("policies/p.yaml", """
                apiVersion: stepwise.dev/v1alpha1
                kind: Policy
                metadata: {name: soft}
                spec:
                  rules:
                    - name: team-label
                      rule: "has(object.metadata.labels)"
                      message: rollouts should carry labels
                      action: warn
                """);
        CliRun run = CliRun.of("validate", dir.toString());
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("warning: soft/team-label: rollouts should carry labels");
    }

    @Test
    void aDenyingPolicyFailsValidation() throws IOException {
        write("rollouts/web.yaml", GOOD_ROLLOUT);
        write("policies/p.yaml", """
                apiVersion: stepwise.dev/v1alpha1
                kind: Policy
                metadata: {name: strict}
                spec:
                  rules:
                    - name: small-first-step
                      rule: "object.spec.strategy.canary.steps[0].setWeight <= 5"
                      message: the first step sends at most 5%
                """);
        CliRun run = CliRun.of("validate", dir.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("error: strict/small-first-step: the first step sends at most 5%").contains("[policy.deny]");
    }

    @Test
    void jsonOutputCarriesEveryFindingWithItsPlace() throws IOException {
        write("rollouts/web.yaml", GOOD_ROLLOUT.replace("setWeight: 10", "setWeight: 150"));
        CliRun run = CliRun.of("validate", dir.toString(), "--format", "json");
        JsonNode json = JsonMapper.builder().build().readTree(run.out());
        assertThat(json.get("valid").asBoolean()).isFalse();
        assertThat(json.get("summary").get("errors").asInt()).isEqualTo(1);
        JsonNode finding = json.get("findings").get(0);
        assertThat(finding.get("line").asInt()).isEqualTo(20);
        assertThat(finding.get("column").asInt()).isEqualTo(22);
        assertThat(finding.get("pointer").asString()).isEqualTo("/spec/strategy/canary/steps/0/setWeight");
        assertThat(finding.get("code").asString()).isEqualTo("schema.range");
    }

    @Test
    void githubOutputIsWorkflowCommandsWithEscapedMessages() throws IOException {
        write("rollouts/web.yaml", GOOD_ROLLOUT.replace("setWeight: 10", "setWeight: 150"));
        CliRun run = CliRun.of("validate", dir.toString(), "--format", "github");
        assertThat(run.out()).contains("::error file=" + dir + "/rollouts/web.yaml,line=20,col=22,title=stepwise schema.range::"
                + "setWeight must be at most 100, found 150");
        assertThat(FindingsRenderer.data("50%\nnext")).isEqualTo("50%25%0Anext");
        assertThat(FindingsRenderer.property("a:b,c")).isEqualTo("a%3Ab%2Cc");
    }

    @Test
    void aMissingPathIsAUsageErrorWithExitCodeTwo() {
        CliRun run = CliRun.of("validate", dir.resolve("nope").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("no such file or folder");
    }

    @Test
    void anUnknownFormatIsAUsageError() {
        CliRun run = CliRun.of("validate", ".", "--format", "xml");
        assertThat(run.exitCode()).isEqualTo(2);
    }
}
