package dev.stepwise.ha;

/**
 * What the reconciler asks immediately before each write it makes (a Git push, a change to a cluster): may this
 * replica write now? With leader election on, {@link LeaderElection} answers from its lease; with it off, every
 * replica may write ({@link #always()}).
 *
 * <p>Ask right before the write, not once per cycle: a cycle can outlast the lease, and the answer is only good for
 * the moment it is given (see {@link LeaderElection#isLeader()} for how long "a moment" may safely be).
 */
@FunctionalInterface
public interface WriteFence {

    boolean mayWrite();

    /** The fence of a single replica (leader election off): always open. */
    static WriteFence always() {
        return () -> true;
    }
}
