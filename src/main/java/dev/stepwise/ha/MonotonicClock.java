package dev.stepwise.ha;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that never jumps: the wall-clock time at creation plus the {@link System#nanoTime()} elapsed since. The
 * leadership fence measures "renewDeadline since the last successful renewal" with it, so an NTP step or a manual
 * change of the system clock cannot stretch (or cut short) a leader's term. Its instants drift from the wall clock
 * as the oscillator does; only differences between them are meaningful.
 */
public final class MonotonicClock extends Clock {
    private final Instant origin;
    private final long originNanos;
    private final ZoneId zone;

    private MonotonicClock(Instant origin, long originNanos, ZoneId zone) {
        this.origin = origin;
        this.originNanos = originNanos;
        this.zone = zone;
    }

    /** A monotonic clock in UTC anchored at the current wall-clock time. */
    public static MonotonicClock startingNow() {
        return new MonotonicClock(Instant.now(), System.nanoTime(), ZoneOffset.UTC);
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return new MonotonicClock(origin, originNanos, zone);
    }

    @Override
    public Instant instant() {
        return origin.plusNanos(System.nanoTime() - originNanos);
    }

    @Override
    public long millis() {
        return instant().toEpochMilli();
    }
}
