package dev.stepwise.spec.model;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What a Flagger Canary said, kept next to the steps it was mapped to so that the engine can honour the Flagger
 * details steps cannot say (a failed check holds the weight instead of aborting), the reconciler can call the webhooks
 * that are not checks (rollback, confirm-*, event, post-rollout), the cluster can generate Flagger's Services and route,
 * and the plan can explain the mapping. See {@code docs/flagger-mapping.md}.
 *
 * @param mode          how Flagger runs this Canary: progressive canary, A/B testing (iterations + match) or
 *                      blue/green (iterations without match, or provider kubernetes)
 * @param provider      {@code spec.provider}, empty when the Canary relies on Flagger's global mesh provider
 * @param service       the apex Service name ({@code spec.service.name}, else the target's name); Flagger derives
 *                      {@code <service>-primary} and {@code <service>-canary} from it
 * @param interval      {@code analysis.interval} (default 1m; Flagger never runs faster than every 10s)
 * @param threshold     failed checks before rollback (default 1)
 * @param serviceBlock  {@code spec.service}: what the Services and the route Flagger generates look like; empty when
 *                      the Canary gave no port (the schema requires one, so only an invalid Canary has none)
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
        List<Webhook> webhooks,
        Optional<ServiceBlock> serviceBlock) {

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

    /**
     * {@code spec.service} as Flagger reads it to generate objects. The Services: one TCP port named {@code portName}
     * (default {@code http}) on {@code port}, sent to {@code targetPort} (a number or a container port's name; default
     * the port), with each Service's custom metadata. The route (Istio VirtualService or Gateway API HTTPRoute):
     * {@code hosts}, Istio {@code gateways}, Gateway API {@code gatewayRefs} (parentRefs, as written), and the Istio
     * route options Flagger copies as they are ({@code match}, {@code retries}, {@code timeout}, {@code rewrite},
     * {@code headers}, {@code corsPolicy}).
     */
    public record ServiceBlock(int port, Optional<String> targetPort, String portName, Optional<String> appProtocol,
                               boolean headless, Metadata apex, Metadata primary, Metadata canary,
                               List<String> hosts, List<String> gateways, List<Object> gatewayRefs,
                               java.util.Map<String, Object> istioRouteOptions) {
        public ServiceBlock {
            hosts = List.copyOf(hosts);
            gateways = List.copyOf(gateways);
            gatewayRefs = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(gatewayRefs));
            istioRouteOptions = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(istioRouteOptions));
        }
    }

    /** {@code service.apex|primary|canary}: labels and annotations to put on that Service. */
    public record Metadata(java.util.Map<String, String> labels, java.util.Map<String, String> annotations) {
        public static final Metadata NONE = new Metadata(java.util.Map.of(), java.util.Map.of());

        public Metadata {
            labels = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(labels));
            annotations = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(annotations));
        }
    }

    /** {@code analysis.webhooks[]}. The URL may carry credentials: never print it. */
    public record Webhook(String name, String type, String url, Optional<Duration> timeout, String pointer,
                          java.util.Map<String, String> metadata) {
        public Webhook {
            metadata = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metadata));
        }

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
