package dev.stepwise.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.UncheckedIOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configurations per connection type, built without a server; tokens read from files and never shown; closing. */
class ClusterConnectionsTest {
    static final String TOKEN = "eyJhbGciOiJSUzI1NiJ9.secret-token-value";

    @TempDir
    Path dir;

    ClusterConnections.Environment env(Map<String, String> vars) {
        return new ClusterConnections.Environment(vars, dir.resolve("home"), dir.resolve("sa"));
    }

    Path kubeconfig(Path file) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, """
                apiVersion: v1
                kind: Config
                current-context: staging
                clusters:
                  - name: staging
                    cluster: {server: https://staging.example.com:6443}
                  - name: prod
                    cluster: {server: https://prod.example.com:6443}
                users:
                  - name: me
                    user: {token: kubeconfig-token}
                contexts:
                  - name: staging
                    context: {cluster: staging, user: me, namespace: team-a}
                  - name: prod
                    context: {cluster: prod, user: me}
                """);
        return file;
    }

    @Test
    void kubeconfigContextFromAnExplicitPathFromKUBECONFIGAndFromHome() throws Exception {
        Path explicit = kubeconfig(dir.resolve("explicit/config"));
        var spec = new ClusterSpec("prod", new ClusterSpec.KubeconfigContext("prod", Optional.of(explicit.toString())), "shop");
        Config c = ClusterConnections.config(spec, env(Map.of()));
        assertThat(c.getMasterUrl()).startsWith("https://prod.example.com:6443");
        assertThat(c.getNamespace()).isEqualTo("shop");

        Path fromEnv = kubeconfig(dir.resolve("env/config"));
        var viaEnv = new ClusterSpec("staging", new ClusterSpec.KubeconfigContext("staging"), "default");
        assertThat(ClusterConnections.config(viaEnv, env(Map.of("KUBECONFIG", fromEnv.toString()))).getMasterUrl())
                .startsWith("https://staging.example.com:6443");

        kubeconfig(dir.resolve("home/.kube/config"));
        assertThat(ClusterConnections.config(spec, env(Map.of())).getMasterUrl()).startsWith("https://prod.example.com:6443");
    }

    @Test
    void anUnknownContextOrAMissingFileIsAClearError() throws Exception {
        Path file = kubeconfig(dir.resolve("k/config"));
        var unknown = new ClusterSpec("x", new ClusterSpec.KubeconfigContext("qa", Optional.of(file.toString())), "default");
        assertThatThrownBy(() -> ClusterConnections.config(unknown, env(Map.of())))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("Cluster 'x': the kubeconfig " + file + " has no context 'qa'");
        var missing = new ClusterSpec("x", new ClusterSpec.KubeconfigContext("qa"), "default");
        assertThatThrownBy(() -> ClusterConnections.config(missing, env(Map.of())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no kubeconfig file at " + dir.resolve("home/.kube/config"));
    }

    @Test
    void inClusterUsesThePodsServiceAccountOnly() throws Exception {
        // a kubeconfig on the machine must not win over the service account
        kubeconfig(dir.resolve("home/.kube/config"));
        Files.createDirectories(dir.resolve("sa"));
        Files.writeString(dir.resolve("sa/token"), TOKEN + "\n");
        Files.writeString(dir.resolve("sa/ca.crt"), "not checked here");
        var spec = new ClusterSpec("here", new ClusterSpec.InCluster(), "shop");
        Config c = ClusterConnections.config(spec, env(Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1", "KUBERNETES_SERVICE_PORT", "443",
                "KUBECONFIG", dir.resolve("home/.kube/config").toString())));
        assertThat(c.getMasterUrl()).startsWith("https://10.0.0.1:443");
        assertThat(c.getCaCertFile()).isEqualTo(dir.resolve("sa/ca.crt").toString());
        assertThat(c.getOauthToken()).isNull();
        assertThat(c.getOauthTokenProvider().getToken()).isEqualTo(TOKEN);
        // the kubelet rotates bound tokens: the next request reads the new one
        Files.writeString(dir.resolve("sa/token"), "rotated");
        assertThat(c.getOauthTokenProvider().getToken()).isEqualTo("rotated");
        assertThat(ClusterConnections.config(spec, env(Map.of("KUBERNETES_SERVICE_HOST", "fd00::1"))).getMasterUrl())
                .startsWith("https://[fd00::1]:443");
        assertThatThrownBy(() -> ClusterConnections.config(spec, env(Map.of())))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("KUBERNETES_SERVICE_HOST is not set");
    }

    @Test
    void serverTokenIsReadFromItsFileAtEachRequestAndNeverShown() throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, "  " + TOKEN + "\n");
        var spec = new ClusterSpec("prod-eu", new ClusterSpec.Server("https://prod-eu.example.com:6443", Optional.of(token.toString()),
                Optional.of("/etc/ca.crt")), "production");
        Config c = ClusterConnections.config(spec, env(Map.of()));
        assertThat(c.getMasterUrl()).startsWith("https://prod-eu.example.com:6443");
        assertThat(c.getCaCertFile()).isEqualTo("/etc/ca.crt");
        assertThat(c.getNamespace()).isEqualTo("production");
        assertThat(c.getOauthToken()).isNull(); // not held in the configuration
        assertThat(c.getOauthTokenProvider().getToken()).isEqualTo(TOKEN);
        assertThat(c.toString()).doesNotContain(TOKEN);
        assertThat(spec.toString()).doesNotContain(TOKEN);

        Files.delete(token);
        assertThatThrownBy(() -> c.getOauthTokenProvider().getToken())
                .isInstanceOf(UncheckedIOException.class)
                .hasMessage("cannot read the token file " + token)
                .satisfies(e -> assertThat(e.getCause().getMessage()).doesNotContain(TOKEN));
    }

    /** A client that records how it was configured and whether it was closed (no server, no HTTP). */
    static final class FakeClients {
        final List<Config> configs = new ArrayList<>();
        final List<String> closed = new ArrayList<>();

        KubernetesClient make(Config config) {
            configs.add(config);
            return (KubernetesClient) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {KubernetesClient.class},
                    (proxy, m, args) -> switch (m.getName()) {
                        case "close" -> {
                            closed.add(config.getMasterUrl());
                            yield null;
                        }
                        case "getConfiguration" -> config;
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> throw new UnsupportedOperationException(m.getName());
                    });
        }
    }

    @Test
    void oneClientPerClusterMadeOnFirstUseAndClosedTogether() throws Exception {
        FakeClients fakes = new FakeClients();
        Files.writeString(dir.resolve("t"), TOKEN);
        KubernetesClient registered = new FakeClients().make(Config.empty());
        var connections = new ClusterConnections(fakes::make, env(Map.of()))
                .add(new ClusterSpec("a", new ClusterSpec.Server("https://a.example.com", Optional.of(dir.resolve("t").toString()), Optional.empty()), "default"))
                .add(new ClusterSpec("b", new ClusterSpec.Server("https://b.example.com", Optional.of(dir.resolve("t").toString()), Optional.empty()), "default"))
                .register("embedded", registered);
        assertThat(fakes.configs).isEmpty(); // nothing is made before it is used
        KubernetesClient a = connections.client("a");
        assertThat(connections.client("a")).isSameAs(a);
        connections.client("b");
        assertThat(connections.client("embedded")).isSameAs(registered);
        assertThat(fakes.configs).extracting(Config::getMasterUrl).containsExactly("https://a.example.com/", "https://b.example.com/");
        assertThatThrownBy(() -> connections.client("c")).isInstanceOf(IllegalArgumentException.class).hasMessage("no Cluster named 'c'");

        connections.close();
        assertThat(fakes.closed).containsExactly("https://a.example.com/", "https://b.example.com/"); // not the registered one
        assertThatThrownBy(() -> connections.client("a")).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
}
