package dev.stepwise.cluster;

/**
 * Label and annotation names Stepwise writes on the objects it manages. The pod-template-hash label is Argo Rollouts'
 * own name, so Services, DestinationRules and dashboards written for Argo keep selecting the right pods.
 */
public final class StepwiseLabels {
    public static final String HASH = "rollouts-pod-template-hash";
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGER = "stepwise";
    public static final String ROLLOUT = "stepwise.dev/rollout";

    public static final String SPEC_REVISION = "stepwise.dev/spec-revision";
    public static final String SOURCE_COMMIT = "stepwise.dev/source-commit";
    public static final String SCALE_DOWN_AT = "stepwise.dev/scale-down-deadline";
    /** The replica count Stepwise last wrote: a different spec.replicas means someone else edited the object. */
    public static final String APPLIED_REPLICAS = "stepwise.dev/applied-replicas";
    /** The version a Service was last pinned to by Stepwise. */
    public static final String APPLIED_VERSION = "stepwise.dev/applied-version";
    /** The canary weight Stepwise last wrote into a router object. */
    public static final String APPLIED_WEIGHT = "stepwise.dev/applied-weight";
    /** On an experiment's ReplicaSet and pods: the experiment template it runs. */
    public static final String EXPERIMENT = "stepwise.dev/experiment";
    /** Flagger model: the version a generated primary Deployment runs. */
    public static final String VERSION = "stepwise.dev/version";

    private StepwiseLabels() {
    }
}
