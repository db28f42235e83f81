package dev.stepwise.cluster;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** Pure: the JSON merge patch that pins a Service's selector to one version, or nothing when it already is. */
public final class ServiceModel {
    private ServiceModel() {
    }

    /**
     * @param current the Service's selector now
     * @param wanted  the selector keys the version needs (replaced keys only; others are kept, as Argo does)
     * @param dropped keys to remove (Flagger's generated Services switch between two whole selectors)
     * @return the patch's {@code selector} map, or null when nothing changes
     */
    public static Map<String, String> selectorPatch(Map<String, String> current, Map<String, String> wanted,
                                                     Iterable<String> dropped) {
        Map<String, String> patch = new LinkedHashMap<>();
        Map<String, String> have = current == null ? Map.of() : current;
        wanted.forEach((k, v) -> {
            if (!Objects.equals(have.get(k), v)) {
                patch.put(k, v);
            }
        });
        for (String k : dropped) {
            if (have.containsKey(k) && !wanted.containsKey(k)) {
                patch.put(k, null);
            }
        }
        return patch.isEmpty() ? null : patch;
    }
}
