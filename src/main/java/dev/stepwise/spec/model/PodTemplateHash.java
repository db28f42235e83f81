package dev.stepwise.spec.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A short, deterministic name for a pod template's content, in the spirit of Kubernetes' pod-template-hash: the same
 * template always gives the same hash, any change to it gives a new one, so "a new hash" means "a new version to roll
 * out". Mapping keys are sorted first, so re-ordering fields in YAML is not a new version (Kubernetes hashes the
 * decoded object, where field order does not exist either). The hash is Stepwise's own; it is not meant to equal the
 * hash the Argo controller computes on a cluster.
 */
public final class PodTemplateHash {
    // Kubernetes' "safe" alphabet: no vowels (no words by accident), no look-alike characters.
    private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
    private static final int LENGTH = 10;

    private PodTemplateHash() {
    }

    public static String of(Object template) {
        StringBuilder canonical = new StringBuilder();
        write(template, canonical);
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
        StringBuilder out = new StringBuilder(LENGTH);
        for (int i = 0; i < LENGTH; i++) {
            out.append(ALPHABET.charAt((digest[i] & 0xff) % ALPHABET.length()));
        }
        return out.toString();
    }

    private static void write(Object node, StringBuilder out) {
        if (node instanceof Map<?, ?> map) {
            TreeMap<String, Object> sorted = new TreeMap<>();
            map.forEach((k, v) -> sorted.put(String.valueOf(k), v));
            out.append('{');
            sorted.forEach((k, v) -> {
                writeString(k, out);
                out.append(':');
                write(v, out);
                out.append(',');
            });
            out.append('}');
        } else if (node instanceof List<?> list) {
            out.append('[');
            for (Object item : list) {
                write(item, out);
                out.append(',');
            }
            out.append(']');
        } else if (node instanceof String s) {
            writeString(s, out);
        } else if (node instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) {
            out.append(d.longValue()); // 2.0 and 2 are the same quantity to Kubernetes
        } else {
            out.append(node);
        }
    }

    private static void writeString(String s, StringBuilder out) {
        out.append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
}
