package dev.stepwise.webhook;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stand-alone HTTP server (JDK {@code HttpServer}, no framework) with one webhook endpoint, for running the
 * webhook without the rest of the HTTP API. The request handling, and what each status code means, is
 * {@link WebhookHandler}'s; {@code dev.stepwise.server.HttpApi} mounts the same handler next to health, metrics and
 * the rollouts API.
 */
public final class WebhookServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookServer.class);

    private final WebhookConfig config;
    private final HttpServer server;
    private final ThreadPoolExecutor executor;

    private WebhookServer(WebhookConfig config, PushListener listener) throws IOException {
        this.config = config;
        WebhookHandler handler = WebhookHandler.of(config, Objects.requireNonNull(listener, "listener"));
        this.server = HttpServer.create(config.bind(), 32);
        AtomicInteger n = new AtomicInteger();
        // two workers and a bounded queue: a flood of deliveries slows the accept loop instead of growing memory
        this.executor = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(64), r -> {
            Thread t = new Thread(r, "stepwise-webhook-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.CallerRunsPolicy());
        server.setExecutor(executor);
        server.createContext("/", handler);
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

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
