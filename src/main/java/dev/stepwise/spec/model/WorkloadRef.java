package dev.stepwise.spec.model;

/**
 * The object that provides the pod template when the rollout does not carry its own: Argo's {@code spec.workloadRef},
 * or a Flagger Canary's {@code targetRef} (the Deployment Flagger treats as the canary; {@code <name>-primary} is the
 * stable copy it keeps). {@code scaleDown} is Argo's: what happens to the referenced Deployment once the rollout is
 * healthy.
 */
public record WorkloadRef(String apiVersion, String kind, String name, ScaleDown scaleDown) {

    /** Argo's {@code workloadRef.scaleDown} values; {@code never} is the default. */
    public enum ScaleDown {
        NEVER("never"), ONSUCCESS("onsuccess"), PROGRESSIVELY("progressively");

        private final String value;

        ScaleDown(String value) {
            this.value = value;
        }

        public String value() {
            return value;
        }

        public static java.util.Optional<ScaleDown> of(String value) {
            for (ScaleDown s : values()) {
                if (s.value.equals(value)) {
                    return java.util.Optional.of(s);
                }
            }
            return java.util.Optional.empty();
        }
    }

    @Override
    public String toString() {
        return kind + " " + name;
    }
}
