package dev.stepwise.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.stepwise.git.Redactor;
import dev.stepwise.git.Secret;
import dev.stepwise.webhook.PushListener;
import dev.stepwise.webhook.WebhookConfig;
import dev.stepwise.webhook.WebhookHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Inet6Address;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Stepwise's one HTTP port: probes, metrics, a read-only view of the rollouts, and the webhook endpoints. It runs on
 * the JDK's {@code HttpServer} with small bounded pools, like {@code WebhookServer}: every answer is computed from
 * memory in microseconds, so a few workers keep up, and a flood of requests slows the accept loop instead of growing
 * a queue.
 *
 * <p>Webhook deliveries are the one thing that reads a request body, from the internet, at the sender's pace. They
 * run on a pool of their own, so deliveries trickling in slowly cannot starve {@code /healthz} into a restart loop;
 * when that pool and its short queue are full, further deliveries are cut off at once (polling catches up on what
 * they announced). Requests that never finish arriving are dropped after {@value #MAX_REQUEST_SECONDS} s (the JDK's
 * {@code sun.net.httpserver.maxReqTime}, set here unless the process already set it).
 *
 * <pre>
 * GET /healthz                          200 "ok" while the process is live, else 503
 * GET /readyz                           200 "ok" when ready, else 503 and the reason
 * GET /metrics                          Prometheus text format 0.0.4
 * GET /api/v1/rollouts                  JSON array of rollout summaries
 * GET /api/v1/rollouts/{ns}/{name}      JSON object (404 JSON error when unknown)
 * POST {webhook path}                   see {@link WebhookHandler}
 * </pre>
 *
 * Other methods on the read-only endpoints get 405, other paths 404. Nothing here writes: the API can be exposed to
 * dashboards without giving them a way to act on rollouts.
 */
