package dev.stepwise.engine;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The engine's answer for one moment: what the cluster should look like, which analysis runs started or stopped,
 * which measurements are due, which versions will be scaled down later, the status to store, when to ask again, and
 * what happened with why.
 *
 * @param requeueAt the earliest moment something is due (a measurement, a pause's end, a scale-down, a deadline);
 *                  empty when only a new observation (pods, a gate) can move the rollout. It may be {@code now}: the
 *                  next step follows at once (e.g. scaling after an abort's traffic shift)
 * @param reasons   why the rollout is where it is: what it waits for, in plain words
 */
public record Decision(DesiredState desired, List<RunChange> runChanges, List<MeasurementDue> measurementsDue,
                       List<ScaleDownDeadline> scaleDowns, RolloutStatus status, Optional<Instant> requeueAt,
                       List<EngineEvent> events, List<String> reasons) {

    public Decision {
        runChanges = List.copyOf(runChanges);
        measurementsDue = List.copyOf(measurementsDue);
        scaleDowns = List.copyOf(scaleDowns);
        events = List.copyOf(events);
        reasons = List.copyOf(reasons);
    }
}
