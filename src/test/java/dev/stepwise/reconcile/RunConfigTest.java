package dev.stepwise.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** stepwise.yaml: every field read, the defaults, and every problem reported with its line, all at once. */
class RunConfigTest {

    static final String FILE = "stepwise.yaml";

    static RunConfig read(String yaml) throws RunConfig.Invalid {
        return read(yaml, Map.of());
    }

    static RunConfig read(String yaml, Map<String, String> env) throws RunConfig.Invalid {
        return RunConfig.read(FILE, yaml.getBytes(StandardCharsets.UTF_8), env);
    }

    static List<String> problems(String yaml) {
        try {
            read(yaml);
        } catch (RunConfig.Invalid e) {
            assertThat(e.getMessage()).isEqualTo(String.join("\n", e.problems()));
            return e.problems();
        }
        throw new AssertionError("expected the configuration to be refused:\n" + yaml);
    }

    static final String MINIMAL = """
            repositories:
              - url: https://git.example.com/shop/deploy.git
            clusters:
              - name: local
                inCluster: true
            """;

    @Test
    void everyFieldIsRead() throws Exception {
        RunConfig c = read("""
                apiVersion: stepwise.dev/v1alpha1
                kind: StepwiseConfig
                http:
                  address: 0.0.0.0:9090
                cacheDir: /var/cache/stepwise
                repositories:
                  - name: shop
                    url: https://git.example.com/shop/deploy.git
                    branch: release
                    path: rollouts
                    pollInterval: 2m
                    credentials:
                      usernameFile: /etc/git/username
                      passwordFile: /etc/git/password
                    status:
                      branch: status-branch
                      folder: state
                    webhook:
                      secretFile: /etc/webhook/secret
                  - url: git@github.com:team/infra.git
                    credentials:
                      sshKeyFile: /etc/ssh/id
                      knownHostsFile: /etc/ssh/known_hosts
                clusters:
                  - name: dev
                    context: kind-dev
                  - name: prod
                    server: https://10.0.0.1:6443
                    tokenFile: /etc/prod/token
                    caFile: /etc/prod/ca.crt
                  - name: local
                    embedded: true
                  - name: here
                    inCluster: true
                defaultCluster: prod
                providers:
                  file: /etc/stepwise/providers.yaml
                leaderElection:
                  enabled: true
                  namespace: ops
                  leaseName: my-lease
                  identity: replica-1
                  leaseDuration: 30s
                  renewDeadline: 20s
                  retryPeriod: 5s
                reconcile:
                  workers: 3
                  cycleTimeout: 45s
                  observeInterval: 1s
                """);
        assertThat(c.http()).isEqualTo(new InetSocketAddress("0.0.0.0", 9090));
        assertThat(c.cacheDir()).isEqualTo(Path.of("/var/cache/stepwise"));
        assertThat(c.repositories()).hasSize(2);
        RunConfig.Repository shop = c.repositories().get(0);
        assertThat(shop).isEqualTo(new RunConfig.Repository("shop", "https://git.example.com/shop/deploy.git", "release",
                "rollouts", Duration.ofMinutes(2), new RunConfig.Credentials(Optional.of(Path.of("/etc/git/username")),
                Optional.of(Path.of("/etc/git/password")), Optional.empty(), Optional.empty(), Optional.empty()),
                "status-branch", "state", Optional.of(Path.of("/etc/webhook/secret"))));
        RunConfig.Repository infra = c.repositories().get(1);
        assertThat(infra.name()).as("named after the URL").isEqualTo("infra");
        assertThat(infra.credentials().sshKeyFile()).contains(Path.of("/etc/ssh/id"));
        assertThat(infra.credentials().knownHostsFile()).contains(Path.of("/etc/ssh/known_hosts"));
        assertThat(c.clusters()).containsExactly(
                new RunConfig.Cluster("dev", Optional.of("kind-dev"), false, Optional.empty(), Optional.empty(), Optional.empty(), false),
                new RunConfig.Cluster("prod", Optional.empty(), false, Optional.of("https://10.0.0.1:6443"),
                        Optional.of(Path.of("/etc/prod/token")), Optional.of(Path.of("/etc/prod/ca.crt")), false),
                new RunConfig.Cluster("local", Optional.empty(), false, Optional.empty(), Optional.empty(), Optional.empty(), true),
                new RunConfig.Cluster("here", Optional.empty(), true, Optional.empty(), Optional.empty(), Optional.empty(), false));
        assertThat(c.defaultCluster()).isEqualTo("prod");
        assertThat(c.providersFile()).contains(Path.of("/etc/stepwise/providers.yaml"));
        assertThat(c.leaderElection()).isEqualTo(new RunConfig.LeaderElection(true, "ops", "my-lease", "replica-1",
                Duration.ofSeconds(30), Duration.ofSeconds(20), Duration.ofSeconds(5)));
        assertThat(c.workers()).isEqualTo(3);
        assertThat(c.cycleTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(c.observeInterval()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void theDeployedExampleParses() throws Exception {
        Path file = Path.of("deploy/base/config/stepwise.yaml");
        RunConfig c = RunConfig.read(file.toString(), Files.readAllBytes(file),
                Map.of("POD_NAMESPACE", "stepwise-system", "POD_NAME", "stepwise-7d9f-abcde"));
        assertThat(c.http()).isEqualTo(new InetSocketAddress("0.0.0.0", 8080));
        assertThat(c.cacheDir()).isEqualTo(Path.of("/var/cache/stepwise"));
        assertThat(c.repositories()).singleElement().satisfies(r -> {
            assertThat(r.name()).isEqualTo("shop");
            assertThat(r.url()).isEqualTo("https://git.example.com/shop/deploy.git");
            assertThat(r.branch()).isEqualTo("main");
            assertThat(r.path()).isEqualTo("rollouts");
            assertThat(r.pollInterval()).isEqualTo(Duration.ofSeconds(30));
            assertThat(r.credentials().usernameFile()).contains(Path.of("/etc/stepwise/git/username"));
            assertThat(r.credentials().tokenFile()).contains(Path.of("/etc/stepwise/git/token"));
            assertThat(r.credentials().passwordFile()).isEmpty();
            assertThat(r.statusBranch()).isEqualTo("stepwise/status");
            assertThat(r.statusFolder()).isEqualTo("status");
            assertThat(r.webhookSecretFile()).contains(Path.of("/etc/stepwise/webhook/secret"));
        });
        assertThat(c.clusters()).extracting(RunConfig.Cluster::name, RunConfig.Cluster::inCluster)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("local", true));
        assertThat(c.defaultCluster()).isEqualTo("local");
        assertThat(c.providersFile()).contains(Path.of("/etc/stepwise/providers.yaml"));
        assertThat(c.leaderElection()).isEqualTo(new RunConfig.LeaderElection(true, "stepwise-system", "stepwise-leader",
                "stepwise-7d9f-abcde", Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2)));
        assertThat(c.workers()).isEqualTo(8);
        assertThat(c.cycleTimeout()).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void defaults() throws Exception {
        RunConfig c = read(MINIMAL);
        assertThat(c.http()).isEqualTo(new InetSocketAddress("127.0.0.1", 8080)).isEqualTo(RunConfig.DEFAULT_HTTP);
        assertThat(c.cacheDir()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir"), "stepwise-cache"));
        RunConfig.Repository r = c.repositories().get(0);
        assertThat(r).isEqualTo(new RunConfig.Repository("deploy", "https://git.example.com/shop/deploy.git", "main", "",
                Duration.ofSeconds(30), RunConfig.Credentials.FROM_ENVIRONMENT, "stepwise/status", "status", Optional.empty()));
        assertThat(c.defaultCluster()).as("the first cluster").isEqualTo("local");
        assertThat(c.providersFile()).isEmpty();
        assertThat(c.leaderElection()).isEqualTo(RunConfig.LeaderElection.disabled());
        assertThat(c.leaderElection().enabled()).isFalse();
        assertThat(c.workers()).isEqualTo(8);
        assertThat(c.cycleTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(c.observeInterval()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void statusBlockDefaultsItsMissingFields() throws Exception {
        RunConfig c = read("""
                repositories:
                  - url: https://git.example.com/shop/deploy.git
                    status:
                      folder: st
                clusters:
                  - {name: local, inCluster: true}
                """);
        assertThat(c.repositories().get(0).statusBranch()).isEqualTo("stepwise/status");
        assertThat(c.repositories().get(0).statusFolder()).isEqualTo("st");
    }

    @Test
    void leaderElectionTakesNamespaceAndIdentityFromThePod() throws Exception {
        String yaml = MINIMAL + "leaderElection:\n  enabled: true\n";
        RunConfig c = read(yaml, Map.of("POD_NAMESPACE", "team-a", "POD_NAME", "stepwise-0", "HOSTNAME", "host-1"));
        assertThat(c.leaderElection().namespace()).isEqualTo("team-a");
        assertThat(c.leaderElection().identity()).isEqualTo("stepwise-0");
        assertThat(c.leaderElection().leaseName()).isEqualTo("stepwise-leader");

        // without a pod name: the host name and the process id, so two processes on one machine never share one
        RunConfig noPodName = read(yaml, Map.of("HOSTNAME", "host-1"));
        assertThat(noPodName.leaderElection().namespace()).isEqualTo("stepwise");
        assertThat(noPodName.leaderElection().identity()).endsWith("_" + ProcessHandle.current().pid())
                .isEqualTo(dev.stepwise.ha.LeaderElection.Config.defaultIdentity(Map.of()));

        RunConfig explicit = read(MINIMAL + "leaderElection:\n  enabled: true\n  namespace: ns\n  identity: me\n",
                Map.of("POD_NAMESPACE", "team-a", "POD_NAME", "stepwise-0"));
        assertThat(explicit.leaderElection().namespace()).isEqualTo("ns");
        assertThat(explicit.leaderElection().identity()).isEqualTo("me");
    }

    @Test
    void unknownFieldsAreNamedWithTheKnownOnes() {
        assertThat(problems("""
                repositories:
                  - url: https://git.example.com/a.git
                    pollIntervall: 10s
                    credentials:
                      token: x
                clusters:
                  - name: local
                    inCluster: true
                    namespace: x
                reconcile:
                  worker: 2
                leaderElection:
                  lease: 10s
                htp: {}
                """)).containsExactly(
                "stepwise.yaml:14:1: unknown field 'htp' (known: apiVersion, cacheDir, clusters, defaultCluster, http, kind, "
                        + "leaderElection, providers, reconcile, repositories)",
                "stepwise.yaml:3:5: unknown field 'pollIntervall' (known: branch, credentials, name, path, pollInterval, status, url, webhook)",
                "stepwise.yaml:5:7: unknown field 'token' (known: knownHostsFile, passwordFile, sshKeyFile, tokenFile, usernameFile)",
                "stepwise.yaml:9:5: unknown field 'namespace' (known: caFile, context, embedded, inCluster, name, server, tokenFile)",
                "stepwise.yaml:13:3: unknown field 'lease' (known: enabled, identity, leaseDuration, leaseName, namespace, "
                        + "renewDeadline, retryPeriod)",
                "stepwise.yaml:11:3: unknown field 'worker' (known: cycleTimeout, observeInterval, workers)");
    }

    @Test
    void unknownFieldsInTheSmallBlocksAreNamedToo() {
        assertThat(problems(MINIMAL.replace("  - url: https://git.example.com/shop/deploy.git\n",
                "  - url: https://git.example.com/shop/deploy.git\n    status: {brnach: x}\n    webhook: {secret: /s}\n")
                + "http:\n  adress: 0.0.0.0:80\nproviders:\n  fil: /p.yaml\n")).containsExactlyInAnyOrder(
                "stepwise.yaml:3:14: unknown field 'brnach' (known: branch, folder)",
                "stepwise.yaml:4:15: unknown field 'secret' (known: secretFile)",
                "stepwise.yaml:9:3: unknown field 'adress' (known: address)",
                "stepwise.yaml:11:3: unknown field 'fil' (known: file)");
    }

    @Test
    void aRepositoryNeedsAUrl() {
        assertThat(problems("""
                repositories:
                  - name: shop
                    branch: main
                clusters:
                  - {name: local, inCluster: true}
                """)).containsExactly("stepwise.yaml:2:5: a repository needs a url");
    }

    @Test
    void atLeastOneRepositoryAndOneCluster() {
        assertThat(problems("http:\n  address: 127.0.0.1:1234\n")).containsExactly(
                "stepwise.yaml:1:1: at least one repository is needed",
                "stepwise.yaml:1:1: at least one cluster is needed");
    }

    @Test
    void twoRepositoriesWithTheSameName() {
        assertThat(problems("""
                repositories:
                  - url: https://git.example.com/a/deploy.git
                  - url: https://git.example.com/b/deploy.git
                clusters:
                  - {name: local, inCluster: true}
                """)).containsExactly("stepwise.yaml:3:5: two repositories are named 'deploy'");
        assertThat(problems("""
                repositories:
                  - name: shop
                    url: https://git.example.com/a/x.git
                  - name: shop
                    url: https://git.example.com/b/y.git
                clusters:
                  - {name: local, inCluster: true}
                """)).containsExactly("stepwise.yaml:4:11: two repositories are named 'shop'");
    }

    @Test
    void aClusterNeedsExactlyOneConnectionKind() {
        assertThat(problems("""
                repositories:
                  - url: https://git.example.com/a.git
                clusters:
                  - name: none
                  - name: two
                    inCluster: true
                    context: kind-dev
                  - name: three
                    embedded: true
                    server: https://x:6443
                    context: c
                  - name: fine
                    embedded: true
                  - inCluster: true
                """)).containsExactly(
                "stepwise.yaml:4:5: cluster 'none' needs exactly one of context, inCluster: true, server or embedded: true",
                "stepwise.yaml:5:5: cluster 'two' needs exactly one of context, inCluster: true, server or embedded: true",
                "stepwise.yaml:8:5: cluster 'three' needs exactly one of context, inCluster: true, server or embedded: true",
                "stepwise.yaml:14:5: a cluster needs a name");
    }

    @Test
    void twoClustersWithTheSameName() {
        assertThat(problems("""
                repositories:
                  - url: https://git.example.com/a.git
                clusters:
                  - name: local
                    inCluster: true
                  - name: local
                    context: kind-dev
                """)).containsExactly("stepwise.yaml:6:11: two clusters are named 'local'");
    }

    @Test
    void inClusterFalseIsNotAConnection() {
        assertThat(problems("""
                repositories:
                  - url: https://git.example.com/a.git
                clusters:
                  - name: a
                    inCluster: false
                """)).containsExactly(
                "stepwise.yaml:4:5: cluster 'a' needs exactly one of context, inCluster: true, server or embedded: true");
    }

    @Test
    void defaultClusterMustNameACluster() {
        assertThat(problems(MINIMAL + "defaultCluster: prod\n"))
                .containsExactly("stepwise.yaml:6:17: no cluster is named 'prod'");
    }

    @Test
    void badDurations() {
        assertThat(problems("""
                repositories:
                  - url: https://git.example.com/a.git
                    pollInterval: often
                clusters:
                  - {name: local, inCluster: true}
                reconcile:
                  cycleTimeout: 0s
                  observeInterval: -5s
                  workers: 0
                """)).containsExactly(
                "stepwise.yaml:3:19: expected a duration such as 30s, 2m or 1h, not 'often'",
                "stepwise.yaml:9:12: expected a whole number from 1 to 256",
                "stepwise.yaml:7:17: expected a positive duration such as 30s",
                "stepwise.yaml:8:20: expected a duration such as 30s, 2m or 1h, not '-5s'");
    }

    @Test
    void renewDeadlineMustBeShorterThanLeaseDuration() {
        assertThat(problems(MINIMAL + """
                leaderElection:
                  enabled: true
                  leaseDuration: 10s
                  renewDeadline: 10s
                  retryPeriod: 10s
                """)).containsExactly(
                "stepwise.yaml:9:18: renewDeadline must be shorter than leaseDuration: a leader must stop acting before another may start",
                "stepwise.yaml:10:16: retryPeriod must be shorter than renewDeadline");
    }

    @Test
    void leaseTimingsAreNotCheckedWhenElectionIsOff() throws Exception {
        RunConfig c = read(MINIMAL + "leaderElection:\n  enabled: false\n  leaseDuration: 5s\n  renewDeadline: 10s\n");
        assertThat(c.leaderElection().renewDeadline()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void credentialConflicts() {
        assertThat(problems("""
                repositories:
                  - url: https://git.example.com/a.git
                    credentials:
                      passwordFile: /p
                      tokenFile: /t
                  - url: ssh://git@git.example.com/b.git
                    credentials:
                      sshKeyFile: /id
                clusters:
                  - {name: local, inCluster: true}
                """)).containsExactly(
                "stepwise.yaml:4:7: give passwordFile or tokenFile, not both",
                "stepwise.yaml:8:7: sshKeyFile needs knownHostsFile: the server's key must be checked");
    }

    @Test
    void notAMapping() {
        assertThat(problems("- a\n- b\n")).containsExactly("stepwise.yaml: expected one YAML mapping");
        assertThat(problems("just text\n")).containsExactly("stepwise.yaml: expected one YAML mapping");
        assertThat(problems("a: 1\n---\nb: 2\n")).containsExactly("stepwise.yaml: expected one YAML mapping");
    }

    @Test
    void wrongShapesAreLocated() {
        assertThat(problems("""
                http: 8080
                repositories:
                  url: https://git.example.com/a.git
                clusters:
                  - {name: [a], inCluster: true}
                kind: Config
                """)).containsExactly(
                "stepwise.yaml:6:7: kind must be StepwiseConfig, not Config",
                "stepwise.yaml:1:7: expected a mapping",
                "stepwise.yaml:3:3: expected a list",
                "stepwise.yaml:3:3: at least one repository is needed",
                "stepwise.yaml:5:12: expected a string",
                "stepwise.yaml:5:5: a cluster needs a name",
                "stepwise.yaml:5:3: at least one cluster is needed");
    }

    @Test
    void aBadAddressIsLocated() {
        assertThat(problems(MINIMAL + "http:\n  address: localhost\n"))
                .containsExactly("stepwise.yaml:7:12: expected HOST:PORT such as 127.0.0.1:8080, not 'localhost'");
    }

    @Test
    void aYamlSyntaxErrorIsLocated() {
        List<String> p = problems("repositories:\n  - url: [unclosed\nclusters: {}\n");
        assertThat(p).hasSize(1);
        assertThat(p.get(0)).startsWith("stepwise.yaml:3:").contains("error");
    }

    @Test
    void aDuplicateKeyIsLocated() {
        List<String> p = problems(MINIMAL + "defaultCluster: a\ndefaultCluster: b\n");
        assertThat(p).singleElement().asString().startsWith("stepwise.yaml:7:1:").contains("defaultCluster");
    }

    @Test
    void severalProblemsAreReportedAtOnce() {
        RunConfig.Invalid e = (RunConfig.Invalid) org.assertj.core.api.Assertions.catchThrowable(() -> read("""
                repositories:
                  - name: a
                    url: https://x/a.git
                    pollInterval: soon
                  - name: a
                    url: https://x/b.git
                clusters:
                  - name: local
                defaultCluster: other
                """));
        assertThat(e.problems()).containsExactly(
                "stepwise.yaml:4:19: expected a duration such as 30s, 2m or 1h, not 'soon'",
                "stepwise.yaml:5:11: two repositories are named 'a'",
                "stepwise.yaml:8:5: cluster 'local' needs exactly one of context, inCluster: true, server or embedded: true",
                "stepwise.yaml:9:17: no cluster is named 'other'");
        assertThat(e.getMessage()).isEqualTo(String.join("\n", e.problems()));
    }

    @Test
    void noSecretValuesAreEverEchoed() {
        // a secret pasted in place of a path is reported by field name only
        List<String> p = problems(MINIMAL.replace("  - url: https://git.example.com/shop/deploy.git\n",
                "  - url: https://git.example.com/shop/deploy.git\n    credentials:\n      token: ghp_SECRETVALUE\n"));
        assertThat(String.join("\n", p)).doesNotContain("ghp_SECRETVALUE").contains("unknown field 'token'");
    }

    @Test
    void defaultNames() {
        assertThat(RunConfig.defaultName("https://git.example.com/shop/deploy.git")).isEqualTo("deploy");
        assertThat(RunConfig.defaultName("https://git.example.com/shop/deploy/")).isEqualTo("deploy");
        assertThat(RunConfig.defaultName("git@github.com:team/infra.git")).isEqualTo("infra");
        assertThat(RunConfig.defaultName("git@github.com:infra.git")).isEqualTo("infra");
        assertThat(RunConfig.defaultName("ssh://git@host:2222/srv/repos/shop.git")).isEqualTo("shop");
        assertThat(RunConfig.defaultName("/srv/git/my repo.git")).isEqualTo("my-repo");
        assertThat(RunConfig.defaultName("file:///srv/git/shop")).isEqualTo("shop");
        assertThat(RunConfig.defaultName("repo")).isEqualTo("repo");
        assertThat(RunConfig.defaultName(".git")).isEqualTo("repository");
    }

    @Test
    void parseAddress() {
        assertThat(RunConfig.parseAddress("0.0.0.0:80")).isEqualTo(new InetSocketAddress("0.0.0.0", 80));
        assertThatThrownBy(() -> RunConfig.parseAddress("localhost"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("expected HOST:PORT, not 'localhost'");
    }

    @Test
    void aRepositoryNameMustBeAPathSegment() {
        assertThatThrownBy(() -> read("""
                repositories:
                  - {name: shop/prod, url: https://git.example.com/shop.git}
                clusters:
                  - {name: local, inCluster: true}
                """, Map.of()))
                .isInstanceOf(RunConfig.Invalid.class)
                .hasMessageContaining(":2:")
                .hasMessageContaining("a repository name is letters, digits, '.', '_' and '-' (at most 63), not 'shop/prod'");
    }
}
