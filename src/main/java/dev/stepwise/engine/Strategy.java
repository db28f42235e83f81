package dev.stepwise.engine;

import dev.stepwise.engine.analysis.AnalysisRunState;
import dev.stepwise.engine.analysis.ResolvedRun;

/** What differs between canary and blue-green; {@link DecisionRun} does what they share. */
interface Strategy {

    /** The step index (blue-green: stage) of a rollout with nothing left to do. */
    int doneIndex();

    /** Moves the rollout as far as it can go now and sets the desired state. */
    void progress(DecisionRun r);

    /** Applies a promote, promote-full or skip decision to a rollout in flight (not aborted). */
    void gate(DecisionRun r, GateDecision g, String evidence);

    /** True when a step marked irreversible has been passed: an automatic abort then halts instead. */
    boolean irreversiblePassed(DecisionRun r);

    int abortScaleDownDelaySeconds();

    /** A canary without a traffic router: traffic follows pods, so an abort can only move pods. */
    boolean basic();

    int maxWeight();

    /** scaleDownDelayRevisionLimit, or -1 when none is set. */
    int revisionLimit();

    /** The resolved analysis behind {@code run}, or null when the spec no longer has it. */
    ResolvedRun resolve(DecisionRun r, AnalysisRunState run);
}
