package dev.stepwise.git;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A rollout's namespace and name, which is also where its status file lives: {@code <folder>/<namespace>/<name>.yaml}.
 * Both must be Kubernetes names (DNS-1123 labels/subdomains), which also keeps them safe as path segments.
 */
public record RolloutKey(String namespace, String name) implements Comparable<RolloutKey> {

    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

    public RolloutKey {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        if (!DNS_SUBDOMAIN.matcher(namespace).matches() || namespace.length() > 63 || namespace.contains(".")) {
            throw new IllegalArgumentException("not a Kubernetes namespace: '" + namespace + "'");
        }
        if (!DNS_SUBDOMAIN.matcher(name).matches() || name.contains("..")) {
            throw new IllegalArgumentException("not a Kubernetes object name: '" + name + "'");
        }
    }

    /** From {@code namespace/name}. */
    public static RolloutKey parse(String qualified) {
        int slash = qualified.indexOf('/');
        if (slash <= 0 || slash != qualified.lastIndexOf('/')) {
            throw new IllegalArgumentException("expected namespace/name, got '" + qualified + "'");
        }
        return new RolloutKey(qualified.substring(0, slash), qualified.substring(slash + 1));
    }

    /** The status file's path under {@code folder} ("" for the repository root). */
    public String path(String folder) {
        String f = folder.isEmpty() ? "" : folder + "/";
        return f + namespace + "/" + name + ".yaml";
    }

    @Override
    public int compareTo(RolloutKey o) {
        int c = namespace.compareTo(o.namespace);
        return c != 0 ? c : name.compareTo(o.name);
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
