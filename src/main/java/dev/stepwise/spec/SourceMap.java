package dev.stepwise.spec;

import java.util.HashMap;
import java.util.Map;

/**
 * Where each node of one YAML document stands in its file, keyed by JSON pointer, so that a finding about
 * {@code /spec/strategy/canary/steps/2/setWeight} can name a line and column. Positions are packed into a long
 * (line in the high half, column in the low half) to keep 10,000 loaded specs small.
 */
public final class SourceMap {
    private final String file;
    private final Map<String, Long> values = new HashMap<>();
    private final Map<String, Long> keys = new HashMap<>();

    public SourceMap(String file) {
        this.file = file;
    }

    public String file() {
        return file;
    }

    void value(String pointer, int line, int column) {
        values.put(pointer, pack(line, column));
    }

    void key(String pointer, int line, int column) {
        keys.put(pointer, pack(line, column));
    }

    /**
     * Where the node at {@code pointer} starts; for a pointer that names no node (a missing field), the position of
     * the nearest ancestor that exists.
     */
    public Location valueAt(String pointer) {
        String p = pointer;
        while (true) {
            Long packed = values.get(p);
            if (packed != null) {
                return unpack(packed);
            }
            if (p.isEmpty()) {
                return Location.ofFile(file);
            }
            p = JsonPointer.parent(p);
        }
    }

    /** Where the key of the mapping entry at {@code pointer} is written, falling back to {@link #valueAt}. */
    public Location keyAt(String pointer) {
        Long packed = keys.get(pointer);
        return packed != null ? unpack(packed) : valueAt(pointer);
    }

    private static long pack(int line, int column) {
        return ((long) line << 32) | (column & 0xffffffffL);
    }

    private Location unpack(long packed) {
        return new Location(file, (int) (packed >>> 32), (int) packed);
    }
}
