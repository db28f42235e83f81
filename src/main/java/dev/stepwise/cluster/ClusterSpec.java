package dev.stepwise.cluster;

import dev.stepwise.spec.Finding;
import dev.stepwise.spec.Severity;
import dev.stepwise.spec.SpecDocument;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code stepwise.dev/v1alpha1 Cluster}: how to reach one cluster. Exactly one of {@code spec.kubeconfig.context}
 * (with an optional {@code path}), {@code spec.inCluster: true} or {@code spec.server {url, tokenFile, caFile}}.
 * Credentials are never in Git: the token is read from {@code tokenFile} when a request needs it.
 */
public record ClusterSpec(String name, Connection connection, String defaultNamespace) {

    public static final String DEFAULT_NAMESPACE = "default";

    public sealed interface Connection permits KubeconfigContext, InCluster, Server {
    }

    /** A context of a kubeconfig file; {@code path} empty: {@code $KUBECONFIG}, then {@code ~/.kube/config}. */
    public record KubeconfigContext(String context, Optional<String> path) implements Connection {
        public KubeconfigContext(String context) {
            this(context, Optional.empty());
        }
    }

    public record InCluster() implements Connection {
    }

    /** An API server and the files holding its bearer token and CA: the token itself is never held here. */
    public record Server(String url, Optional<String> tokenFile, Optional<String> caFile) implements Connection {
    }

    /**
     * Reads a Cluster document. A document that names no (or more than one) way to connect, or whose connection is
     * incomplete or malformed, gives findings located at the field, and no cluster.
     */
    public static ClusterResult of(SpecDocument doc) {
        List<Finding> findings = new ArrayList<>();
        String ns = DEFAULT_NAMESPACE;
        Object nsValue = doc.at("/spec/defaultNamespace").orElse(null);
        if (nsValue instanceof String s && s.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?") && s.length() <= 63) {
            ns = s;
        } else if (nsValue != null) {
            findings.add(doc.finding(Severity.ERROR, "/spec/defaultNamespace", "cluster.namespace",
                    "defaultNamespace must be a namespace name (lower-case letters, digits and '-'), found " + describe(nsValue)));
        }
        List<Connection> ways = new ArrayList<>();
        Object kubeconfig = doc.at("/spec/kubeconfig").orElse(null);
        if (kubeconfig != null) {
            if (!(kubeconfig instanceof Map<?, ?> kc)) {
                findings.add(doc.finding(Severity.ERROR, "/spec/kubeconfig", "cluster.kubeconfig",
                        "spec.kubeconfig must be a mapping with a context, e.g. {context: prod-eu}"));
                ways.add(null);
            } else {
                Object context = kc.get("context");
                Object path = kc.get("path");
                if (!(context instanceof String s) || s.isBlank()) {
                    findings.add(doc.finding(Severity.ERROR, context == null ? "/spec/kubeconfig" : "/spec/kubeconfig/context",
                            "cluster.kubeconfig-context", "spec.kubeconfig needs the name of a context, e.g. {context: prod-eu}"));
                } else if (path != null && !(path instanceof String p && !p.isBlank())) {
                    findings.add(doc.finding(Severity.ERROR, "/spec/kubeconfig/path", "cluster.kubeconfig-path",
                            "spec.kubeconfig.path must be the path of a kubeconfig file"));
                }
                ways.add(context instanceof String s && !s.isBlank() ? new KubeconfigContext(s, Optional.ofNullable((String) (path instanceof String p ? p : null))) : null);
            }
        }
        Object inCluster = doc.at("/spec/inCluster").orElse(null);
        if (inCluster != null) {
            if (!Boolean.TRUE.equals(inCluster)) {
                findings.add(doc.finding(Severity.ERROR, "/spec/inCluster", "cluster.in-cluster",
                        "spec.inCluster can only be true (leave it out to connect another way), found " + describe(inCluster)));
                ways.add(null); // named, if badly: the way to connect the document meant
            } else {
                ways.add(new InCluster());
            }
        }
        Object server = doc.at("/spec/server").orElse(null);
        if (server != null) {
            ways.add(server(doc, server, findings));
        }
        if (ways.size() != 1) {
            findings.add(doc.finding(Severity.ERROR, "/spec", "cluster.connection",
                    "a Cluster needs exactly one of spec.kubeconfig, spec.inCluster: true or spec.server (found " + ways.size() + ")"));
        }
        if (!findings.isEmpty() || ways.get(0) == null) {
            return new ClusterResult(Optional.empty(), findings);
        }
        return new ClusterResult(Optional.of(new ClusterSpec(doc.name(), ways.get(0), ns)), List.of());
    }

