package dev.stepwise.spec;

import java.util.Objects;

/**
 * The bytes of one file of a spec repository and the path it is reported under (relative to the repository root,
 * with forward slashes). Whoever reads the bytes (a folder on disk, a Git tree) does the I/O; the spec package only
 * looks at what it is handed.
 */
public record SourceFile(String path, byte[] bytes) {
    public SourceFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(bytes, "bytes");
    }

    /** YAML files are the ones a spec repository is read from; everything else in the folder is left alone. */
    public boolean isYaml() {
        String p = path.toLowerCase(java.util.Locale.ROOT);
        return p.endsWith(".yaml") || p.endsWith(".yml");
    }
}