public final class HttpApi implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);

    /** Loopback: exposing the port is a decision (a Pod's {@code 0.0.0.0:8080}, a port-forward), not an accident. */
    public static final String DEFAULT_ADDRESS = "127.0.0.1:8080";

    /** A 5 MiB delivery needs only ~170 KiB/s to arrive in time; a sender slower than that is holding a worker. */
    static final int MAX_REQUEST_SECONDS = 30;

    static {
        // read once, when the JDK's server configuration class loads: set before the first HttpServer is created
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            System.setProperty("sun.net.httpserver.maxReqTime", Integer.toString(MAX_REQUEST_SECONDS));
        }
    }

    private static final String ROLLOUTS = "/api/v1/rollouts";
    private static final Set<String> BUILT_IN = Set.of("/healthz", "/readyz", "/metrics", ROLLOUTS);
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String JSON_TYPE = "application/json";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final StepwiseMetrics metrics;
    private final RolloutDirectory rollouts;
    private final BooleanSupplier live;
    private final Supplier<Optional<String>> notReadyReason;
    private final Map<String, WebhookHandler> webhooks = new ConcurrentHashMap<>();
    private final HttpServer server;
    private final ThreadPoolExecutor executor;
    private final ThreadPoolExecutor webhookWorkers;
    private final AtomicInteger cutOff = new AtomicInteger();
    private final AtomicLong lastCutOffLog = new AtomicLong(
            System.nanoTime() - TimeUnit.MINUTES.toNanos(1));

    private HttpApi(InetSocketAddress bind, StepwiseMetrics metrics, RolloutDirectory rollouts, BooleanSupplier live,
                    Supplier<Optional<String>> notReadyReason) throws IOException {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.rollouts = Objects.requireNonNull(rollouts, "rollouts");
        this.live = Objects.requireNonNull(live, "live");
        this.notReadyReason = Objects.requireNonNull(notReadyReason, "notReadyReason");
        this.server = HttpServer.create(Objects.requireNonNull(bind, "bind"), 32);
        this.executor = new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(64),
                daemons("stepwise-http-"), new ThreadPoolExecutor.CallerRunsPolicy());
        // no CallerRuns here: the caller is an HTTP worker, and a full pool must not spill slow senders onto it
        this.webhookWorkers = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(16),
                daemons("stepwise-webhook-"), new ThreadPoolExecutor.AbortPolicy());
        server.setExecutor(executor);
        // one context and our own routing: the JDK matches contexts by string prefix, which would let /metricsfoo in
        server.createContext("/", this::handle);
    }

    /**
     * Binds and starts serving.
     *
     * @param live           false when the process should be restarted (a probe then gets 503)
     * @param notReadyReason empty when ready to serve; otherwise why not (e.g. "first poll of shop not done"), shown to
     *                       the probe, so it must not carry a secret (URL credentials are stripped regardless)
     */
    public static HttpApi start(InetSocketAddress bind, StepwiseMetrics metrics, RolloutDirectory rollouts,
                                BooleanSupplier live, Supplier<Optional<String>> notReadyReason) throws IOException {
        HttpApi api = new HttpApi(bind, metrics, rollouts, live, notReadyReason);
        api.server.start();
        LOG.info("HTTP API listening on {}", api.url());
        return api;
    }

    /**
     * {@code host:port} as written in {@code http.address} ({@code 127.0.0.1:8080}, {@code 0.0.0.0:8080},
     * {@code [::1]:8080}); a missing host means loopback.
     */
    public static InetSocketAddress parseAddress(String hostPort) {
        String s = Objects.requireNonNull(hostPort, "address").strip();
        int colon = s.lastIndexOf(':');
        if (colon < 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("an HTTP address is host:port, got '" + s + "'");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("write an IPv6 address in brackets, as [::1]:8080; got '" + s + "'");
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("an HTTP address is host:port, got '" + s + "'");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range in '" + s + "'");
        }
        return new InetSocketAddress(host.isEmpty() ? "127.0.0.1" : host, port);
    }

    /** Serves a webhook at {@code path} with the default body limit (5 MiB). */
    public HttpApi mountWebhook(String path, Secret secret, PushListener listener) {
        return mountWebhook(path, secret, WebhookConfig.DEFAULT_MAX_BODY_BYTES, listener);
    }

    /** Serves a webhook at {@code path} (e.g. {@code /webhook/shop}); a path is mounted once, built-in paths are refused. */
    public HttpApi mountWebhook(String path, Secret secret, int maxBodyBytes, PushListener listener) {
        WebhookHandler handler = new WebhookHandler(secret, path, maxBodyBytes, listener);
        if (BUILT_IN.contains(path) || path.startsWith(ROLLOUTS + "/") || path.equals("/")) {
            throw new IllegalArgumentException("webhook path " + path + " is taken by the API");
        }
        if (webhooks.putIfAbsent(path, handler) != null) {
            throw new IllegalArgumentException("a webhook is already mounted at " + path);
        }
        LOG.info("webhook endpoint at {}{}", url(), path);
        return this;
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** {@code http://host:port}, with the port actually bound. */
    public String url() {
        InetSocketAddress a = address();
        InetAddress ip = a.getAddress();
        String host = ip instanceof Inet6Address ? "[" + ip.getHostAddress() + "]" : a.getHostString();
        return "http://" + host + ":" + a.getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        WebhookHandler webhook = path == null ? null : webhooks.get(path);
        if (webhook != null) {
            try {
                webhookWorkers.execute(() -> {
                    try {
                        webhook.handle(exchange); // it answers every method and closes the exchange
                    } catch (IOException | RuntimeException e) {
                        exchange.close(); // the sender hung up or timed out; nothing to answer
                    }
                });
            } catch (RejectedExecutionException busy) {
                // closing before any response aborts the connection; answering would first drain the unread body,
                // at the pace of the very senders that filled the pool
                int cut = cutOff.incrementAndGet();
                long now = System.nanoTime();
                long last = lastCutOffLog.get();
                // at most one line per 10 s: a flood must not turn into a flood of log lines
                if (now - last > TimeUnit.SECONDS.toNanos(10) && lastCutOffLog.compareAndSet(last, now)) {
                    LOG.warn("webhook {}: {} deliveries in progress or waiting; {} cut off so far (latest from {})", path,
                            webhookBacklog(), cut, exchange.getRemoteAddress().getAddress().getHostAddress());
                }
                exchange.close();
            }
            return;
        }
        // the catch sits inside the try-with-resources: a resource is closed before its own catch runs, and a 500
        // written to a closed exchange never leaves
        try (exchange) {
            try {
                route(exchange, path);
            } catch (RuntimeException e) {
                // the class only: a message from the reconciler's side could quote anything
                LOG.error("HTTP {} {} failed: {}", exchange.getRequestMethod(), path, e.getClass().getName());
                trySend500(exchange);
            }
        }
    }

    private void route(HttpExchange exchange, String path) throws IOException {
        if (path == null || !(BUILT_IN.contains(path) || path.startsWith(ROLLOUTS + "/"))) {
            json(exchange, 404, error("not found"));
            return;
        }
        if (!"GET".equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().set("Allow", "GET");
            json(exchange, 405, error(exchange.getRequestMethod() + " is not allowed here; use GET"));
            return;
        }
        switch (path) {
            case "/healthz" -> health(exchange);
            case "/readyz" -> ready(exchange);
            case "/metrics" -> send(exchange, 200, TextFormat.CONTENT_TYPE, metrics.scrape());
            case ROLLOUTS -> json(exchange, 200, rollouts.rollouts());
            default -> oneRollout(exchange);
        }
    }

    private void health(HttpExchange exchange) throws IOException {
        if (live.getAsBoolean()) {
            send(exchange, 200, TEXT, "ok\n");
        } else {
            send(exchange, 503, TEXT, "not live\n");
        }
    }

    private void ready(HttpExchange exchange) throws IOException {
        Optional<String> reason = notReadyReason.get();
        if (reason == null || reason.isEmpty()) {
            send(exchange, 200, TEXT, "ok\n");
        } else {
            String text = Redactor.none().redact(reason.get().isBlank() ? "not ready" : reason.get().strip());
            send(exchange, 503, TEXT, text + "\n");
        }
    }

    /** {@code /api/v1/rollouts/{namespace}/{name}}: exactly two non-empty segments after the collection. */
    private void oneRollout(HttpExchange exchange) throws IOException {
        String rest = exchange.getRequestURI().getRawPath().substring(ROLLOUTS.length() + 1);
        String[] parts = rest.split("/", -1);
        if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
            json(exchange, 404, error("not found; rollouts are at " + ROLLOUTS + "/{namespace}/{name}"));
            return;
        }
        String namespace = decode(parts[0]);
        String name = decode(parts[1]);
        Optional<Map<String, Object>> found = rollouts.rollout(namespace, name);
        if (found.isPresent()) {
            json(exchange, 200, found.get());
        } else {
            json(exchange, 404, error("rollout " + namespace + "/" + name + " not found"));
        }
    }

    /** Percent-decoding of one path segment ('+' is a plus in a path, not a space as in a form). */
    private static String decode(String segment) {
        return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static Map<String, Object> error(String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", message);
        return m;
    }

    private static void json(HttpExchange exchange, int status, Object body) throws IOException {
        String text;
        try {
            text = JSON.writeValueAsString(body);
        } catch (JacksonException e) {
            // a value that is not JSON-ready is the directory's bug; say so in the log, not in the response
            LOG.error("HTTP {}: the rollout directory returned a value JSON cannot hold: {}",
                    exchange.getRequestURI().getPath(), e.getClass().getSimpleName());
            send(exchange, 500, JSON_TYPE, "{\"error\":\"internal error\"}\n");
            return;
        }
        send(exchange, status, JSON_TYPE, text + "\n");
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream os = exchange.getResponseBody()) {
            os.write(bytes);
        }
    }

    private static void trySend500(HttpExchange exchange) {
        try {
            send(exchange, 500, JSON_TYPE, "{\"error\":\"internal error\"}\n");
        } catch (IOException | RuntimeException ignored) {
            // headers were already sent, or the client is gone: nothing more can be said
        }
    }

    /** Stops listening at once; requests in flight are cut (the process is stopping anyway). */
    @Override
    public void close() {
        server.stop(0);
        webhookWorkers.shutdownNow();
        executor.shutdownNow();
    }

    /** Webhook deliveries being received or waiting for a worker. */
    int webhookBacklog() {
        return webhookWorkers.getActiveCount() + webhookWorkers.getQueue().size();
    }

    private static ThreadFactory daemons(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** For tests and logs: the webhook paths mounted so far. */
    public List<String> webhookPaths() {
        return webhooks.keySet().stream().sorted().toList();
    }
}
