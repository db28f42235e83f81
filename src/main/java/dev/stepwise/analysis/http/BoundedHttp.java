package dev.stepwise.analysis.http;

import dev.stepwise.analysis.MeasurementError;
import dev.stepwise.analysis.MeasurementError.Kind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * One {@link HttpClient} per provider instance (so connections are reused across measurements), with the limits every
 * provider request needs: a connect timeout, a deadline for the whole exchange including the body, and a response
 * size limit enforced while reading. Every failure becomes an {@link HttpOutcome.Failure} with a
 * {@link MeasurementError.Kind}; nothing is thrown to the caller. Messages name the host and path, never the query
 * string or headers, which may carry credentials.
 */
public final class BoundedHttp implements AutoCloseable {

    private final HttpClient client;
    private final HttpLimits limits;
    private final Clock clock;

    public BoundedHttp(HttpLimits limits, Optional<SSLContext> ssl, Clock clock) {
        HttpClient.Builder b = HttpClient.newBuilder()
                .connectTimeout(limits.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER) // a redirect could carry our auth headers elsewhere
                .version(HttpClient.Version.HTTP_1_1);
        ssl.ifPresent(b::sslContext);
        this.client = b.build();
        this.limits = limits;
        this.clock = clock;
    }

    public BoundedHttp(HttpLimits limits) {
        this(limits, Optional.empty(), Clock.systemUTC());
    }

    public HttpLimits limits() {
        return limits;
    }

    /** Sends with this client's limits. */
    public HttpOutcome send(HttpRequest.Builder request) {
        return send(request, limits.requestTimeout(), limits.maxResponseBytes());
    }

    /** Sends with a request-specific deadline and size limit (a metric's {@code timeoutSeconds}). */
    public HttpOutcome send(HttpRequest.Builder request, Duration timeout, long maxBytes) {
        HttpRequest req = request.timeout(timeout).build();
        String where = where(req.uri());
        // the request timeout covers the wait for the response headers; the body gets what is left of the same deadline
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            // send, not sendAsync().get(): the synchronous path hands work between fewer threads and is about twice
            // as fast per request on a loaded machine (measured with stepwise bench analysis)
            HttpResponse<byte[]> response = client.send(req,
                    info -> new LimitedBody(maxBytes, info.headers().firstValueAsLong("Content-Length"), deadline));
            return new HttpOutcome.Response(response.statusCode(), response.headers(), response.body());
        } catch (IllegalArgumentException e) {
            return failure(Kind.MISCONFIGURED, "cannot send to " + where + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failure(Kind.TIMEOUT, "interrupted while waiting for " + where);
        } catch (IOException e) {
            return fromException(e, where, timeout, maxBytes);
        }
    }

