package dev.stepwise.git;

/**
 * Computes the status files of a reconcile cycle from the files on the branch. It is a function, not a fixed set of
 * files, because when someone else pushed first Stepwise must compute its changes again on top of their commit: it is
 * called once per push attempt, with what the branch holds at that moment. It must not have side effects.
 */
@FunctionalInterface
public interface StatusUpdate {

    StatusChanges apply(StatusFiles current);
}
