package dev.stepwise.cluster;

import dev.stepwise.engine.ScaleDownDeadline;
import java.time.Instant;
import java.util.List;

/**
 * What an apply records on the objects besides the desired state: the spec revision and the source commit (so that a
 * restarted process can tell which spec an object came from) and the pending scale-downs, and the current time.
 */
public record ApplyContext(String specRevision, String sourceCommit, List<ScaleDownDeadline> scaleDowns, Instant now) {
    public ApplyContext {
        specRevision = specRevision == null ? "" : specRevision;
        sourceCommit = sourceCommit == null ? "" : sourceCommit;
        scaleDowns = List.copyOf(scaleDowns);
    }
}
