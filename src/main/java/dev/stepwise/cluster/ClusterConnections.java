package dev.stepwise.cluster;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * fabric8 clients for {@link ClusterSpec}s, one per cluster name, made on first use and closed together. Clients
 * made elsewhere (the embedded cluster) can be registered under a name; their owner closes them.
 *
 * <p>Building a configuration never contacts a server. A bearer token is never held in a field, a configuration or a
 * message: it is read from its file each time the client asks for one (so a rotated token is picked up).
 */
public final class ClusterConnections implements AutoCloseable {
    private final Map<String, ClusterSpec> specs = new LinkedHashMap<>();
    private final Map<String, KubernetesClient> clients = new LinkedHashMap<>();
    private final Set<String> made = new LinkedHashSet<>();
    private final Function<Config, KubernetesClient> factory;
    private final Environment environment;
    private boolean closed;

    /**
     * What the configuration of a connection reads from the machine: environment variables ({@code KUBECONFIG},
     * {@code KUBERNETES_SERVICE_HOST}/{@code _PORT}), the user's home and the service account directory of a pod.
     */
    public record Environment(Map<String, String> variables, Path home, Path serviceAccountDir) {
        public static final Path SERVICE_ACCOUNT_DIR = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

        public static Environment system() {
            return new Environment(System.getenv(), Path.of(System.getProperty("user.home")), SERVICE_ACCOUNT_DIR);
        }
    }

    public ClusterConnections() {
        this(config -> new KubernetesClientBuilder().withConfig(config).build(), Environment.system());
    }

    /** With another way of making a client from a configuration (tests) and another environment. */
    public ClusterConnections(Function<Config, KubernetesClient> factory, Environment environment) {
        this.factory = factory;
        this.environment = environment;
    }

    public synchronized ClusterConnections add(ClusterSpec spec) {
        specs.put(spec.name(), spec);
        return this;
    }

    /** Uses {@code client} for {@code name} (the embedded cluster, a test server); it is not closed here. */
    public synchronized ClusterConnections register(String name, KubernetesClient client) {
        clients.put(name, client);
        made.remove(name);
        return this;
    }

    public synchronized KubernetesClient client(String name) {
        if (closed) {
            throw new IllegalStateException("the cluster connections are closed");
        }
        KubernetesClient c = clients.get(name);
        if (c != null) {
            return c;
        }
        ClusterSpec spec = specs.get(name);
        if (spec == null) {
            throw new IllegalArgumentException("no Cluster named '" + name + "'");
        }
        c = factory.apply(config(spec, environment));
        clients.put(name, c);
        made.add(name);
        return c;
    }

    /** The fabric8 configuration for a Cluster on this machine (no request is made). */
    public static Config config(ClusterSpec spec) {
        return config(spec, Environment.system());
    }

    /** The fabric8 configuration for a Cluster in {@code env} (no request is made). */
    public static Config config(ClusterSpec spec, Environment env) {
        Config config;
        if (spec.connection() instanceof ClusterSpec.KubeconfigContext k) {
            File file = k.path().map(File::new).orElseGet(() -> kubeconfigFile(env));
            if (!file.isFile()) {
                throw new IllegalArgumentException("Cluster '" + spec.name() + "': no kubeconfig file at " + file);
            }
            config = Config.fromKubeconfig(k.context(), file);
            if (!k.context().equals(config.getCurrentContext() == null ? null : config.getCurrentContext().getName())) {
                throw new IllegalArgumentException("Cluster '" + spec.name() + "': the kubeconfig " + file + " has no context '" + k.context() + "'");
            }
        } else if (spec.connection() instanceof ClusterSpec.InCluster) {
            config = inCluster(spec, env);
        } else {
            ClusterSpec.Server s = (ClusterSpec.Server) spec.connection();
            ConfigBuilder b = new ConfigBuilder(Config.empty()).withMasterUrl(s.url());
            s.caFile().ifPresent(b::withCaCertFile);
            s.tokenFile().ifPresent(f -> b.withOauthTokenProvider(() -> readToken(Path.of(f))));
            config = b.build();
        }
        config.setNamespace(spec.defaultNamespace());
        return config;
    }

    /**
     * The pod's own service account, and nothing else: fabric8's auto-configuration would prefer a kubeconfig file
     * that happens to be on the machine, which would be another cluster.
     */
    private static Config inCluster(ClusterSpec spec, Environment env) {
        String host = env.variables().get("KUBERNETES_SERVICE_HOST");
        if (host == null || host.isBlank()) {
            throw new IllegalStateException("Cluster '" + spec.name() + "' says inCluster, but Stepwise is not running in a "
                    + "cluster (KUBERNETES_SERVICE_HOST is not set)");
        }
        String port = Optional.ofNullable(env.variables().get("KUBERNETES_SERVICE_PORT")).orElse("443");
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host; // an IPv6 address
        Path token = env.serviceAccountDir().resolve("token");
        Path ca = env.serviceAccountDir().resolve("ca.crt");
        ConfigBuilder b = new ConfigBuilder(Config.empty()).withMasterUrl("https://" + h + ":" + port)
                // bound service account tokens are rotated by the kubelet: read the file at each request
                .withOauthTokenProvider(() -> readToken(token));
        if (Files.isRegularFile(ca)) {
            b.withCaCertFile(ca.toString());
        }
        return b.build();
    }

    private static File kubeconfigFile(Environment env) {
        String fromEnv = env.variables().get("KUBECONFIG");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return new File(fromEnv.split(File.pathSeparator)[0]);
        }
        return env.home().resolve(".kube").resolve("config").toFile();
    }

    private static String readToken(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            // the message names the file, never its content
            throw new UncheckedIOException("cannot read the token file " + file, new IOException(e.getClass().getSimpleName()));
        }
    }

    /** Closes the clients made here (not the registered ones); later calls of {@link #client} fail. */
    @Override
    public synchronized void close() {
        closed = true;
        for (String name : made) {
            clients.get(name).close();
        }
        clients.clear();
        made.clear();
    }
}
