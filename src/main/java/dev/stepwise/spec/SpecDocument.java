package dev.stepwise.spec;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One YAML document of a spec repository, as plain data: {@code content} is the document as nested
 * {@code Map<String,Object>}, {@code List<Object>}, {@code String}, {@code Long}, {@code Double}, {@code Boolean}
 * and {@code null}, the shape JSON Schema and CEL both understand. {@code index} counts documents in the file from 0.
 * {@code kind} is empty for documents of kinds Stepwise does not read.
 */
public record SpecDocument(String file, int index, Map<String, Object> content, SourceMap sourceMap,
                           Optional<SpecKind> kind) {

    public String apiVersion() {
        return string(content.get("apiVersion"));
    }

    public String kindName() {
        return string(content.get("kind"));
    }

    public String name() {
        return string(metadata().get("name"));
    }

    /** The namespace as written, or "default" as Kubernetes assumes when none is given. */
    public String namespace() {
        String ns = string(metadata().get("namespace"));
        return ns.isEmpty() ? "default" : ns;
    }

    /** {@code namespace/name}, how rollouts are named in commands and status files. */
    public String qualifiedName() {
        return namespace() + "/" + name();
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> metadata() {
        Object m = content.get("metadata");
        return m instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    @SuppressWarnings("unchecked")
    public Map<String, String> labels() {
        Object l = metadata().get("labels");
        if (!(l instanceof Map<?, ?> map)) {
            return Map.of();
        }
        java.util.LinkedHashMap<String, String> out = new java.util.LinkedHashMap<>();
        ((Map<String, Object>) map).forEach((k, v) -> out.put(k, v == null ? "" : String.valueOf(v)));
        return out;
    }

    /** The value at a JSON pointer, if every step of the way exists. */
    public Optional<Object> at(String pointer) {
        if (pointer.isEmpty()) {
            return Optional.of(content);
        }
        Object node = content;
        for (String raw : pointer.substring(1).split("/", -1)) {
            String token = raw.replace("~1", "/").replace("~0", "~");
            if (node instanceof Map<?, ?> map) {
                if (!map.containsKey(token)) {
                    return Optional.empty();
                }
                node = map.get(token);
            } else if (node instanceof List<?> list) {
                int i;
                try {
                    i = Integer.parseInt(token);
                } catch (NumberFormatException e) {
                    return Optional.empty();
                }
                if (i < 0 || i >= list.size()) {
                    return Optional.empty();
                }
                node = list.get(i);
            } else {
                return Optional.empty();
            }
        }
        return Optional.ofNullable(node);
    }

    public Location locate(String pointer) {
        return sourceMap.valueAt(pointer);
    }

    public Location locateKey(String pointer) {
        return sourceMap.keyAt(pointer);
    }

    /** A finding located at {@code pointer} in this document. */
    public Finding finding(Severity severity, String pointer, String code, String message) {
        return new Finding(severity, locate(pointer), pointer, code, message);
    }

    /** How a document is named in messages: {@code Rollout production/checkout-api}. */
    public String describe() {
        String n = name();
        return kindName() + " " + (n.isEmpty() ? "(unnamed, document " + (index + 1) + " of " + file + ")" : namespace() + "/" + n);
    }

    private static String string(Object o) {
        return o instanceof String s ? s : "";
    }
}
