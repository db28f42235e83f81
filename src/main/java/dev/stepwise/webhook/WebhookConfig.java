package dev.stepwise.webhook;

import dev.stepwise.git.Secret;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Where the webhook endpoint listens and the secret deliveries must be signed with.
 *
 * <pre>
 * STEPWISE_WEBHOOK_SECRET / STEPWISE_WEBHOOK_SECRET_FILE   the shared secret (required)
 * STEPWISE_WEBHOOK_LISTEN                                 host:port, default 127.0.0.1:8088
 * STEPWISE_WEBHOOK_MAX_BODY_BYTES                          default 5 MiB (bigger deliveries get 413)
 * </pre>
 *
 * The default address is loopback: exposing the endpoint is a decision (an ingress, a port-forward), not an accident.
 */
public record WebhookConfig(InetSocketAddress bind, String path, Secret secret, int maxBodyBytes) {

    public static final int DEFAULT_PORT = 8088;
    public static final String DEFAULT_PATH = "/webhook";
    public static final int DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;

    public WebhookConfig {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(secret, "secret");
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("webhook path must start with '/'");
        }
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("the webhook body limit must be at least 1 KiB");
        }
    }

    /** Loopback, the default path and size limit; port 0 picks a free port. */
    public static WebhookConfig loopback(int port, Secret secret) {
        return new WebhookConfig(new InetSocketAddress("127.0.0.1", port), DEFAULT_PATH, secret, DEFAULT_MAX_BODY_BYTES);
    }

    public static WebhookConfig fromEnvironment(Map<String, String> env) {
        String direct = env.get("STEPWISE_WEBHOOK_SECRET");
        String file = env.get("STEPWISE_WEBHOOK_SECRET_FILE");
        if (direct != null && !direct.isEmpty() && file != null && !file.isBlank()) {
            throw new IllegalArgumentException("set either STEPWISE_WEBHOOK_SECRET or STEPWISE_WEBHOOK_SECRET_FILE, not both");
        }
        String value;
        if (direct != null && !direct.isEmpty()) {
            value = direct;
        } else if (file != null && !file.isBlank()) {
            try {
                value = Files.readString(Path.of(file.strip()), StandardCharsets.UTF_8).replaceAll("[\\r\\n]+$", "");
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read STEPWISE_WEBHOOK_SECRET_FILE " + file.strip());
            }
        } else {
            throw new IllegalArgumentException("the webhook endpoint needs STEPWISE_WEBHOOK_SECRET or STEPWISE_WEBHOOK_SECRET_FILE;"
                    + " unsigned deliveries are never accepted");
        }
        if (value.length() < 16) {
            throw new IllegalArgumentException("the webhook secret must be at least 16 characters");
        }
        String listen = env.getOrDefault("STEPWISE_WEBHOOK_LISTEN", "127.0.0.1:" + DEFAULT_PORT).strip();
        int colon = listen.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("STEPWISE_WEBHOOK_LISTEN must be host:port, got '" + listen + "'");
        }
        String host = listen.substring(0, colon).replaceAll("^\\[|\\]$", "");
        int port;
        try {
            port = Integer.parseInt(listen.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("STEPWISE_WEBHOOK_LISTEN must be host:port, got '" + listen + "'");
        }
        int max = DEFAULT_MAX_BODY_BYTES;
        String m = env.get("STEPWISE_WEBHOOK_MAX_BODY_BYTES");
        if (m != null && !m.isBlank()) {
            try {
                max = Integer.parseInt(m.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("STEPWISE_WEBHOOK_MAX_BODY_BYTES must be a number of bytes");
            }
        }
        return new WebhookConfig(new InetSocketAddress(host, port), DEFAULT_PATH, Secret.of(value), max);
    }
}
