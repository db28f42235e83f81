package dev.stepwise.engine;

/** The reasons events carry: stable words a status reader or alert can match on. */
public final class Reasons {
    public static final String INITIAL_DEPLOY = "InitialDeploy";
    public static final String ROLLOUT_STARTED = "RolloutStarted";
    public static final String NEW_REVISION = "NewRevisionMidRollout";
    public static final String SPEC_REVISION = "SpecRevision";
    public static final String STEP_COMPLETED = "StepCompleted";
    public static final String WEIGHT_CHANGED = "WeightChanged";
    public static final String TRAFFIC_NOT_VERIFIED = "TrafficNotVerified";
    public static final String PAUSED = "Paused";
    public static final String ANALYSIS_STARTED = "AnalysisStarted";
    public static final String MEASUREMENT = "Measurement";
    public static final String ANALYSIS_COMPLETED = "AnalysisCompleted";
    public static final String ANALYSIS_STOPPED = "AnalysisStopped";
    public static final String ANALYSIS_INCONCLUSIVE = "AnalysisInconclusive";
    public static final String ABORTED = "Aborted";
    public static final String HALTED = "Halted";
    public static final String GATE_APPLIED = "GateApplied";
    public static final String GATE_IGNORED = "GateIgnored";
    public static final String RETRY = "Retry";
    public static final String SCALED_DOWN = "ScaledDown";
    public static final String SCALE_DOWN_SCHEDULED = "ScaleDownScheduled";
    public static final String PROGRESS_DEADLINE = "ProgressDeadlineExceeded";
    public static final String PREVIEW_READY = "PreviewReady";
    public static final String SWITCHED = "ActiveSwitched";
    public static final String PROMOTED = "Promoted";
    public static final String COMPLETED = "RolloutCompleted";
    public static final String ROLLBACK_TO_STABLE = "RollbackToStable";
    public static final String EXPERIMENT = "Experiment";
    public static final String UNSUPPORTED_STEP = "UnsupportedStep";

    private Reasons() {
    }
}