    private HttpOutcome fromException(Throwable t, String where, Duration timeout, long maxBytes) {
        Throwable cause = t;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof TooLarge || c instanceof BodyTimeout) {
                cause = c; // our own signals may arrive wrapped in the client's IOException
                break;
            }
        }
        if (cause instanceof BodyTimeout) {
            return failure(Kind.TIMEOUT, where + " did not finish answering within " + seconds(timeout));
        }
        if (cause instanceof TooLarge) {
            return failure(Kind.TOO_LARGE, where + " answered more than " + maxBytes + " bytes; the limit is there so a "
                    + "careless query cannot exhaust memory (narrow the query, or raise maxResponseBytes)");
        }
        if (cause instanceof HttpConnectTimeoutException) {
            return failure(Kind.TIMEOUT, "connecting to " + where + " took longer than " + seconds(limits.connectTimeout()));
        }
        if (cause instanceof HttpTimeoutException) {
            return failure(Kind.TIMEOUT, where + " did not answer within " + seconds(timeout));
        }
        if (cause instanceof ConnectException) {
            return failure(Kind.CONNECTION, "could not connect to " + where + " (connection refused)");
        }
        if (cause instanceof UnresolvedAddressException || cause instanceof java.net.UnknownHostException) {
            return failure(Kind.CONNECTION, "could not resolve the host of " + where);
        }
        if (cause instanceof SSLException) {
            return failure(Kind.CONNECTION, "TLS with " + where + " failed: " + cause.getMessage());
        }
        if (cause instanceof IOException) {
            return failure(Kind.CONNECTION, "talking to " + where + " failed: " + cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : " " + cause.getMessage()));
        }
        return failure(Kind.CONNECTION, "request to " + where + " failed: " + cause.getClass().getSimpleName());
    }

    /**
     * The error for a non-2xx response: 429 is rate limiting (with the wait the server asked for), anything else an
     * HTTP status error carrying the start of the body, which is where APIs explain themselves.
     */
    public MeasurementError statusError(HttpOutcome.Response r, String where, String explanation) {
        if (r.status() == 429) {
            Optional<Duration> wait = retryAfter(r);
            return new MeasurementError(Kind.RATE_LIMITED, where + " is rate limiting us (HTTP 429)"
                    + wait.map(w -> "; it asked us to wait " + seconds(w)).orElse("")
                    + (explanation.isEmpty() ? "" : ": " + explanation), wait);
        }
        String hint = r.status() == 401 || r.status() == 403 ? " (check the credentials in Stepwise's provider configuration)" : "";
        return MeasurementError.of(Kind.HTTP_STATUS, where + " answered HTTP " + r.status() + hint
                + (explanation.isEmpty() ? "" : ": " + explanation));
    }

    /** {@code Retry-After} in seconds or as an HTTP date, else a vendor's {@code X-RateLimit-Reset} (seconds). */
    public Optional<Duration> retryAfter(HttpOutcome.Response r) {
        Optional<String> ra = r.headers().firstValue("Retry-After");
        if (ra.isPresent()) {
            String v = ra.get().trim();
            if (v.matches("\\d{1,9}")) {
                return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
            }
            try {
                ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(clock.instant(), at.toInstant());
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (java.time.format.DateTimeParseException e) {
                return Optional.empty();
            }
        }
        return r.headers().firstValue("X-RateLimit-Reset").filter(v -> v.trim().matches("\\d{1,9}"))
                .map(v -> Duration.ofSeconds(Long.parseLong(v.trim())));
    }

    public static String where(URI uri) {
        String host = uri.getHost() == null ? String.valueOf(uri) : uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
        return host + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    private static HttpOutcome failure(Kind kind, String message) {
        return new HttpOutcome.Failure(MeasurementError.of(kind, message));
    }

    @Override
    public void close() {
        // HttpClient has no close() before Java 21; dropping the reference lets its selector thread end.
    }

    /** Thrown inside the body subscriber when the answer passes the size limit. */
    static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge(long limit) {
            super("response larger than " + limit + " bytes");
        }
    }

    /** Thrown inside the body subscriber when the body is still arriving at the deadline. */
    static final class BodyTimeout extends IOException {
        private static final long serialVersionUID = 1L;

        BodyTimeout() {
            super("response body not complete by the deadline");
        }
    }

    /** One daemon thread expiring bodies that trickle past their deadline. */
    private static final ScheduledExecutorService DEADLINES = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "stepwise-http-deadlines");
        t.setDaemon(true);
        return t;
    });

    /**
     * Collects the body up to a limit and a deadline, cancelling the stream (and so the connection's read) as soon as
     * either is passed.
     */
    private static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final long limit;
        private final boolean declaredTooLarge;
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final ScheduledFuture<?> expiry;
        private volatile Flow.Subscription subscription;

        LimitedBody(long limit, OptionalLong declaredLength, long deadlineNanos) {
            this.limit = limit;
            this.declaredTooLarge = declaredLength.isPresent() && declaredLength.getAsLong() > limit;
            long remaining = Math.max(1, deadlineNanos - System.nanoTime());
            this.expiry = DEADLINES.schedule(this::expire, remaining, TimeUnit.NANOSECONDS);
            result.whenComplete((body, error) -> expiry.cancel(false));
        }

        private void expire() {
            if (result.completeExceptionally(new BodyTimeout())) {
                Flow.Subscription s = subscription;
                if (s != null) {
                    s.cancel();
                }
            }
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            this.subscription = s;
            if (declaredTooLarge) {
                s.cancel();
                result.completeExceptionally(new TooLarge(limit));
                return;
            }
            s.request(Long.MAX_VALUE); // the limit is enforced by cancelling, not by back-pressure
        }

        @Override
        public synchronized void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : items) {
                if (buffer.size() + (long) b.remaining() > limit) {
                    subscription.cancel();
                    result.completeExceptionally(new TooLarge(limit));
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                buffer.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(buffer.toByteArray());
        }
    }
}
