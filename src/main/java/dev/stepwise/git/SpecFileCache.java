package dev.stepwise.git;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.stepwise.spec.Finding;
import dev.stepwise.spec.SpecDocument;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.eclipse.jgit.lib.ObjectId;

/**
 * Parsed spec files by Git blob id. A blob id names the exact bytes, so a file that did not change between two
 * commits is parsed once: a poll after a one-file change parses one file. The path is part of the key because
 * documents and findings carry it (the same bytes at two paths are two results). Bounded by the bytes parsed, so a
 * huge repository cannot grow the cache without limit.
 */
public final class SpecFileCache {

    /** The documents and findings of one file. */
    public record ParsedFile(List<SpecDocument> documents, List<Finding> findings, int weight) {
        public ParsedFile {
            documents = List.copyOf(documents);
            findings = List.copyOf(findings);
        }
    }

    private record Key(String path, ObjectId blob) {
    }

    /** Counters: parses are misses, the rest were served from the cache. */
    public record Stats(long parses, long hits) {
    }

    public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;

    private final Cache<Key, ParsedFile> cache;
    private final AtomicLong parses = new AtomicLong();
    private final AtomicLong hits = new AtomicLong();

    public SpecFileCache(long maxBytes) {
        // parsed maps take a few times the file's bytes; weighing by bytes keeps the bound proportional to memory
        this.cache = Caffeine.newBuilder().maximumWeight(maxBytes)
                .weigher((Key k, ParsedFile v) -> Math.max(1, v.weight())).build();
    }

    public SpecFileCache() {
        this(DEFAULT_MAX_BYTES);
    }

    public ParsedFile get(String path, ObjectId blob, Supplier<ParsedFile> parse) {
        Objects.requireNonNull(path, "path");
        boolean[] parsed = {false};
        ParsedFile result = cache.get(new Key(path, blob.copy()), k -> {
            parsed[0] = true;
            return parse.get();
        });
        if (parsed[0]) {
            parses.incrementAndGet();
        } else {
            hits.incrementAndGet();
        }
        return result;
    }

    public Stats stats() {
        return new Stats(parses.get(), hits.get());
    }
}
