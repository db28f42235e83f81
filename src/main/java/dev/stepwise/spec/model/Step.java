package dev.stepwise.spec.model;

/**
 * One canary step, as Argo Rollouts defines them. Every step may carry the Stepwise extension
 * {@code irreversible: true}: once passed, aborting no longer undoes what it did (e.g. a schema migration it
 * triggered), so the engine refuses to roll back across it without a person. {@code pointer} is where the step is
 * written; for steps derived from a Flagger Canary, the field it was derived from.
 */
public sealed interface Step permits SetWeight, Pause, AnalysisStep, SetCanaryScale, SetHeaderRoute, SetMirrorRoute,
        ExperimentStep, PluginStep {

    boolean irreversible();

    String pointer();

    /** The step's field name in Argo ({@code setWeight}, {@code pause}, …). */
    String kind();

    /** One line for a reviewer: {@code setWeight 20}, {@code pause 10m}, {@code analysis success-rate}. */
    String describe();
}
