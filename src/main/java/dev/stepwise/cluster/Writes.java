package dev.stepwise.cluster;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
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
    private volatile int conflicts;
    private Runnable beforeWrite = () -> { };

    public int conflicts() {
        return conflicts;
    }

    /**
     * A test seam: runs between the read and the write of {@link #update}, where a concurrent writer would strike
     * (patches are raced through a client interceptor instead, see ConcurrentWritesIT).
     */
    public void beforeWrite(Runnable hook) {
        this.beforeWrite = hook == null ? () -> { } : hook;
    }

    /**
     * A patch computed from an object read earlier, sent with that object's {@code metadata.resourceVersion} in it, so
     * the server refuses it (409) when someone wrote in between; then the object is read again and the patch computed
     * again from what it holds. Used for the JSON merge patches and JSON patches that replace state (replica counts,
     * selectors, annotations): without the resourceVersion they would silently overwrite a concurrent change.
     *
     * @param first    the object as already read (saves a request), or null to read it first
     * @param reread   reads the object again (null: it is gone, nothing is written)
     * @param patchFor the patch for the object as read, or empty when nothing needs writing; it must carry the
     *                 object's resourceVersion ({@link #withResourceVersion})
     * @param send     sends the patch
     * @return the object written, or the object read when nothing needed writing; empty when there is none
     */
    public <T> Optional<T> patch(T first, Supplier<T> reread, Function<T, Optional<String>> patchFor, BiFunction<T, String, T> send) {
        for (int attempt = 1; ; attempt++) {
            T current = attempt == 1 && first != null ? first : reread.get();
            if (current == null) {
                return Optional.empty();
            }
            Optional<String> patch = patchFor.apply(current);
            if (patch.isEmpty()) {
                return Optional.of(current);
            }
            try {
                return Optional.of(send.apply(current, patch.get()));
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= MAX_ATTEMPTS) {
                    throw e;
                }
                conflicts++;
            }
        }
    }

    /** {@code body} (a JSON merge patch) with {@code metadata.resourceVersion} set, so a stale write gets a 409. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> withResourceVersion(Map<String, Object> body, String resourceVersion) {
        Map<String, Object> out = new LinkedHashMap<>(body);
        Map<String, Object> meta = new LinkedHashMap<>(out.get("metadata") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of());
        if (resourceVersion != null) {
            meta.put("resourceVersion", resourceVersion);
        }
        out.put("metadata", meta);
        return out;
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
