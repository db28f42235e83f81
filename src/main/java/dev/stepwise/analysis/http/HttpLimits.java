package dev.stepwise.analysis.http;

import java.time.Duration;

/**
 * The bounds every provider request runs within: how long connecting may take, how long the whole exchange (headers
 * and body) may take, and how many bytes of answer we read before giving up. An oversized answer is an error, never
 * an out-of-memory: Prometheus answering a careless query with a million series must not take Stepwise down.
 */
public record HttpLimits(Duration connectTimeout, Duration requestTimeout, long maxResponseBytes) {

    public static final long DEFAULT_MAX_RESPONSE_BYTES = 4L * 1024 * 1024;
    public static final HttpLimits DEFAULT = new HttpLimits(Duration.ofSeconds(5), Duration.ofSeconds(30), DEFAULT_MAX_RESPONSE_BYTES);

    public HttpLimits {
        if (connectTimeout.isNegative() || connectTimeout.isZero() || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (maxResponseBytes <= 0) {
            throw new IllegalArgumentException("maxResponseBytes must be positive");
        }
    }

    public HttpLimits withRequestTimeout(Duration timeout) {
        return new HttpLimits(connectTimeout, timeout, maxResponseBytes);
    }

    public HttpLimits withMaxResponseBytes(long bytes) {
        return new HttpLimits(connectTimeout, requestTimeout, bytes);
    }
}
