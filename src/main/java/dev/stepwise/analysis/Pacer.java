package dev.stepwise.analysis;

import java.time.Duration;

/**
 * How a provider waits between polls of something it started (a Kayenta analysis, a Kubernetes Job). Production
 * sleeps; tests pass a pacer that does not wait, so they never sleep to wait for anything.
 */
@FunctionalInterface
public interface Pacer {

    /** Waits about {@code d}; false when interrupted. */
    boolean pause(Duration d);

    Pacer SLEEPING = d -> {
        try {
            Thread.sleep(d.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    };
}
