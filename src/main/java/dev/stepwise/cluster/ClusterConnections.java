package dev.stepwise.cluster;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * fabric8 clients for {@link ClusterSpec}s, one per cluster name, made on first use and closed together. Clients
 * made elsewhere (the embedded cluster) can be registered under a name.
 */
public final class ClusterConnections implements AutoCloseable {
    private final Map<String, ClusterSpec> specs = new LinkedHashMap<>();
    private final Map<String, KubernetesClient> clients = new LinkedHashMap<>();

    public ClusterConnections add(ClusterSpec spec) {
        specs.put(spec.name(), spec);
        return this;
    }

    /** Uses {@code client} for {@code name} (the embedded cluster, a test server). */
    public ClusterConnections register(String name, KubernetesClient client) {
        clients.put(name, client);
        return this;
    }

    public synchronized KubernetesClient client(String name) {
        KubernetesClient c = clients.get(name);
        if (c != null) {
            return c;
        }
        ClusterSpec spec = specs.get(name);
        if (spec == null) {
            throw new IllegalArgumentException("no Cluster named '" + name + "'");
        }
        c = new KubernetesClientBuilder().withConfig(config(spec)).build();
        clients.put(name, c);
        return c;
    }

    /** The fabric8 configuration for a Cluster (no request is made). */
    public static Config config(ClusterSpec spec) {
        Config config;
        if (spec.connection() instanceof ClusterSpec.KubeconfigContext k) {
            config = Config.autoConfigure(k.context());
        } else if (spec.connection() instanceof ClusterSpec.InCluster) {
            config = Config.autoConfigure(null); // the service account mounted into Stepwise's pod
        } else {
            ClusterSpec.Server s = (ClusterSpec.Server) spec.connection();
            ConfigBuilder b = new ConfigBuilder(Config.empty()).withMasterUrl(s.url());
            s.caFile().ifPresent(b::withCaCertFile);
            // read at each token request, so a rotated token file is picked up; never kept in a field or logged
            s.tokenFile().ifPresent(f -> b.withOauthTokenProvider(() -> readToken(f)));
            config = b.build();
        }
        config.setNamespace(spec.defaultNamespace());
        return config;
    }

    private static String readToken(String file) {
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            // the message names the file, never its content
            throw new UncheckedIOException("cannot read the token file " + file, e);
        }
    }

    @Override
    public synchronized void close() {
        clients.values().forEach(KubernetesClient::close);
        clients.clear();
    }
}
