package dev.stepwise.cluster;

import dev.stepwise.engine.ScaleDownDeadline;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a restarted process reads back from the cluster for one rollout: the versions that exist with the replicas
 * Stepwise last set, the spec revision and source commit they were applied from, and pending scale-downs. Together
 * with the status in Git this is the whole state.
 */
public record RecoveredState(Map<String, Integer> replicas, String specRevision, String sourceCommit,
                             List<ScaleDownDeadline> scaleDowns) {
    public RecoveredState {
        replicas = Collections.unmodifiableMap(new LinkedHashMap<>(replicas));
        scaleDowns = List.copyOf(scaleDowns);
    }
}
