package dev.stepwise.reconcile;

import dev.stepwise.cluster.ClusterConnections;
import dev.stepwise.cluster.ClusterSpec;
import dev.stepwise.cluster.ClusterTarget;
import dev.stepwise.cluster.embedded.EmbeddedCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The clusters a process changes, by name: those of its configuration, and those declared by {@code Cluster}
 * documents in Git (a configured cluster wins over a Git one of the same name, so a repository cannot redirect
 * Stepwise to a cluster its operators did not give it). One {@link ClusterTarget} per cluster, made on first use.
 */
public final class Clusters implements AutoCloseable {

    private final ClusterConnections connections = new ClusterConnections();
    private final Set<String> configured = ConcurrentHashMap.newKeySet();
    private final Set<String> known = ConcurrentHashMap.newKeySet();
    private final Map<String, ClusterTarget> targets = new ConcurrentHashMap<>();
    private final List<AutoCloseable> owned = new ArrayList<>();

    /** Connects (lazily) to the configured clusters; an {@code embedded} one starts here, with its simulator running. */
    public static Clusters fromConfig(List<RunConfig.Cluster> clusters) {
        Clusters c = new Clusters();
        for (RunConfig.Cluster k : clusters) {
            if (k.embedded()) {
                EmbeddedCluster e = EmbeddedCluster.start(Duration.ofSeconds(2)).simulateInBackground(Duration.ofMillis(200));
                c.owned.add(e);
                c.register(k.name(), e.client());
                continue;
            }
            ClusterSpec.Connection connection = k.inCluster() ? new ClusterSpec.InCluster()
                    : k.context().isPresent() ? new ClusterSpec.KubeconfigContext(k.context().get())
                    : new ClusterSpec.Server(k.server().orElseThrow(), k.tokenFile().map(Object::toString),
                    k.caFile().map(Object::toString));
            c.connections.add(new ClusterSpec(k.name(), connection, "default"));
            c.configured.add(k.name());
            c.known.add(k.name());
        }
        return c;
    }

    /** Uses {@code client} for {@code name} (the embedded cluster, a test server). */
    public Clusters register(String name, KubernetesClient client) {
        connections.register(name, client);
        configured.add(name);
        known.add(name);
        return this;
    }

    /** A cluster declared in Git; ignored when the configuration already has one of that name. */
    public void learn(ClusterSpec spec) {
        if (!configured.contains(spec.name())) {
            connections.add(spec);
            known.add(spec.name());
        }
    }

    public Optional<ClusterTarget> target(String name) {
        if (!known.contains(name)) {
            return Optional.empty();
        }
        return Optional.of(targets.computeIfAbsent(name, n -> new ClusterTarget(connections.client(n))));
    }

    public Set<String> names() {
        return new LinkedHashSet<>(known);
    }

    @Override
    public void close() {
        connections.close();
        for (AutoCloseable a : owned) {
            try {
                a.close();
            } catch (Exception e) {
                // closing on the way out: nothing left to do about it
            }
        }
    }
}
