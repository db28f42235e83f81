package dev.stepwise.reconcile;

import dev.stepwise.analysis.MeasureArgs;
import dev.stepwise.analysis.MetricProviders;
import dev.stepwise.analysis.Phase;
import dev.stepwise.engine.MeasurementDue;
import dev.stepwise.engine.analysis.Measurement;
import dev.stepwise.git.RolloutKey;
import java.time.Instant;
import java.util.Optional;

/**
 * Measurements from the metric providers ({@link MetricProviders}): each provider keeps its own timeout and response
 * bound, so one slow provider costs its own rollout a measurement, never the others a cycle.
 */
public final class ProviderMeasurements implements MeasurementSource {

    private final MetricProviders providers;

    public ProviderMeasurements(MetricProviders providers) {
        this.providers = providers;
    }

    @Override
    public Measurement measure(RolloutKey rollout, String cluster, MeasurementDue due, Instant now) {
        dev.stepwise.analysis.Measurement m;
        try {
            m = providers.measure(due.spec().provider(), MeasureArgs.of(due.args()));
        } catch (RuntimeException e) {
            // a provider bug must not stop the rollout's cycle: the engine counts it as an Error measurement
            return Measurement.error(due.runId(), due.metric(), "the " + due.spec().provider().type()
                    + " provider failed: " + e.getClass().getSimpleName(), now);
        }
        return toEngine(due, m, now);
    }

    /** The provider's answer as the engine's observation. */
    static Measurement toEngine(MeasurementDue due, dev.stepwise.analysis.Measurement m, Instant now) {
        if (m.error().isPresent()) {
            return Measurement.error(due.runId(), due.metric(), m.error().get().kindLabel() + ": " + m.error().get().message(), now);
        }
        Optional<Boolean> succeeded = m.providerPhase().flatMap(p -> p == Phase.SUCCESSFUL ? Optional.of(true)
                : p == Phase.FAILED ? Optional.of(false) : Optional.empty());
        return new Measurement(due.runId(), due.metric(), m.value().orElse(null), m.sampleCount(), now, Optional.empty(),
                succeeded);
    }
}