    private static Server server(SpecDocument doc, Object server, List<Finding> findings) {
        if (!(server instanceof Map<?, ?> s)) {
            findings.add(doc.finding(Severity.ERROR, "/spec/server", "cluster.server",
                    "spec.server must be a mapping {url, tokenFile, caFile}"));
            return null;
        }
        int before = findings.size();
        Object url = s.get("url");
        if (!(url instanceof String u)) {
            findings.add(doc.finding(Severity.ERROR, "/spec/server", "cluster.server-url", "spec.server needs a url"));
        } else {
            urlProblem(u).ifPresent(p -> findings.add(doc.finding(Severity.ERROR, "/spec/server/url", "cluster.server-url", p)));
        }
        Object token = s.get("tokenFile");
        if (token == null) {
            findings.add(doc.finding(Severity.ERROR, "/spec/server", "cluster.token-file",
                    "spec.server needs a tokenFile: the path of a file holding the bearer token (never the token itself)"));
        } else if (!(token instanceof String t) || t.isBlank()) {
            findings.add(doc.finding(Severity.ERROR, "/spec/server/tokenFile", "cluster.token-file",
                    "spec.server.tokenFile must be the path of a file"));
        }
        Object ca = s.get("caFile");
        if (ca != null && !(ca instanceof String c && !c.isBlank())) {
            findings.add(doc.finding(Severity.ERROR, "/spec/server/caFile", "cluster.ca-file", "spec.server.caFile must be the path of a file"));
        }
        if (findings.size() > before) {
            return null;
        }
        return new Server((String) url, Optional.of((String) token), Optional.ofNullable((String) ca));
    }

    /** What is wrong with an API server URL, if anything. The URL itself is safe to show once it has no user info. */
    static Optional<String> urlProblem(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.of("spec.server.url is not a URL (expected e.g. https://api.prod-eu.example.com:6443)");
        }
        if (uri.getRawUserInfo() != null) {
            // never echo it: the user info may be a password
            return Optional.of("spec.server.url must not carry a user name or password; name a tokenFile instead");
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("https") || uri.getScheme().equals("http")) || uri.getHost() == null) {
            return Optional.of("spec.server.url must be an http(s) URL with a host, e.g. https://api.prod-eu.example.com:6443; found '" + url + "'");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            return Optional.of("spec.server.url must not have a query or fragment (they could carry credentials)");
        }
        return Optional.empty();
    }

    private static String describe(Object v) {
        return v instanceof String s ? "'" + s + "'" : String.valueOf(v);
    }

    /**
     * Every Cluster document of a set: one bad document never hides the others. A name used twice is reported at the
     * later document and neither is used (a wave could not tell them apart).
     */
    public static ClustersResult ofAll(List<SpecDocument> docs) {
        Map<String, ClusterSpec> clusters = new LinkedHashMap<>();
        Map<String, SpecDocument> firstSeen = new LinkedHashMap<>();
        List<Finding> findings = new ArrayList<>();
        for (SpecDocument doc : docs) {
            if (!"Cluster".equals(doc.kindName())) {
                continue;
            }
            if (firstSeen.containsKey(doc.name())) {
                findings.add(doc.finding(Severity.ERROR, "/metadata/name", "cluster.duplicate",
                        "another Cluster is named '" + doc.name() + "' (" + firstSeen.get(doc.name()).file() + ")"));
                clusters.remove(doc.name());
                continue;
            }
            firstSeen.put(doc.name(), doc);
            ClusterResult r = of(doc);
            findings.addAll(r.findings());
            r.cluster().ifPresent(c -> clusters.put(c.name(), c));
        }
        return new ClustersResult(clusters, findings);
    }

    public record ClusterResult(Optional<ClusterSpec> cluster, List<Finding> findings) {
    }

    /** The readable Clusters by name, and the findings of all documents. */
    public record ClustersResult(Map<String, ClusterSpec> clusters, List<Finding> findings) {
    }
}
