package dev.stepwise.spec.model;

/**
 * Argo's {@code canary.analysis}: an analysis that runs alongside the steps from {@code startingStep} (0-based step
 * index; 0, the default, means from the start) until the rollout finishes, aborting it when it fails.
 */
public record BackgroundAnalysis(RolloutAnalysis analysis, int startingStep) {
}
