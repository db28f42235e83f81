package dev.stepwise.reconcile;

import dev.stepwise.engine.MeasurementDue;
import dev.stepwise.engine.analysis.Measurement;
import dev.stepwise.git.RolloutKey;
import java.time.Instant;

/**
 * Where the reconciler takes the measurements the engine asks for: the real metric providers
 * ({@link ProviderMeasurements}), or in the demo a source that plays back timelines. It must answer every due
 * measurement, with an error measurement when it cannot measure; it must not throw.
 */
@FunctionalInterface
public interface MeasurementSource {

    Measurement measure(RolloutKey rollout, String cluster, MeasurementDue due, Instant now);
}
