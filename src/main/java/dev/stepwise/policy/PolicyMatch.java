package dev.stepwise.policy;

import dev.stepwise.spec.SpecDocument;
import java.util.List;
import java.util.Map;

/**
 * Which documents a rule (or an approver rule) applies to. Every field is optional and an absent (or empty) field
 * matches everything; the fields that are given must all match: the document's kind is one of {@code kinds}, its
 * namespace (Kubernetes' "default" when none is written) one of {@code namespaces}, its name one of {@code names},
 * and it carries every label of {@code labels} with exactly that value.
 */
public record PolicyMatch(List<String> kinds, List<String> namespaces, List<String> names, Map<String, String> labels) {

    public static final PolicyMatch ALL = new PolicyMatch(List.of(), List.of(), List.of(), Map.of());

    public PolicyMatch {
        kinds = List.copyOf(kinds);
        namespaces = List.copyOf(namespaces);
        names = List.copyOf(names);
        labels = Map.copyOf(labels);
    }

    public boolean matches(SpecDocument doc) {
        if (!kinds.isEmpty() && !kinds.contains(doc.kindName())) {
            return false;
        }
        if (!namespaces.isEmpty() && !namespaces.contains(doc.namespace())) {
            return false;
        }
        if (!names.isEmpty() && !names.contains(doc.name())) {
            return false;
        }
        if (!labels.isEmpty()) {
            Map<String, String> actual = doc.labels();
            for (Map.Entry<String, String> wanted : labels.entrySet()) {
                if (!wanted.getValue().equals(actual.get(wanted.getKey()))) {
                    return false;
                }
            }
        }
        return true;
    }
}
