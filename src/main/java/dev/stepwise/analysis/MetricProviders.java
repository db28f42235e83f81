package dev.stepwise.analysis;

import dev.stepwise.analysis.providers.CloudWatchProvider;
import dev.stepwise.analysis.providers.CompareProvider;
import dev.stepwise.analysis.providers.DatadogProvider;
import dev.stepwise.analysis.providers.FlaggerWebhookProvider;
import dev.stepwise.analysis.providers.GraphiteProvider;
import dev.stepwise.analysis.providers.InfluxDbProvider;
import dev.stepwise.analysis.providers.JobProvider;
import dev.stepwise.analysis.providers.KayentaProvider;
import dev.stepwise.analysis.providers.NewRelicProvider;
import dev.stepwise.analysis.providers.PrometheusProvider;
import dev.stepwise.analysis.providers.WebProvider;
import dev.stepwise.spec.Finding;
import dev.stepwise.spec.Location;
import dev.stepwise.spec.SpecDocument;
import dev.stepwise.spec.model.MetricSpec;
import dev.stepwise.spec.model.ProviderSpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The providers Stepwise can measure with, keyed by the provider type written in templates. Each provider is created
 * once, on first use, and kept: its HTTP client (and so its connections) serves every metric of that type.
 */
public final class MetricProviders implements AutoCloseable {

    private final Map<String, Function<MetricProviders, MetricProvider>> factories = new LinkedHashMap<>();
    private final Map<String, MetricProvider> created = new java.util.concurrent.ConcurrentHashMap<>();
    private final ProviderSettings settings;
    private final Clock clock;

    public MetricProviders(ProviderSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    /** Every provider Stepwise ships. The Job provider creates its Kubernetes client only when a job metric runs. */
    public static MetricProviders standard(ProviderSettings settings, Clock clock) {
        MetricProviders p = new MetricProviders(settings, clock);
        p.register(PrometheusProvider.TYPE, r -> new PrometheusProvider(settings, clock));
        p.register(WebProvider.TYPE, r -> new WebProvider(settings, clock));
        p.register(DatadogProvider.TYPE, r -> new DatadogProvider(settings, clock));
        p.register(NewRelicProvider.TYPE, r -> new NewRelicProvider(settings, clock));
        p.register(CloudWatchProvider.TYPE, r -> new CloudWatchProvider(settings, clock));
        p.register(GraphiteProvider.TYPE, r -> new GraphiteProvider(settings, clock));
        p.register(InfluxDbProvider.TYPE, r -> new InfluxDbProvider(settings, clock));
        p.register(KayentaProvider.TYPE, r -> new KayentaProvider(settings, clock, Pacer.SLEEPING));
        p.register(JobProvider.TYPE, r -> JobProvider.withDefaultClient(clock));
        p.register(CompareProvider.TYPE, r -> new CompareProvider(r, clock));
        p.register(FlaggerWebhookProvider.TYPE, r -> new FlaggerWebhookProvider(settings, clock));
        return p;
    }

    /** Adds (or replaces) the factory for a type; tests use it to plug in a provider built on a mock server. */
    public MetricProviders register(String type, Function<MetricProviders, MetricProvider> factory) {
        factories.put(type, factory);
        MetricProvider old = created.remove(type);
        if (old != null) {
            old.close();
        }
        return this;
    }

    public Set<String> types() {
        return new TreeSet<>(factories.keySet());
    }

    public ProviderSettings settings() {
        return settings;
    }

    public Clock clock() {
        return clock;
    }

    public Optional<MetricProvider> forType(String type) {
        Function<MetricProviders, MetricProvider> f = factories.get(type);
        if (f == null) {
            return Optional.empty();
        }
        return Optional.of(created.computeIfAbsent(type, t -> f.apply(this)));
    }

    /** Measures with the provider the spec names; an unknown provider is a misconfigured measurement. */
    public Measurement measure(ProviderSpec spec, MeasureArgs args) {
        Optional<MetricProvider> p = forType(spec.type());
        if (p.isEmpty()) {
            return MeasurementTimer.start(clock, args.redactor()).error(MeasurementError.Kind.MISCONFIGURED,
                    "Stepwise has no '" + spec.type() + "' provider (it has " + String.join(", ", types()) + ")");
        }
        Measurement m = p.get().measure(spec, args);
        return Boolean.TRUE.equals(spec.config().get(ProviderSpec.FLAGGER_VALUE)) ? FlaggerValue.read(m) : m;
    }

    /**
     * The metric's provider configuration checked before anything runs, as findings located at the provider block
     * (or the field inside it) of {@code document}.
     */
    public List<Finding> validate(MetricSpec metric, SpecDocument document, MeasureArgs args) {
        String base = metric.pointer() + "/provider";
        String block = base + "/" + metric.provider().type();
        List<Finding> out = new ArrayList<>();
        for (ConfigProblem p : problems(metric.provider(), args)) {
            String pointer = p.pointer().startsWith("/") ? block + p.pointer() : base;
            String at = document.at(pointer).isPresent() ? pointer : document.at(block).isPresent() ? block : base;
            out.add(document.finding(dev.stepwise.spec.Severity.ERROR, at, p.code(),
                    "metric '" + metric.name() + "': " + p.message()));
        }
        return out;
    }

    /** Like {@link #validate(MetricSpec, SpecDocument, MeasureArgs)} when only the file name is known. */
    public List<Finding> validate(MetricSpec metric, String file, MeasureArgs args) {
        List<Finding> out = new ArrayList<>();
        String block = metric.pointer() + "/provider/" + metric.provider().type();
        for (ConfigProblem p : problems(metric.provider(), args)) {
            out.add(Finding.error(Location.ofFile(file), block + p.pointer(), p.code(), "metric '" + metric.name() + "': " + p.message()));
        }
        return out;
    }

    private List<ConfigProblem> problems(ProviderSpec spec, MeasureArgs args) {
        Optional<MetricProvider> p = forType(spec.type());
        if (p.isEmpty()) {
            return List.of(new ConfigProblem("", "analysis.provider.unknown", "Stepwise has no '" + spec.type()
                    + "' provider (it has " + String.join(", ", types()) + ")"));
        }
        try {
            return p.get().check(spec, args);
        } catch (RuntimeException e) {
            return List.of(new ConfigProblem("", "analysis.provider.internal", "the " + spec.type()
                    + " provider could not check this configuration (" + e.getClass().getSimpleName() + ")"));
        }
    }

    @Override
    public void close() {
        created.values().forEach(MetricProvider::close);
        created.clear();
    }
}
