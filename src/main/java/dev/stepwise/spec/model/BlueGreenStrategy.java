package dev.stepwise.spec.model;

import java.util.List;
import java.util.Optional;

/**
 * {@code strategy.blueGreen}. The new version comes up behind {@code previewService} (with
 * {@code previewReplicaCount} pods, or all of them), pre-promotion analysis runs, then {@code activeService} is
 * switched to it (automatically after {@code autoPromotionSeconds}, or when a person promotes when
 * {@code autoPromotionEnabled} is false), post-promotion analysis runs, and the old version is scaled down after
 * {@code scaleDownDelaySeconds}. Defaults are Argo's: autoPromotionEnabled true, both delays 30s.
 *
 * <p>{@code previewGates} and {@code promotionGates} exist for Flagger blue-green canaries: their confirm-rollout
 * webhooks hold the new version before it is scaled up, their confirm-promotion webhooks before the switch. Argo
 * rollouts have none.
 */
public record BlueGreenStrategy(
        String activeService,
        Optional<String> previewService,
        Optional<Integer> previewReplicaCount,
        boolean autoPromotionEnabled,
        int autoPromotionSeconds,
        Optional<RolloutAnalysis> prePromotionAnalysis,
        Optional<RolloutAnalysis> postPromotionAnalysis,
        int scaleDownDelaySeconds,
        Optional<Integer> scaleDownDelayRevisionLimit,
        int abortScaleDownDelaySeconds,
        IntOrPercent maxUnavailable,
        PodMetadata previewMetadata,
        PodMetadata activeMetadata,
        List<Gate> previewGates,
        List<Gate> promotionGates) implements RolloutStrategy {

    public static final int DEFAULT_SCALE_DOWN_DELAY_SECONDS = 30;
    public static final int DEFAULT_ABORT_SCALE_DOWN_DELAY_SECONDS = 30;

    public BlueGreenStrategy {
        previewGates = List.copyOf(previewGates);
        promotionGates = List.copyOf(promotionGates);
    }

    @Override
    public String name() {
        return "blueGreen";
    }
}
