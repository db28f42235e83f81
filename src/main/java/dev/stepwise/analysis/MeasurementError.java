package dev.stepwise.analysis;

import java.time.Duration;
import java.util.Optional;

/**
 * Why a measurement has no value. The engine counts every kind toward {@code consecutiveErrorLimit}; the kind tells a
 * person (and a retry policy) what went wrong. Messages never contain a secret: they are built from redacted text.
 *
 * @param retryAfter how long the provider asked us to wait (HTTP 429 {@code Retry-After}, Datadog's
 *                   {@code X-RateLimit-Reset}), when it said
 */
public record MeasurementError(Kind kind, String message, Optional<Duration> retryAfter) {

    public enum Kind {
        /** Connecting or answering took longer than the provider's timeout. */
        TIMEOUT,
        /** The provider could not be reached at all (connection refused, unknown host, TLS failure). */
        CONNECTION,
        /** The provider answered with an HTTP status that is not success (4xx other than 429, 5xx). */
        HTTP_STATUS,
        /** The provider asked us to slow down (HTTP 429 or the provider's own throttling error). */
        RATE_LIMITED,
        /** The answer could not be read: not JSON, not the documented shape, a value that is not a number. */
        GARBAGE,
        /** The answer was larger than the provider's response limit; reading stopped there. */
        TOO_LARGE,
        /** The query answered, but with nothing to judge: an empty result, NaN, null. */
        NO_DATA,
        /** The provider's configuration or credentials are unusable (bad URL, missing credentials file). */
        MISCONFIGURED,
        /** The measurement itself ran and failed in a way that is not a verdict (a Job that could not start). */
        FAILED
    }

    public MeasurementError {
        retryAfter = retryAfter == null ? Optional.empty() : retryAfter;
    }

    public static MeasurementError of(Kind kind, String message) {
        return new MeasurementError(kind, message, Optional.empty());
    }

    /** Lower-case, hyphenated kind for JSON and text output ({@code no-data}, {@code http-status}). */
    public String kindLabel() {
        return kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
