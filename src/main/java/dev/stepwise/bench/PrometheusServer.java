package dev.stepwise.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * A real Prometheus server (Debian's {@code prometheus} package, or {@code $STEPWISE_PROMETHEUS_BIN}) on a free
 * loopback port, with a temporary data directory and a configuration scraping the given targets every second. Used
 * by the integration tests and by {@code stepwise bench analysis}; it listens on 127.0.0.1 only and is stopped (and
 * its directory deleted) by {@link #close()}.
 */
public final class PrometheusServer implements AutoCloseable {

    private final Process process;
    private final Path directory;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private PrometheusServer(Process process, Path directory, int port) {
        this.process = process;
        this.directory = directory;
        this.port = port;
    }

    /** The Prometheus binary, or empty when it is not installed. */
    public static java.util.Optional<Path> binary() {
        String configured = System.getenv("STEPWISE_PROMETHEUS_BIN");
        if (configured != null && !configured.isBlank()) {
            return java.util.Optional.of(Path.of(configured)).filter(Files::isExecutable);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir, "prometheus");
            if (Files.isExecutable(p)) {
                return java.util.Optional.of(p);
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * Starts Prometheus scraping {@code targets} ({@code host:port}, path {@code /metrics}) every {@code scrapeInterval}.
     * Returns at once; wait with {@link #isReady()} (or {@link #awaitReady(Duration)} outside tests).
     */
    public static PrometheusServer start(List<String> targets, Duration scrapeInterval) throws IOException {
        Path bin = binary().orElseThrow(() -> new IOException("prometheus is not installed (apt-get install prometheus)"));
        Path dir = Files.createTempDirectory("stepwise-prometheus-");
        int port = freePort();
        String interval = scrapeInterval.toMillis() + "ms";
        StringBuilder config = new StringBuilder()
                .append("global:\n  scrape_interval: ").append(interval).append("\n  evaluation_interval: ").append(interval).append('\n')
                .append("scrape_configs:\n  - job_name: app\n    scrape_interval: ").append(interval)
                .append("\n    scrape_timeout: ").append(interval).append("\n    static_configs:\n      - targets: [");
        for (int i = 0; i < targets.size(); i++) {
            config.append(i == 0 ? "" : ", ").append('\'').append(targets.get(i)).append('\'');
        }
        config.append("]\n");
        Path configFile = dir.resolve("prometheus.yml");
        Files.writeString(configFile, config.toString(), StandardCharsets.UTF_8);
        ProcessBuilder pb = new ProcessBuilder(bin.toString(),
                "--config.file=" + configFile,
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile());
        return new PrometheusServer(pb.start(), dir, port);
    }

    public String address() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** True once {@code /-/ready} answers 200. */
    public boolean isReady() {
        if (!process.isAlive()) {
            throw new IllegalStateException("prometheus exited with " + process.exitValue() + ": " + log());
        }
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(address() + "/-/ready"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** For the benchmark (tests use Awaitility on {@link #isReady()}): polls readiness until the deadline. */
    public void awaitReady(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!isReady()) {
            if (System.nanoTime() > deadline) {
                throw new IOException("prometheus was not ready within " + timeout + ": " + log());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    /** The server's log so far (for failure messages). */
    public String log() {
        try {
            String s = Files.readString(directory.resolve("prometheus.log"));
            return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> walk = Files.walk(directory)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a leftover temporary directory is not worth failing for
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
