package dev.stepwise.spec.model;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A duration in an analysis template ({@code interval}, {@code initialDelay}) that may be an argument placeholder
 * until the run starts ({@code interval: "{{args.every}}"}). {@code value} is known when {@code raw} parses.
 */
public record DurationParam(String raw, Optional<Duration> value) {

    public static DurationParam of(Duration d) {
        return new DurationParam(ArgoDuration.format(d), Optional.of(d));
    }

    public static DurationParam raw(String raw) {
        return new DurationParam(raw, Args.hasPlaceholder(raw) ? Optional.empty() : ArgoDuration.tryParse(raw));
    }

    public boolean isResolved() {
        return value.isPresent();
    }

    public DurationParam resolve(Map<String, String> args) {
        return isResolved() ? this : raw(Args.substitute(raw, args));
    }

    @Override
    public String toString() {
        return value.map(ArgoDuration::format).orElse(raw);
    }
}
