package dev.stepwise.analysis;

import dev.stepwise.spec.model.ProviderSpec;
import java.util.List;

/**
 * Fetches one measurement of a metric from a system users already run. A provider turns a response into a value
 * (or an error); it does not judge: conditions, limits and phases belong to whoever called it. Implementations
 * never throw from {@link #measure}: every failure is an error {@link Measurement}.
 */
public interface MetricProvider extends AutoCloseable {

    /** The key under Argo's {@code provider:} block this implementation reads ({@code prometheus}, {@code web}, …). */
    String type();

    /**
     * What is wrong with {@code spec}'s configuration, before anything is sent: missing or malformed fields, an
     * address that is not a URL, a credentials file that does not exist. Empty when it looks usable.
     */
    List<ConfigProblem> check(ProviderSpec spec, MeasureArgs args);

    /** Takes one measurement now. */
    Measurement measure(ProviderSpec spec, MeasureArgs args);

    @Override
    default void close() {
    }
}
