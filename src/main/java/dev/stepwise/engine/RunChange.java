package dev.stepwise.engine;

import dev.stepwise.engine.analysis.AnalysisPhase;
import dev.stepwise.engine.analysis.RunKind;

/** An analysis run that a decision started or stopped (a reconciler mirroring runs as AnalysisRun objects uses it). */
public record RunChange(String runId, RunKind kind, int step, boolean started, AnalysisPhase phase, String reason) {
}
