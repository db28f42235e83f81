package dev.stepwise.analysis;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where a credential comes from: an environment variable, a mounted file (a Kubernetes Secret volume, re-read on
 * every request so a rotated token is picked up), or an inline {@code value} for things that are not secret (a
 * tenant header). Credentials are named in Stepwise's own provider configuration, never in Git, and a resolved value
 * is only ever put into a request header: {@link #toString()} names the source, never the value.
 */
public record SecretRef(Source source, String name) {

    public enum Source { ENV, FILE, VALUE }

    /** Files holding a credential are small; anything bigger is a mistake (a wrong path), not a token. */
    private static final int MAX_FILE_BYTES = 64 * 1024;

    public static SecretRef env(String variable) {
        return new SecretRef(Source.ENV, variable);
    }

    public static SecretRef file(String path) {
        return new SecretRef(Source.FILE, path);
    }

    public static SecretRef value(String literal) {
        return new SecretRef(Source.VALUE, literal);
    }

    /** The credential, or why it could not be read (the message names the variable or file, never a value). */
    public Resolved resolve(Map<String, String> environment) {
        switch (source) {
            case VALUE:
                return Resolved.ok(name);
            case ENV: {
                String v = environment.get(name);
                return v == null || v.isBlank()
                        ? Resolved.missing("environment variable " + name + " is not set")
                        : Resolved.ok(v.trim());
            }
            default: {
                Path p = Path.of(name);
                try (InputStream in = Files.newInputStream(p)) {
                    byte[] bytes = in.readNBytes(MAX_FILE_BYTES + 1);
                    if (bytes.length > MAX_FILE_BYTES) {
                        return Resolved.missing("credentials file " + name + " is larger than 64 KiB; is it the right file?");
                    }
                    String v = new String(bytes, StandardCharsets.UTF_8).strip();
                    return v.isEmpty() ? Resolved.missing("credentials file " + name + " is empty") : Resolved.ok(v);
                } catch (java.nio.file.NoSuchFileException e) {
                    return Resolved.missing("credentials file " + name + " does not exist");
                } catch (IOException | SecurityException e) {
                    return Resolved.missing("credentials file " + name + " cannot be read (" + e.getClass().getSimpleName() + ")");
                }
            }
        }
    }

    /** A resolved credential or the reason there is none. */
    public record Resolved(String value, String problem) {
        static Resolved ok(String value) {
            return new Resolved(value, null);
        }

        static Resolved missing(String problem) {
            return new Resolved(null, problem);
        }

        public boolean isOk() {
            return value != null;
        }

        @Override
        public String toString() {
            return isOk() ? "Resolved[****]" : "Resolved[" + problem + "]";
        }
    }

    /** Whether this reference holds a secret that must be redacted from output. Inline values are not secrets. */
    public boolean isSecret() {
        return source != Source.VALUE;
    }

    @Override
    public String toString() {
        return switch (source) {
            case ENV -> "env " + name;
            case FILE -> "file " + name;
            case VALUE -> "value";
        };
    }
}
