package dev.stepwise.engine;

import dev.stepwise.engine.analysis.AnalysisRunState;
import java.time.Instant;
import java.util.List;

/**
 * Everything the engine needs to carry on exactly where a stopped process stopped, as one immutable value: written
 * to Git with {@link StatusCodec}, read back, handed to the next {@link RolloutEngine#decide} call. Kept small (it is
 * held for every rollout in flight): hashes and names are shared with the spec where possible, measurements are
 * few, events are the last {@link #MAX_EVENTS}.
 *
 * <p>Strings are never null (empty means "none"); instants are null when the moment has not happened.
 *
 * @param aborted         the rollout was aborted (Argo's {@code status.abort}): traffic is back on stable, and it stays
 *                        so until a retry or a new revision
 * @param abortReason     why (the failing metric and its limit, the progress deadline, who aborted)
 * @param message         why the rollout is in its phase right now
 * @param stableHash      the pod-template hash everyone gets when nothing is rolling out; empty before the first deploy
 * @param canaryHash      the version being rolled out; equals {@code stableHash} when none is
 * @param specRevision    the spec revision last decided on (a Git commit), for the record
 * @param attempt         bumped by every new revision and retry; part of every analysis run id
 * @param stepIndex       canary: the current step (== the number of steps once all are done); blue-green: its stage
 *                        (see {@code BlueGreenLogic})
 * @param startedAt       when this rollout (revision, attempt) started
 * @param stepStartedAt   when the current step (or stage) was reached
 * @param pausedAt        when the current pause began (Argo's pause condition), null when not paused
 * @param halted          a failure after an irreversible step stopped the rollout where it is, for a person
 * @param promoteFull     a person asked to skip every remaining step
 * @param promoted        blue-green: a person promoted (the switch no longer waits for autoPromotion)
 * @param canaryWeight    the canary traffic weight last applied
 * @param replicas        the replica counts last asked for, by version
 * @param waitingSince    since when the rollout has been waiting for pods (progress deadline clock); null when not
 * @param waitingAvailable pods available when that wait began or last improved (improvement restarts the clock)
 * @param previewReadyAt  blue-green: when the preview version became available
 * @param switchedAt      blue-green: when the active service was switched to the new version
 * @param runs            the analysis runs of the current attempt (completed ones kept for the record)
 * @param appliedGates    ids of the gate decisions already applied in this rollout
 * @param scaleDowns      versions to scale to zero later
 * @param events          the last few significant events, newest last
 */
public record RolloutStatus(
        Phase phase,
        boolean aborted,
        String abortReason,
        String message,
        String stableHash,
        String canaryHash,
        String specRevision,
        int attempt,
        int stepIndex,
        Instant startedAt,
        Instant stepStartedAt,
        Instant pausedAt,
        boolean halted,
        boolean promoteFull,
        boolean promoted,
        int canaryWeight,
        List<VersionReplicas> replicas,
        Instant waitingSince,
        int waitingAvailable,
        Instant previewReadyAt,
        Instant switchedAt,
        List<AnalysisRunState> runs,
        List<String> appliedGates,
        List<ScaleDownDeadline> scaleDowns,
        List<EngineEvent> events) {

    /** Events a status keeps. */
    public static final int MAX_EVENTS = 3;
    /** Gate decision ids a status keeps (a rollout that sees more is unusual; older ids are dropped). */
    public static final int MAX_APPLIED_GATES = 64;

    public RolloutStatus {
        abortReason = abortReason == null ? "" : abortReason;
        message = message == null ? "" : message;
        stableHash = stableHash == null ? "" : stableHash;
        canaryHash = canaryHash == null ? "" : canaryHash;
        specRevision = specRevision == null ? "" : specRevision;
        replicas = List.copyOf(replicas);
        runs = List.copyOf(runs);
        appliedGates = List.copyOf(appliedGates);
        scaleDowns = List.copyOf(scaleDowns);
        events = List.copyOf(events);
    }

    /** The status of a rollout the engine has never seen: the first decision deploys the spec's version as stable. */
    public static RolloutStatus initial() {
        return new RolloutStatus(Phase.PROGRESSING, false, "", "", "", "", "", 0, 0, null, null, null, false, false,
                false, 0, List.of(), null, 0, null, null, List.of(), List.of(), List.of(), List.of());
    }

    /** A status with {@code stableHash} running {@code replicas} pods and nothing rolling out (for tests and tools). */
    public static RolloutStatus stable(String stableHash, int replicas, int steps, Instant since) {
        return new RolloutStatus(Phase.HEALTHY, false, "", "", stableHash, stableHash, "", 0, steps, since, since, null,
                false, false, false, 0, List.of(new VersionReplicas(stableHash, replicas)), null, 0, null, null, List.of(),
                List.of(), List.of(), List.of());
    }

    /** True while a version other than stable is being rolled out (and not aborted). */
    public boolean inFlight() {
        return !canaryHash.isEmpty() && !canaryHash.equals(stableHash) && !aborted;
    }

    /** The replica count last asked for {@code version}, 0 when none. */
    public int replicasOf(String version) {
        for (VersionReplicas r : replicas) {
            if (r.version().equals(version)) {
                return r.replicas();
            }
        }
        return 0;
    }

    public AnalysisRunState run(String id) {
        for (AnalysisRunState r : runs) {
            if (r.id().equals(id)) {
                return r;
            }
        }
        return null;
    }
}
