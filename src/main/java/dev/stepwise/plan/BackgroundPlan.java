package dev.stepwise.plan;

/** A background analysis and the step (numbered from 1) at which it starts. */
public record BackgroundPlan(int fromStep, PlannedAnalysis analysis) {
}
