package dev.stepwise.promotion;

import dev.stepwise.git.RolloutKey;
import java.util.Objects;
import java.util.Optional;

/**
 * What one promotion file asks for: {@code promotions/<namespace>/<rollout>.yaml} holding an action, and optionally
 * the step it is meant for and the spec revision (pod-template hash) or image it applies to.
 *
 * @param rollout  the rollout, from the file's path
 * @param action   what to do
 * @param step     for {@code skip}, the step to go to; for the other actions, the step the decision is meant for
 * @param revision the pod-template hash or image the decision applies to; a decision for another revision is stale
 * @param reason   the free-text note people leave with a decision (shown in status), if any
 */
public record GateRequest(RolloutKey rollout, GateAction action, Optional<Integer> step, Optional<String> revision,
                          Optional<String> reason) {

    public GateRequest {
        Objects.requireNonNull(rollout, "rollout");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(revision, "revision");
        Objects.requireNonNull(reason, "reason");
        if (step.isPresent() && step.get() < 0) {
            throw new IllegalArgumentException("step must be 0 or more");
        }
        if (action == GateAction.SKIP && step.isEmpty()) {
            throw new IllegalArgumentException("skip needs the step to go to");
        }
    }

    public static GateRequest of(RolloutKey rollout, GateAction action) {
        return new GateRequest(rollout, action, Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** The file content a person (or {@code stepwise promote}) writes for this request. */
    public String toYaml() {
        StringBuilder sb = new StringBuilder("action: ").append(action.value()).append('\n');
        step.ifPresent(s -> sb.append("step: ").append(s).append('\n'));
        revision.ifPresent(r -> sb.append("revision: ").append(YamlScalars.quoteIfNeeded(r)).append('\n'));
        reason.ifPresent(r -> sb.append("reason: ").append(YamlScalars.quoteIfNeeded(r)).append('\n'));
        return sb.toString();
    }

    /** "promote production/checkout-api (step 3, revision 6d8f…)", for commit subjects and messages. */
    public String describe() {
        StringBuilder sb = new StringBuilder(action.value()).append(' ').append(rollout);
        String details = step.map(s -> "step " + s).orElse("")
                + revision.map(r -> (step.isPresent() ? ", " : "") + "revision " + r).orElse("");
        return details.isEmpty() ? sb.toString() : sb.append(" (").append(details).append(')').toString();
    }
}
