package dev.stepwise.analysis;

import dev.stepwise.engine.analysis.MetricCondition;
import dev.stepwise.spec.model.AnalysisTemplateSpec;
import dev.stepwise.spec.model.MetricSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs a template's metrics now, against their real providers: each metric measured {@code count} times with a
 * pause between measurements, its phase decided by {@link ArgoPhaseRule} after every measurement (a metric stops
 * early once it has failed, errored or succeeded for good). Metrics run side by side. Conditions must already compile
 * (callers validate first).
 */
public final class AnalysisRunner {

    /** A measurement and the phase it was given. */
    public record Evaluated(Measurement measurement, Phase phase, String message) {
    }

    public record MetricRun(MetricSpec metric, Phase phase, List<Evaluated> measurements) {
    }

    public record RunResult(Phase phase, List<MetricRun> metrics) {
    }

    /**
     * @param count    measurements per metric when given; else the metric's own count (1 for a metric that would
     *                 measure until stopped)
     * @param interval the pause between measurements; else the metric's interval
     */
    public record Options(Optional<Integer> count, Optional<Duration> interval, Pacer pacer) {
    }

    private final MetricProviders providers;

    public AnalysisRunner(MetricProviders providers) {
        this.providers = providers;
    }

    public RunResult run(AnalysisTemplateSpec template, MeasureArgs args, Options options) {
        List<MetricSpec> metrics = template.metrics().stream().map(m -> m.resolve(args.values())).toList();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(8, metrics.size())), r -> {
            Thread t = new Thread(r, "stepwise-analyze");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<MetricRun>> futures = new ArrayList<>();
            for (MetricSpec m : metrics) {
                futures.add(pool.submit(() -> runMetric(m, args, options)));
            }
            List<MetricRun> runs = new ArrayList<>();
            for (Future<MetricRun> f : futures) {
                runs.add(f.get());
            }
            Phase phase = ArgoPhaseRule.run(runs.stream().map(MetricRun::phase).toList(),
                    runs.stream().map(r -> r.metric().dryRun()).toList());
            return new RunResult(phase, runs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a metric could not be run: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    MetricRun runMetric(MetricSpec metric, MeasureArgs args, Options options) {
        Optional<MetricCondition> success = metric.successCondition().map(AnalysisRunner::compiled);
        Optional<MetricCondition> failure = metric.failureCondition().map(AnalysisRunner::compiled);
        int count = options.count().orElseGet(() -> metric.effectiveCount().orElse(1));
        Duration interval = options.interval().orElseGet(() -> metric.interval().flatMap(d -> d.value()).orElse(Duration.ZERO));
        List<Evaluated> taken = new ArrayList<>();
        List<Phase> phases = new ArrayList<>();
        Phase phase = Phase.RUNNING;
        for (int i = 0; i < count; i++) {
            if (i > 0 && !interval.isZero() && !options.pacer().pause(interval)) {
                break;
            }
            Measurement m = providers.measure(metric.provider(), args);
            ArgoPhaseRule.Judged judged = ArgoPhaseRule.measurement(metric, success, failure, m);
            taken.add(new Evaluated(m, judged.phase(), judged.message()));
            phases.add(judged.phase());
            phase = ArgoPhaseRule.metric(metric, phases, i == count - 1);
            if (phase != Phase.RUNNING) {
                break;
            }
        }
        if (phase == Phase.RUNNING) {
            phase = ArgoPhaseRule.metric(metric, phases, true);
        }
        return new MetricRun(metric, phase, taken);
    }

    private static MetricCondition compiled(String source) {
        MetricCondition.Compiled c = MetricCondition.compile(source);
        if (c instanceof MetricCondition.Ok ok) {
            return ok.condition();
        }
        throw new IllegalArgumentException("condition does not compile: " + source);
    }
}
