package dev.stepwise.git;

import java.util.Objects;

/**
 * A password, token or passphrase. It prints as {@code ****} wherever it ends up by accident (a record's toString, a
 * log argument, a debugger's summary), so the only way to see the value is to ask for it with {@link #reveal()}.
 */
public final class Secret {

    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    public static Secret of(String value) {
        Objects.requireNonNull(value, "value");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("a secret cannot be empty");
        }
        return new Secret(value);
    }

    /** The value, for the one place that must send it (an HTTP auth header, an HMAC key). */
    public String reveal() {
        return value;
    }

    public char[] revealChars() {
        return value.toCharArray();
    }

    @Override
    public String toString() {
        return "****";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && java.security.MessageDigest.isEqual(
                value.getBytes(java.nio.charset.StandardCharsets.UTF_8), s.value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public int hashCode() {
        return 0; // equal secrets must hash alike; hashing the value would leak a little of it into hash-based structures
    }
}
