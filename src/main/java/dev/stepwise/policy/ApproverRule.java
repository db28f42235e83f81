package dev.stepwise.policy;

import dev.stepwise.spec.Location;
import java.util.List;

/**
 * Who may approve promotions of the documents {@code match} selects: one entry of a Policy's
 * {@code spec.approvers}. Enforced on gate decisions by {@code dev.stepwise.promotion.GateJudge}.
 *
 * @param emails               the people (commit author e-mail addresses) allowed to approve
 * @param requireSignedCommits whether an approval only counts from a signed commit
 * @param location             where the entry is written in the policy file
 */
public record ApproverRule(String policy, PolicyMatch match, List<String> emails, boolean requireSignedCommits,
                           Location location) {

    public ApproverRule {
        emails = List.copyOf(emails);
    }
}
