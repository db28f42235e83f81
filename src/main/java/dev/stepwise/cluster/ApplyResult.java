package dev.stepwise.cluster;

import java.util.List;
import java.util.Optional;

/**
 * What one apply did: the operations in the order they were sent (for people and for order-of-operations tests),
 * whether every router reads back the desired weight, and what it found on the way (drift, missing objects).
 *
 * @param verifiedWeight the canary weight every router read back, empty when they do not agree with the desired one
 */
public record ApplyResult(List<String> operations, boolean trafficVerified, Optional<Integer> verifiedWeight,
                          List<ClusterFinding> findings) {
    public ApplyResult {
        operations = List.copyOf(operations);
        findings = List.copyOf(findings);
    }
}
