package dev.stepwise.spec.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Labels and annotations added to pods while they play a role (canaryMetadata, stableMetadata, previewMetadata…). */
public record PodMetadata(Map<String, String> labels, Map<String, String> annotations) {

    public static final PodMetadata NONE = new PodMetadata(Map.of(), Map.of());

    public PodMetadata {
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        annotations = Collections.unmodifiableMap(new LinkedHashMap<>(annotations));
    }

    public boolean isEmpty() {
        return labels.isEmpty() && annotations.isEmpty();
    }
}
