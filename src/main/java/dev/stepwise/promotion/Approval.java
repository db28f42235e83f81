package dev.stepwise.promotion;

import dev.stepwise.spec.Location;

/**
 * Who approved a gate decision and under which rule: the author's e-mail address as listed by a Policy's
 * {@code spec.approvers} entry.
 *
 * @param approver the author's e-mail address
 * @param policy   the Policy whose approver entry lists it
 * @param rule     where that entry is written
 * @param signed   whether the commit carried a verified signature
 */
public record Approval(String approver, String policy, Location rule, boolean signed) {

    public String describe() {
        return approver + " (approver per policy " + policy + " at " + rule + (signed ? ", signed commit" : "") + ")";
    }
}
