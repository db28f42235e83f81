package dev.stepwise.spec.model;

/**
 * Why an indefinite pause waits: Flagger's confirm webhooks, which hold a canary until they answer yes. Stepwise
 * treats each as a manual gate (a person, or the webhook, opens it). An Argo {@code pause: {}} has no gate record: it
 * waits for a promotion. The webhook's URL stays in {@link FlaggerSource}; it is never shown in a plan.
 */
public record Gate(Kind kind, String webhook) {

    public enum Kind {
        CONFIRM_ROLLOUT("confirm-rollout"),
        CONFIRM_TRAFFIC_INCREASE("confirm-traffic-increase"),
        CONFIRM_PROMOTION("confirm-promotion");

        private final String hookType;

        Kind(String hookType) {
            this.hookType = hookType;
        }

        /** The Flagger webhook {@code type} this gate comes from. */
        public String hookType() {
            return hookType;
        }
    }

    @Override
    public String toString() {
        return kind.hookType() + " webhook '" + webhook + "'";
    }
}
