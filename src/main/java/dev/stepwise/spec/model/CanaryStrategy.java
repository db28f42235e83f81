package dev.stepwise.spec.model;

import java.util.List;
import java.util.Optional;

/**
 * {@code strategy.canary}. Defaults are Argo's: maxSurge and maxUnavailable 25%, abortScaleDownDelaySeconds and
 * scaleDownDelaySeconds 30. A canary with no steps is promoted at once, as in Argo.
 */
public record CanaryStrategy(
        List<Step> steps,
        Optional<String> canaryService,
        Optional<String> stableService,
        TrafficRouting trafficRouting,
        Optional<BackgroundAnalysis> analysis,
        IntOrPercent maxSurge,
        IntOrPercent maxUnavailable,
        boolean dynamicStableScale,
        int abortScaleDownDelaySeconds,
        int scaleDownDelaySeconds,
        Optional<Integer> scaleDownDelayRevisionLimit,
        PodMetadata canaryMetadata,
        PodMetadata stableMetadata) implements RolloutStrategy {

    public static final int DEFAULT_SCALE_DOWN_DELAY_SECONDS = 30;
    public static final int DEFAULT_ABORT_SCALE_DOWN_DELAY_SECONDS = 30;

    public CanaryStrategy {
        steps = List.copyOf(steps);
    }

    @Override
    public String name() {
        return "canary";
    }
}
