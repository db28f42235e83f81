package dev.stepwise.policy;

import dev.stepwise.spec.Location;

/**
 * One rule of a Policy document, as written: {@code expression} is the CEL source of {@code rule:}, {@code pointer}
 * the rule's entry in its document ({@code /spec/rules/2}) and {@code location} where the expression stands in the
 * policy file. {@code message} is never empty (a default is made from the expression when the author gave none).
 */
public record PolicyRule(String policy, String name, String expression, String message, PolicyAction action,
                         PolicyMatch match, String pointer, Location location) {

    /** {@code policy/rule}, how findings name a rule. */
    public String qualifiedName() {
        return policy + "/" + name;
    }
}
