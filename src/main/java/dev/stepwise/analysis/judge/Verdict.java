package dev.stepwise.analysis.judge;

/** The comparison's overall verdict, in the words of an Argo analysis phase. */
public enum Verdict {
    SUCCESSFUL, INCONCLUSIVE, FAILED
}
