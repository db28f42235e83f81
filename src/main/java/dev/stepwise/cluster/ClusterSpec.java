package dev.stepwise.cluster;

import dev.stepwise.spec.Finding;
import dev.stepwise.spec.Severity;
import dev.stepwise.spec.SpecDocument;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code stepwise.dev/v1alpha1 Cluster}: how to reach one cluster. Exactly one of {@code spec.kubeconfig.context},
 * {@code spec.inCluster: true} or {@code spec.server {url, tokenFile, caFile}}. Credentials are never in Git: the
 * token is read from {@code tokenFile} when a request needs it.
 */
public record ClusterSpec(String name, Connection connection, String defaultNamespace) {

    public sealed interface Connection permits KubeconfigContext, InCluster, Server {
    }

    public record KubeconfigContext(String context) implements Connection {
    }

    public record InCluster() implements Connection {
    }

    /** {@code toString} leaves the file paths out of nothing secret: the token itself is never held here. */
    public record Server(String url, Optional<String> tokenFile, Optional<String> caFile) implements Connection {
    }

    /** Reads a Cluster document; a document that names no (or more than one) way to connect gives a located finding. */
    public static ClusterResult of(SpecDocument doc) {
        String ns = doc.at("/spec/defaultNamespace").orElse(null) instanceof String s ? s : "default";
        int ways = 0;
        Connection c = null;
        if (doc.at("/spec/kubeconfig").orElse(null) instanceof Map<?, ?> kc) {
            ways++;
            c = new KubeconfigContext(kc.get("context") instanceof String s ? s : null);
        }
        if (Boolean.TRUE.equals(doc.at("/spec/inCluster").orElse(null))) {
            ways++;
            c = new InCluster();
        }
        if (doc.at("/spec/server").orElse(null) instanceof Map<?, ?> server) {
            ways++;
            if (!(server.get("url") instanceof String url)) {
                return new ClusterResult(Optional.empty(), List.of(doc.finding(Severity.ERROR, "/spec/server",
                        "cluster.server-url", "spec.server needs a url")));
            }
            c = new Server(url, Optional.ofNullable(server.get("tokenFile") instanceof String t ? t : null),
                    Optional.ofNullable(server.get("caFile") instanceof String f ? f : null));
        }
        if (ways != 1) {
            return new ClusterResult(Optional.empty(), List.of(doc.finding(Severity.ERROR, "/spec", "cluster.connection",
                    "a Cluster needs exactly one of spec.kubeconfig, spec.inCluster: true or spec.server (found " + ways + ")")));
        }
        return new ClusterResult(Optional.of(new ClusterSpec(doc.name(), c, ns)), List.of());
    }

    public record ClusterResult(Optional<ClusterSpec> cluster, List<Finding> findings) {
    }
}
