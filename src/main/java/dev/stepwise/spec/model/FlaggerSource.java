package dev.stepwise.spec.model;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What a Flagger Canary said, kept next to the steps it was mapped to so that the engine can honour the Flagger
 * details steps cannot say (a failed check holds the weight instead of aborting; {@code stepWeightPromotion}; post-rollout
 * and rollback webhooks) and the plan can explain the mapping. See {@code docs/flagger-mapping.md}.
 *
 * @param mode          how Flagger runs this Canary: progressive canary, A/B testing (iterations + match) or
 *                      blue/green (iterations without match, or provider kubernetes)
 * @param provider      {@code spec.provider}, empty when the Canary relies on Flagger's global mesh provider
 * @param service       the apex Service name ({@code spec.service.name}, else the target's name); Flagger derives
 *                      {@code <service>-primary} and {@code <service>-canary} from it
 * @param interval      {@code analysis.interval} (default 1m; Flagger never runs faster than every 10s)
 * @param threshold     failed checks before rollback (default 1)
 */
public record FlaggerSource(
        Mode mode,
        Optional<String> provider,
        String service,
        Duration interval,
        int threshold,
        Optional<Integer> iterations,
        Optional<Integer> stepWeight,
        List<Integer> stepWeights,
        int maxWeight,
        Optional<Integer> stepWeightPromotion,
        boolean mirror,
        Optional<Integer> mirrorWeight,
        boolean skipAnalysis,
        List<Webhook> webhooks) {

    public FlaggerSource {
        stepWeights = List.copyOf(stepWeights);
        webhooks = List.copyOf(webhooks);
    }

    public enum Mode {
        CANARY("progressive canary"), AB_TESTING("A/B testing"), BLUE_GREEN("blue/green");

        private final String label;

        Mode(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** {@code analysis.webhooks[]}. The URL may carry credentials: never print it. */
    public record Webhook(String name, String type, String url, Optional<Duration> timeout, String pointer) {
        @Override
        public String toString() {
            return type + " webhook '" + name + "'"; // no URL: it may carry a token
        }
    }

    public String primaryName() {
        return service + "-primary";
    }

    public String canaryName() {
        return service + "-canary";
    }

    public List<Webhook> webhooks(String type) {
        return webhooks.stream().filter(w -> w.type().equals(type)).toList();
    }
}
