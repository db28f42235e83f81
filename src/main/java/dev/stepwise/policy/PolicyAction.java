package dev.stepwise.policy;

import dev.stepwise.spec.Severity;
import java.util.Locale;
import java.util.Optional;

/**
 * What a failed rule does: {@code deny} makes the spec invalid (an error, which blocks a rollout), {@code warn}
 * reports it and lets the rollout go on. The same choice decides how a rule that cannot be evaluated is reported.
 */
public enum PolicyAction {
    DENY("deny", Severity.ERROR, "policy.deny"),
    WARN("warn", Severity.WARNING, "policy.warn");

    private final String keyword;
    private final Severity severity;
    private final String code;

    PolicyAction(String keyword, Severity severity, String code) {
        this.keyword = keyword;
        this.severity = severity;
        this.code = code;
    }

    /** How the action is written in a Policy document. */
    public String keyword() {
        return keyword;
    }

    /** The severity of the finding when the rule is false or cannot be evaluated. */
    public Severity severity() {
        return severity;
    }

    /** The finding code of a rule that evaluated to false. */
    public String code() {
        return code;
    }

    public static Optional<PolicyAction> parse(String keyword) {
        for (PolicyAction a : values()) {
            if (a.keyword.equals(keyword.toLowerCase(Locale.ROOT))) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
