package dev.stepwise.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stepwise.analysis.MeasurementError;
import dev.stepwise.cluster.RecoveredState;
import dev.stepwise.engine.Fixtures;
import dev.stepwise.engine.MeasurementDue;
import dev.stepwise.engine.Phase;
import dev.stepwise.engine.RolloutEngine;
import dev.stepwise.engine.RolloutStatus;
import dev.stepwise.engine.VersionReplicas;
import dev.stepwise.engine.analysis.Measurement;
import dev.stepwise.git.GitCredentials;
import dev.stepwise.git.RolloutKey;
import dev.stepwise.spec.model.RolloutSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The small pure pieces of the loop: provider answers as engine measurements, credentials from files, helpers. */
class ReconcilePartsTest {

    static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    static final MeasurementDue DUE = new MeasurementDue("1.step2", "success-rate", NOW, null, Map.of(), false);

    @TempDir
    Path tmp;

    @Test
    void aProviderValueBecomesAMeasurementWithItsSampleCount() {
        Measurement m = ProviderMeasurements.toEngine(DUE, dev.stepwise.analysis.Measurement.ofValue(0.97,
                OptionalLong.of(250), "q", NOW.minusSeconds(1), Duration.ofMillis(20)), NOW);
        assertThat(m).isEqualTo(new Measurement("1.step2", "success-rate", 0.97, OptionalLong.of(250), NOW,
                Optional.empty(), Optional.empty()));
    }

    @Test
    void aProviderErrorBecomesAnErrorMeasurementNamingItsKind() {
        Measurement m = ProviderMeasurements.toEngine(DUE, dev.stepwise.analysis.Measurement.ofError(
                MeasurementError.Kind.TIMEOUT, "no answer within 5s", "q", NOW, Duration.ofSeconds(5)), NOW);
        assertThat(m.error()).contains("timeout: no answer within 5s");
        assertThat(m.runId()).isEqualTo("1.step2");
        assertThat(m.metric()).isEqualTo("success-rate");
        assertThat(m.measuredAt()).isEqualTo(NOW);
    }

    @Test
    void aProviderPhaseConcludesTheMeasurement() {
        var base = dev.stepwise.analysis.Measurement.ofValue("job done", OptionalLong.empty(), "", NOW, Duration.ZERO);
        assertThat(ProviderMeasurements.toEngine(DUE, base.withProviderPhase(dev.stepwise.analysis.Phase.SUCCESSFUL), NOW)
                .succeeded()).contains(true);
        assertThat(ProviderMeasurements.toEngine(DUE, base.withProviderPhase(dev.stepwise.analysis.Phase.FAILED), NOW)
                .succeeded()).contains(false);
        assertThat(ProviderMeasurements.toEngine(DUE, base.withProviderPhase(dev.stepwise.analysis.Phase.RUNNING), NOW)
                .succeeded()).isEmpty();
        assertThat(ProviderMeasurements.toEngine(DUE, base, NOW).succeeded()).isEmpty();
    }

    @Test
    void credentialsFromFiles() throws IOException {
        Path user = Files.writeString(tmp.resolve("username"), "bot\n");
        Path token = Files.writeString(tmp.resolve("token"), "ghp_secret_token\n");
        Path password = Files.writeString(tmp.resolve("password"), "hunter2\n");
        Path key = Files.writeString(tmp.resolve("id"), "key");
        Path hosts = Files.writeString(tmp.resolve("known_hosts"), "hosts");

        GitCredentials t = StepwiseProcess.credentials(new RunConfig.Credentials(Optional.of(user), Optional.empty(),
                Optional.of(token), Optional.empty(), Optional.empty()), Map.of());
        assertThat(t.http()).get().satisfies(h -> {
            assertThat(h.username()).isEqualTo("bot");
            assertThat(h.password().reveal()).as("the trailing newline is not part of it").isEqualTo("ghp_secret_token");
        });
        assertThat(t.toString()).doesNotContain("ghp_secret_token");

        GitCredentials noUser = StepwiseProcess.credentials(new RunConfig.Credentials(Optional.empty(), Optional.empty(),
                Optional.of(token), Optional.empty(), Optional.empty()), Map.of());
        assertThat(noUser.http()).get().extracting(GitCredentials.Http::username).isEqualTo(GitCredentials.DEFAULT_TOKEN_USER);

        GitCredentials p = StepwiseProcess.credentials(new RunConfig.Credentials(Optional.of(user), Optional.of(password),
                Optional.empty(), Optional.empty(), Optional.empty()), Map.of());
        assertThat(p.http()).get().satisfies(h -> assertThat(h.password().reveal()).isEqualTo("hunter2"));

        GitCredentials ssh = StepwiseProcess.credentials(new RunConfig.Credentials(Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.of(key), Optional.of(hosts)), Map.of());
        assertThat(ssh.ssh()).get().satisfies(s -> {
            assertThat(s.privateKey()).isEqualTo(key);
            assertThat(s.knownHosts()).isEqualTo(hosts);
        });
        assertThat(ssh.http()).isEmpty();
    }

