package dev.stepwise.cluster;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Read-modify-write with optimistic concurrency: the object is written with the resourceVersion it was read at, and a
 * 409 (someone else wrote in between) means read again and redo the change. Only JSON merge patch, JSON patch and
 * update are used: server-side apply and strategic merge patch are not (fabric8's test server answers 415 to them,
 * and they would hide conflicts we want to see).
 */
public final class Writes {
    public static final int MAX_ATTEMPTS = 5;

    /** Conflicts seen and retried, for tests and the benchmark. */
    private int conflicts;
    private Runnable beforeWrite = () -> { };

    public int conflicts() {
        return conflicts;
    }

    /** A test seam: runs between the read and the write, where a concurrent writer would strike. */
    public void beforeWrite(Runnable hook) {
        this.beforeWrite = hook == null ? () -> { } : hook;
    }

    /**
     * Reads with {@code read}, computes the new object with {@code change} (empty: nothing to write) and writes it with
     * {@code write}, which must send the resourceVersion of the object it was given.
     *
     * @return the object written, or the object read when nothing needed writing; empty when there is none
     */
    public <T> Optional<T> update(Supplier<T> read, Function<T, Optional<T>> change, UnaryOperator<T> write) {
        for (int attempt = 1; ; attempt++) {
            T current = read.get();
            if (current == null) {
                return Optional.empty();
            }
            Optional<T> next = change.apply(current);
            if (next.isEmpty()) {
                return Optional.of(current);
            }
            beforeWrite.run();
            try {
                return Optional.of(write.apply(next.get()));
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= MAX_ATTEMPTS) {
                    throw e;
                }
                conflicts++;
            }
        }
    }
}
