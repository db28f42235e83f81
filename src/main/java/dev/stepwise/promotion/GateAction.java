package dev.stepwise.promotion;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a person decides at a gate, with the meanings of Argo Rollouts' {@code kubectl argo rollouts} commands:
 * {@code promote} moves past the current pause or step, {@code promote-full} skips the remaining steps and analyses,
 * {@code abort} goes back to stable, {@code retry} starts an aborted rollout again, {@code skip} jumps to a given step.
 */
public enum GateAction {
    PROMOTE("promote"), PROMOTE_FULL("promote-full"), ABORT("abort"), RETRY("retry"), SKIP("skip");

    private final String value;

    GateAction(String value) {
        this.value = value;
    }

    /** As written in a promotion file. */
    public String value() {
        return value;
    }

    public static Optional<GateAction> of(String value) {
        return Arrays.stream(values()).filter(a -> a.value.equals(value)).findFirst();
    }

    /** "promote, promote-full, abort, retry or skip", for messages. */
    public static String choices() {
        String all = Arrays.stream(values()).map(GateAction::value).collect(Collectors.joining(", "));
        int last = all.lastIndexOf(", ");
        return all.substring(0, last) + " or " + all.substring(last + 2);
    }
}
