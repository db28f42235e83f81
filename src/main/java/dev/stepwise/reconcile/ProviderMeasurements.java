package dev.stepwise.reconcile;

import dev.stepwise.analysis.MeasureArgs;
import dev.stepwise.analysis.MetricProviders;
import dev.stepwise.analysis.Phase;
import dev.stepwise.engine.MeasurementDue;
import dev.stepwise.engine.analysis.Measurement;
import dev.stepwise.git.RolloutKey;
import dev.stepwise.spec.model.ArgoDuration;
import dev.stepwise.spec.model.FlaggerSource;
import dev.stepwise.spec.model.ProviderSpec;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measurements from the metric providers ({@link MetricProviders}): each provider keeps its own timeout and response
 * bound, so one slow provider costs its own rollout a measurement, never the others a cycle.
 */
public final class ProviderMeasurements implements MeasurementSource {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderMeasurements.class);

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

    @Override
    public boolean webhookAgrees(RolloutKey rollout, FlaggerSource.Webhook hook, String phase) {
        dev.stepwise.analysis.Measurement m = callHook(rollout, hook, phase, Map.of());
        if (m.isError()) {
            LOG.warn("{} webhook '{}' of {} could not be asked: {}", hook.type(), hook.name(), rollout, m.describe());
            return false;
        }
        return m.providerPhase().orElse(Phase.FAILED) == Phase.SUCCESSFUL;
    }

    @Override
    public void notify(RolloutKey rollout, FlaggerSource.Webhook hook, String phase, Map<String, String> metadata) {
        dev.stepwise.analysis.Measurement m = callHook(rollout, hook, phase, metadata);
        if (m.isError() || m.providerPhase().orElse(Phase.FAILED) != Phase.SUCCESSFUL) {
            LOG.warn("{} webhook '{}' of {} failed: {}", hook.type(), hook.name(), rollout, m.describe());
        }
    }

    /** One POST of Flagger's payload (the URL is never logged: it may carry a token). */
    private dev.stepwise.analysis.Measurement callHook(RolloutKey rollout, FlaggerSource.Webhook hook, String phase,
                                                       Map<String, String> metadata) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("type", hook.type());
        config.put("url", hook.url());
        hook.timeout().ifPresent(t -> config.put("timeout", ArgoDuration.format(t)));
        config.put("canary", rollout.name());
        config.put("namespace", rollout.namespace());
        config.put("phase", phase);
        Map<String, String> all = new LinkedHashMap<>(hook.metadata());
        all.putAll(metadata);
        config.put("metadata", all);
        try {
            return providers.measure(new ProviderSpec(ProviderSpec.FLAGGER_WEBHOOK, config), MeasureArgs.NONE);
        } catch (RuntimeException e) {
            return dev.stepwise.analysis.Measurement.ofError(dev.stepwise.analysis.MeasurementError.Kind.CONNECTION,
                    e.getClass().getSimpleName(), "", providers.clock().instant(), java.time.Duration.ZERO);
        }
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
