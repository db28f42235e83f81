package dev.stepwise.git;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter: attempt 1 waits about {@code initial}, each later one {@code multiplier} times
 * longer, never more than {@code max}. The jitter (a random part of up to {@code jitter} of the delay, taken off)
 * keeps many waiters from coming back in step — the very thing that made them collide.
 */
public record Backoff(Duration initial, Duration max, double multiplier, double jitter) {

    public static final Backoff POLL_UNREACHABLE = new Backoff(Duration.ofSeconds(2), Duration.ofMinutes(5), 2.0, 0.2);
    /** A wrong password or a missing repository needs a person to act; asking often only fills the server's logs. */
    public static final Backoff POLL_NEEDS_PERSON = new Backoff(Duration.ofSeconds(30), Duration.ofMinutes(15), 2.0, 0.2);
    public static final Backoff PUSH_RACE = new Backoff(Duration.ofMillis(50), Duration.ofSeconds(5), 2.0, 0.5);

    public Backoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("need 0 <= initial <= max");
        }
        if (multiplier < 1.0) {
            throw new IllegalArgumentException("multiplier must be >= 1");
        }
        if (jitter < 0.0 || jitter > 1.0) {
            throw new IllegalArgumentException("jitter must be within [0, 1]");
        }
    }

    /** The delay before retry number {@code attempt} (1-based). */
    public Duration delay(int attempt, RandomGenerator random) {
        int n = Math.max(1, attempt);
        double base = initial.toMillis() * Math.pow(multiplier, Math.min(n - 1, 62));
        double capped = Math.min(base, max.toMillis());
        double withJitter = capped * (1.0 - jitter * random.nextDouble());
        return Duration.ofMillis(Math.max(0, Math.round(withJitter)));
    }
}
