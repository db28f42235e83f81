package dev.stepwise.plan;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One line of a plan, numbered from 1 as a reviewer counts. For canaries, {@code canaryWeight} is the weight after
 * the step (-1 where weight means nothing, as in blue-green phases); {@code leastDuration} what the step adds to the
 * least total time; {@code manualGate} for steps that wait for a person (an indefinite pause, a Flagger confirm webhook,
 * a blue-green manual promotion). The last canary line is the promotion Argo and Flagger do after the last step.
 */
public record PlanStep(int number, String kind, String description, int canaryWeight, Optional<Duration> leastDuration,
                       boolean manualGate, boolean irreversible, List<PlannedAnalysis> analyses) {

    public PlanStep {
        analyses = List.copyOf(analyses);
    }
}
