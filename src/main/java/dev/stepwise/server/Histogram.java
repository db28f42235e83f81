package dev.stepwise.server;

import java.time.Duration;
import java.util.Arrays;

/**
 * Durations in seconds counted into fixed buckets. Observing and reading are synchronized so a scrape never sees a
 * count that disagrees with its buckets or its sum; both are a few additions, so the lock is never held long.
 */
final class Histogram {

    private final double[] bounds;
    private final long[] counts; // per bucket, not cumulative; the last slot is above every bound (+Inf)
    private double sum;

    Histogram(double[] bounds) {
        this.bounds = bounds;
        this.counts = new long[bounds.length + 1];
    }

    synchronized void observe(Duration took) {
        // a clock that stepped backwards must not make a negative duration
        double seconds = Math.max(0, took.toNanos() / 1e9);
        int i = Arrays.binarySearch(bounds, seconds);
        // an exact hit belongs to that bucket (le is "less or equal"); otherwise the insertion point is the bucket
        counts[i >= 0 ? i : -i - 1]++;
        sum += seconds;
    }

    /** {@code name_bucket{...,le=...}} cumulatively up to {@code +Inf}, then {@code name_sum} and {@code name_count}. */
    void write(TextFormat out, String name, String... labels) {
        long[] snapshot;
        double total;
        synchronized (this) {
            snapshot = counts.clone();
            total = sum;
        }
        String[] withLe = Arrays.copyOf(labels, labels.length + 2);
        withLe[labels.length] = "le";
        long cumulative = 0;
        for (int i = 0; i < snapshot.length; i++) {
            cumulative += snapshot[i];
            withLe[labels.length + 1] = i < bounds.length ? TextFormat.number(bounds[i]) : "+Inf";
            out.sample(name + "_bucket", cumulative, withLe);
        }
        out.sample(name + "_sum", total, labels);
        out.sample(name + "_count", cumulative, labels);
    }
}
