package dev.stepwise.webhook;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP endpoint forges deliver push events to (JDK {@code HttpServer}, no framework). A delivery is acted on only
 * when its signature checks out; what happens then is quick (a poll is triggered, not run), so the forge gets its
 * answer at once:
 *
 * <ul>
 *   <li>401 — signature or token missing or wrong; nothing happens</li>
 *   <li>413 — body over the limit (checked against Content-Length before reading, and while reading)</li>
 *   <li>405 — not a POST; 404 — another path</li>
 *   <li>400 — signed but not a readable push payload</li>
 *   <li>200 — GitHub's ping</li>
 *   <li>202 — accepted: {@code "triggered"} (a poll of N sources was started) or {@code "ignored"} (not a push, or no
 *   tracked source for that repository and branch)</li>
 * </ul>
 */
public final class WebhookServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookServer.class);

    private final WebhookConfig config;
    private final SignatureVerifier verifier;
    private final PushListener listener;
    private final HttpServer server;
    private final ThreadPoolExecutor executor;

    private WebhookServer(WebhookConfig config, PushListener listener) throws IOException {
        this.config = config;
        this.verifier = new SignatureVerifier(config.secret());
        this.listener = Objects.requireNonNull(listener, "listener");
        this.server = HttpServer.create(config.bind(), 32);
        AtomicInteger n = new AtomicInteger();
        // two workers and a bounded queue: a flood of deliveries slows the accept loop instead of growing memory
        this.executor = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(64), r -> {
            Thread t = new Thread(r, "stepwise-webhook-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.CallerRunsPolicy());
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    public static WebhookServer start(WebhookConfig config, PushListener listener) throws IOException {
        WebhookServer s = new WebhookServer(config, listener);
        s.server.start();
        LOG.info("webhook endpoint listening on http://{}:{}{}", s.address().getHostString(), s.address().getPort(), config.path());
        return s;
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** {@code http://host:port/webhook}. */
    public String url() {
        return "http://" + address().getHostString() + ":" + address().getPort() + config.path();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals(config.path())) {
                respond(exchange, 404, "{\"error\":\"not found\"}");
                return;
            }
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().add("Allow", "POST");
                respond(exchange, 405, "{\"error\":\"webhooks are POSTed\"}");
                return;
            }
            String declared = exchange.getRequestHeaders().getFirst("Content-Length");
            if (declared != null && parseLong(declared) > config.maxBodyBytes()) {
                respond(exchange, 413, "{\"error\":\"body larger than " + config.maxBodyBytes() + " bytes\"}");
                return;
            }
            byte[] body = readAtMost(exchange.getRequestBody(), config.maxBodyBytes());
            if (body == null) {
                respond(exchange, 413, "{\"error\":\"body larger than " + config.maxBodyBytes() + " bytes\"}");
                return;
            }
            Headers headers = Headers.ofMultiValued(exchange.getRequestHeaders());
            SignatureVerifier.Result verified = verifier.verify(headers, body);
            if (verified instanceof SignatureVerifier.Rejected rejected) {
                LOG.warn("webhook from {} refused: {}", exchange.getRemoteAddress().getAddress().getHostAddress(), rejected.reason());
                respond(exchange, 401, "{\"error\":\"signature missing or invalid\"}");
                return;
            }
            Forge forge = ((SignatureVerifier.Verified) verified).forge();
            PushPayloads.Parsed parsed = PushPayloads.parse(forge, headers, body);
            if (parsed instanceof PushPayloads.Ping) {
                respond(exchange, 200, "{\"result\":\"pong\"}");
            } else if (parsed instanceof PushPayloads.OtherEvent o) {
                respond(exchange, 202, "{\"result\":\"ignored\",\"reason\":" + json("event '" + o.name() + "' is not a push") + "}");
            } else if (parsed instanceof PushPayloads.Invalid i) {
                respond(exchange, 400, "{\"error\":" + json(i.reason()) + "}");
            } else if (parsed instanceof PushPayloads.Push push) {
                int n = listener.onPush(push.event());
                if (n > 0) {
                    respond(exchange, 202, "{\"result\":\"triggered\",\"sources\":" + n + "}");
                } else {
                    LOG.info("webhook {}{}: push to {} of {} concerns no tracked source", forge,
                            push.event().deliveryId().isEmpty() ? "" : " delivery " + push.event().deliveryId(), push.event().ref(),
                            dev.stepwise.git.Redactor.none().redact(String.valueOf(push.event().repositoryUrls())));
                    respond(exchange, 202, "{\"result\":\"ignored\",\"reason\":"
                            + json("no tracked source for " + push.event().ref() + " of this repository") + "}");
                }
            }
        } catch (RuntimeException e) {
            LOG.error("webhook handling failed: {}", e.getClass().getSimpleName());
            respond(exchange, 500, "{\"error\":\"internal error\"}");
        }
    }

    /** The body, or null when it is longer than {@code max} (reading stops there). */
    private static byte[] readAtMost(InputStream in, int max) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int total = 0;
        int r;
        while ((r = in.read(buf)) != -1) {
            total += r;
            if (total > max) {
                return null;
            }
            out.write(buf, 0, r);
        }
        return out.toByteArray();
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = (json + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream os = exchange.getResponseBody()) {
            os.write(bytes);
        }
    }

    private static String json(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
