package dev.stepwise.git;

import java.time.Duration;
import java.util.Objects;

/**
 * What went wrong talking to a Git server, sorted into the few kinds an operator acts on differently, with a message
 * already cleaned by the {@link Redactor} and a decision about when to try again.
 *
 * @param kind          what kind of failure
 * @param message       for people: redacted, names the repository, never holds a secret
 * @param retryAfter    requeue the work after this long
 * @param failuresInRow how many attempts in a row have failed, this one included
 */
public record GitError(Kind kind, String message, Duration retryAfter, int failuresInRow) {

    public enum Kind {
        /** The server refused the credentials (or needs some and none are configured). */
        AUTH_FAILED,
        /** The ssh server's host key is not in known_hosts, or differs from it. */
        HOST_KEY_REJECTED,
        /** The repository or the branch does not exist (or is hidden from these credentials). */
        NOT_FOUND,
        /** No answer: connection refused, DNS, timeout, TLS, a 5xx from the server. */
        UNREACHABLE,
        /** The server answered but refused what we asked (a push declined by a hook, a protocol error). */
        REJECTED,
        /** Our side: the cache directory, a corrupt mirror. */
        LOCAL;

        /** Failures a person has to fix are retried less often than ones that pass by themselves. */
        public boolean needsPerson() {
            return this == AUTH_FAILED || this == HOST_KEY_REJECTED || this == NOT_FOUND;
        }
    }

    public GitError {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(retryAfter, "retryAfter");
    }

    /** Always true today: every kind is retried, only the wait differs. Kept so callers read as a decision. */
    public boolean retry() {
        return true;
    }

    @Override
    public String toString() {
        return kind + ": " + message + " (retry in " + retryAfter.toSeconds() + "s, failure " + failuresInRow + " in a row)";
    }
}
