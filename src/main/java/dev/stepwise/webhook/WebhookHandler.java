package dev.stepwise.webhook;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.stepwise.git.Secret;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One webhook endpoint as a JDK {@link HttpHandler}, so it can serve on its own ({@link WebhookServer}) or be mounted
 * next to other endpoints on a shared server ({@code dev.stepwise.server.HttpApi}). A delivery is acted on only when
 * its signature checks out; what happens then is quick (a poll is triggered, not run), so the forge gets its answer
 * at once:
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
 *
 * The secret is only ever handed to the {@link SignatureVerifier}; no response or log line carries it.
 */
public final class WebhookHandler implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookHandler.class);

    private final String path;
    private final int maxBodyBytes;
    private final SignatureVerifier verifier;
    private final PushListener listener;

    /**
     * @param path the exact request path this endpoint answers (others get 404, so a handler mounted on a prefix
     *             context does not answer {@code /webhook/anything})
     */
    public WebhookHandler(Secret secret, String path, int maxBodyBytes, PushListener listener) {
        Objects.requireNonNull(secret, "secret");
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("webhook path must start with '/'");
        }
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("the webhook body limit must be at least 1 KiB");
        }
        this.path = path;
        this.maxBodyBytes = maxBodyBytes;
        this.verifier = new SignatureVerifier(secret);
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    public static WebhookHandler of(WebhookConfig config, PushListener listener) {
        return new WebhookHandler(config.secret(), config.path(), config.maxBodyBytes(), listener);
    }

    public String path() {
        return path;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        // the catch sits inside the try-with-resources: a resource is closed before its own catch runs, and a 500
        // written to a closed exchange never leaves
        try (exchange) {
            try {
                answer(exchange);
            } catch (RuntimeException e) {
                // the class name only: a listener's message could quote anything, the secret included
                LOG.error("webhook handling failed: {}", e.getClass().getSimpleName());
                try {
                    respond(exchange, 500, "{\"error\":\"internal error\"}");
                } catch (IOException | RuntimeException ignored) {
                    // the response had begun, or the forge hung up: nothing more can be said
                }
            }
        }
    }

    private void answer(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestURI().getPath().equals(path)) {
            respond(exchange, 404, "{\"error\":\"not found\"}");
            return;
        }
        if (!"POST".equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().add("Allow", "POST");
            respond(exchange, 405, "{\"error\":\"webhooks are POSTed\"}");
            return;
        }
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null && parseLong(declared) > maxBodyBytes) {
            respond(exchange, 413, "{\"error\":\"body larger than " + maxBodyBytes + " bytes\"}");
            return;
        }
        byte[] body = readAtMost(exchange.getRequestBody(), maxBodyBytes);
        if (body == null) {
            respond(exchange, 413, "{\"error\":\"body larger than " + maxBodyBytes + " bytes\"}");
            return;
        }
        Headers headers = Headers.ofMultiValued(exchange.getRequestHeaders());
        SignatureVerifier.Result verified = verifier.verify(headers, body);
        if (verified instanceof SignatureVerifier.Rejected rejected) {
            LOG.warn("webhook {} from {} refused: {}", path, exchange.getRemoteAddress().getAddress().getHostAddress(),
                    rejected.reason());
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
}
