package dev.stepwise.analysis.judge;

import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The comparison's outcome: the score (0–100, the weighted share of judged metrics that passed; empty when no metric
 * had enough data), the verdict the thresholds give it, why, each metric's verdict and each group's score.
 */
public record JudgeResult(OptionalDouble score, Verdict verdict, String reason, List<MetricVerdict> metrics,
                          Map<String, Double> groupScores) {

    public JudgeResult {
        metrics = List.copyOf(metrics);
        groupScores = Map.copyOf(groupScores);
    }
}
