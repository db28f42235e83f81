package dev.stepwise.git;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.random.RandomGenerator;
import javax.net.ssl.SSLException;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.errors.TransportException;

/**
 * Sorts JGit's exceptions into {@link GitError.Kind}s. JGit reports most transport failures as a
 * {@link TransportException} whose message (and cause) tell what happened, so besides exception types this looks at
 * the well-known phrases of JGit, of git's http-backend and of the common forges.
 */
public final class GitErrors {

    // status codes as words, so that "401" inside an object id never counts
    private static final Pattern HTTP_AUTH = Pattern.compile("\\b(401|403)\\b");
    private static final Pattern HTTP_NOT_FOUND = Pattern.compile("\\b404\\b");
    private static final Pattern HTTP_SERVER_ERROR = Pattern.compile("\\b(500|502|503|504)\\b");

    private GitErrors() {
    }

    public static GitError classify(Throwable error, String doing, Redactor redactor, int failuresInRow, RandomGenerator random) {
        GitError.Kind kind = kindOf(error);
        Backoff backoff = kind.needsPerson() ? Backoff.POLL_NEEDS_PERSON : Backoff.POLL_UNREACHABLE;
        Duration retry = backoff.delay(failuresInRow, random);
        String message = redactor.redact(doing + ": " + hint(kind) + redactor.describe(error));
        return new GitError(kind, message, retry, failuresInRow);
    }

    static GitError.Kind kindOf(Throwable error) {
        String all = messages(error);
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof NoRemoteRepositoryException || t instanceof RepositoryNotFoundException) {
                return GitError.Kind.NOT_FOUND;
            }
        }
        if (containsAny(all, "not authorized", "authentication is required", "authentication failed", "auth fail",
                "cannot log in", "no more authentication methods", "permission denied", "invalid username or password",
                "access denied") || HTTP_AUTH.matcher(all).find()) {
            return GitError.Kind.AUTH_FAILED;
        }
        if (containsAny(all, "server key did not validate", "host key", "unknown server key", "known_hosts",
                "no keys found for")) {
            return GitError.Kind.HOST_KEY_REJECTED;
        }
        if (containsAny(all, "repository not found", "not found", "does not appear to be a git repository",
                "no such repository", "does not exist") || HTTP_NOT_FOUND.matcher(all).find()) {
            return GitError.Kind.NOT_FOUND;
        }
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof SocketTimeoutException
                    || t instanceof NoRouteToHostException || t instanceof SSLException
                    || t instanceof java.net.SocketException || t instanceof java.io.EOFException) {
                return GitError.Kind.UNREACHABLE;
            }
        }
        if (containsAny(all, "connection refused", "connect timed out", "read timed out", "timeout", "unknown host",
                "unreachable", "connection reset", "broken pipe", "service unavailable", "bad gateway", "end of stream",
                "connection") || HTTP_SERVER_ERROR.matcher(all).find()) {
            return GitError.Kind.UNREACHABLE;
        }
        if (error instanceof TransportException) {
            return GitError.Kind.REJECTED;
        }
        if (error instanceof IOException) {
            return GitError.Kind.LOCAL;
        }
        return GitError.Kind.REJECTED;
    }

    private static String hint(GitError.Kind kind) {
        return switch (kind) {
            case AUTH_FAILED -> "authentication failed (check STEPWISE_GIT_TOKEN / STEPWISE_GIT_USERNAME / STEPWISE_GIT_PASSWORD or the SSH key): ";
            case HOST_KEY_REJECTED -> "the ssh host key is not in STEPWISE_GIT_SSH_KNOWN_HOSTS_FILE or differs from it: ";
            case NOT_FOUND -> "not found: ";
            case UNREACHABLE -> "server unreachable: ";
            case REJECTED -> "refused by the server: ";
            case LOCAL -> "local cache error: ";
        };
    }

    private static String messages(Throwable error) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = error; t != null; t = t.getCause()) {
            sb.append(' ').append(t.getClass().getSimpleName()).append(' ').append(t.getMessage());
        }
        return sb.toString().toLowerCase(Locale.ROOT);
    }

    private static boolean containsAny(String text, String... needles) {
        for (String n : needles) {
            if (text.contains(n)) {
                return true;
            }
        }
        return false;
    }
}