    @Test
    void withoutFilesCredentialsComeFromTheEnvironment() throws IOException {
        GitCredentials none = StepwiseProcess.credentials(RunConfig.Credentials.FROM_ENVIRONMENT, Map.of());
        assertThat(none.describe()).isEqualTo("no credentials");
        GitCredentials env = StepwiseProcess.credentials(RunConfig.Credentials.FROM_ENVIRONMENT,
                Map.of("STEPWISE_GIT_TOKEN", "tok"));
        assertThat(env.http()).get().satisfies(h -> assertThat(h.password().reveal()).isEqualTo("tok"));
    }

    @Test
    void anUnreadableCredentialsFileIsNamedNotShown() {
        Path missing = tmp.resolve("no-such-token");
        assertThatThrownBy(() -> StepwiseProcess.credentials(new RunConfig.Credentials(Optional.empty(), Optional.empty(),
                Optional.of(missing), Optional.empty(), Optional.empty()), Map.of()))
                .isInstanceOf(IOException.class)
                .hasMessage("cannot read the credentials file " + missing + " (NoSuchFileException)");
    }

    @Test
    void promotionFilesNameTheirRollout() {
        assertThat(RepositoryReconciler.promotionRollout("promotions/shop/cart.yaml")).isEqualTo(new RolloutKey("shop", "cart"));
        assertThat(RepositoryReconciler.promotionRollout("deploy/promotions/shop/cart.yml")).isEqualTo(new RolloutKey("shop", "cart"));
        assertThat(RepositoryReconciler.promotionRollout("cart.yaml")).isNull();
        assertThat(RepositoryReconciler.promotionRollout("promotions/Shop_NS/cart.yaml")).as("not a namespace").isNull();
    }

    static RolloutSpec spec() {
        return Fixtures.model("""
                apiVersion: argoproj.io/v1alpha1
                kind: Rollout
                metadata:
                  name: cart
                  namespace: shop
                spec:
                  replicas: 5
                  selector:
                    matchLabels: {app: cart}
                  template:
                    metadata:
                      labels: {app: cart}
                    spec:
                      containers:
                        - name: main
                          image: registry.example.com/cart:v2
                  strategy:
                    canary:
                      steps:
                        - setWeight: 20
                        - pause: {}
                """).rollouts().get(0);
    }

    @Test
    void withNothingOnTheClusterARolloutStartsFromTheInitialStatus() {
        RolloutStatus s = RepositoryReconciler.firstStatus(new RecoveredState(Map.of(), "", "", List.of()), spec(), NOW);
        assertThat(s).isEqualTo(RolloutStatus.initial());
        RolloutStatus zero = RepositoryReconciler.firstStatus(new RecoveredState(Map.of("old", 0), "", "", List.of()), spec(), NOW);
        assertThat(zero).isEqualTo(RolloutStatus.initial());
    }

    @Test
    void withVersionsOnTheClusterTheBiggestIsStableSoTheSpecStillGoesThroughItsSteps() {
        Map<String, Integer> replicas = new LinkedHashMap<>();
        replicas.put("small", 1);
        replicas.put("big", 4);
        RolloutSpec spec = spec();
        RolloutStatus s = RepositoryReconciler.firstStatus(new RecoveredState(replicas, "", "", List.of()), spec, NOW);
        assertThat(s.stableHash()).isEqualTo("big");
        assertThat(s.phase()).isEqualTo(Phase.HEALTHY);
        assertThat(s.replicas()).containsExactly(new VersionReplicas("big", 4));
        assertThat(s.stepIndex()).isEqualTo(RolloutEngine.doneIndex(spec));
        assertThat(s.stableHash()).as("the spec's own version is not taken as stable").isNotEqualTo(spec.podTemplateHash());
    }
}
