package dev.stepwise.reconcile;

import dev.stepwise.spec.model.FlaggerSource;
import java.util.Map;
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

    /**
     * Asks a Flagger Canary's {@code rollback} or {@code confirm-*} webhook: true when it answers 200–202, which in
     * Flagger means "roll back now" or "go on". Sources without webhooks (the demo) never agree, so nothing changes.
     *
     * @param phase the Canary's phase in Flagger's words (Progressing, Waiting)
     */
    default boolean webhookAgrees(RolloutKey rollout, FlaggerSource.Webhook hook, String phase) {
        return false;
    }

    /**
     * Tells a Flagger Canary's {@code post-rollout} or {@code event} webhook what happened; its answer changes nothing
     * (Flagger only logs a failure), so the implementation logs one and must not throw.
     */
    default void notify(RolloutKey rollout, FlaggerSource.Webhook hook, String phase, Map<String, String> metadata) {
    }
}
