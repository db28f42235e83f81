package dev.stepwise.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * An application for Prometheus to scrape: a JDK HttpServer on loopback exposing, in Prometheus text format,
 * {@code http_requests_total{version, code}} and the histogram {@code http_request_duration_seconds{version}} for
 * as many versions as the caller defines ("stable", "canary"…). Each version has a traffic profile — requests per
 * second, error ratio, latency — and its counters advance by that profile, with seeded ±10 % noise per scrape, every
 * time they are read: a test sets the profile and Prometheus sees the rates it asked for.
 */
public final class MetricsTarget implements AutoCloseable {

    /** Upper bounds of the latency histogram's buckets, in seconds. */
    static final double[] BUCKETS = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

    /** How a version behaves. */
    public record Traffic(double requestsPerSecond, double errorRatio, double latencySeconds) {
    }

    private static final class Version {
        Traffic traffic;
        double ok;
        double errors;
        final double[] buckets = new double[BUCKETS.length + 1];
        double sum;
        long lastNanos;
    }

    private final HttpServer server;
    private final Map<String, Version> versions = new LinkedHashMap<>();
    /** When set, the same traffic is also exposed as Istio's sidecars report it, each version a workload here. */
    private String istioNamespace;
    private final Random random;

    private MetricsTarget(long seed) throws IOException {
        this.random = new Random(seed);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/metrics", exchange -> {
            byte[] body = render().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    public static MetricsTarget start(long seed) throws IOException {
        return new MetricsTarget(seed);
    }

    /** {@code host:port} for a scrape configuration. */
    public String target() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /**
     * Also expose every version's traffic as Istio's destination-side metrics ({@code istio_requests_total} and
     * {@code istio_request_duration_milliseconds}), the version being the {@code destination_workload} in
     * {@code namespace}: what Flagger's builtin Istio queries read.
     */
    public synchronized MetricsTarget asIstioWorkloadsIn(String namespace) {
        this.istioNamespace = namespace;
        return this;
    }

    public synchronized MetricsTarget traffic(String version, Traffic traffic) {
        Version v = versions.computeIfAbsent(version, k -> {
            Version nv = new Version();
            nv.lastNanos = System.nanoTime();
            return nv;
        });
        advance(v);
        v.traffic = traffic;
        return this;
    }

    private void advance(Version v) {
        long now = System.nanoTime();
        double seconds = (now - v.lastNanos) / 1e9;
        v.lastNanos = now;
        if (v.traffic == null || seconds <= 0) {
            return;
        }
        double noise = 0.9 + 0.2 * random.nextDouble();
        double requests = v.traffic.requestsPerSecond() * seconds * noise;
        double errorNoise = 0.8 + 0.4 * random.nextDouble();
        double errors = Math.min(requests, requests * v.traffic.errorRatio() * errorNoise);
        v.ok += requests - errors;
        v.errors += errors;
        double latency = v.traffic.latencySeconds() * (0.95 + 0.1 * random.nextDouble());
        for (int i = 0; i < BUCKETS.length; i++) {
            if (latency <= BUCKETS[i]) {
                v.buckets[i] += requests;
            }
        }
        v.buckets[BUCKETS.length] += requests;
        v.sum += latency * requests;
    }

    synchronized String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("# HELP http_requests_total Requests served.\n# TYPE http_requests_total counter\n");
        versions.values().forEach(this::advance);
        versions.forEach((name, v) -> {
            sb.append(line("http_requests_total{version=\"" + name + "\",code=\"200\"}", v.ok));
            sb.append(line("http_requests_total{version=\"" + name + "\",code=\"500\"}", v.errors));
        });
        sb.append("# HELP http_request_duration_seconds Request latency.\n# TYPE http_request_duration_seconds histogram\n");
        versions.forEach((name, v) -> {
            for (int i = 0; i < BUCKETS.length; i++) {
                sb.append(line("http_request_duration_seconds_bucket{version=\"" + name + "\",le=\"" + BUCKETS[i] + "\"}", v.buckets[i]));
            }
            sb.append(line("http_request_duration_seconds_bucket{version=\"" + name + "\",le=\"+Inf\"}", v.buckets[BUCKETS.length]));
            sb.append(line("http_request_duration_seconds_sum{version=\"" + name + "\"}", v.sum));
            sb.append(line("http_request_duration_seconds_count{version=\"" + name + "\"}", v.buckets[BUCKETS.length]));
        });
        if (istioNamespace != null) {
            istio(sb);
        }
        return sb.toString();
    }

    private void istio(StringBuilder sb) {
        sb.append("# TYPE istio_requests_total counter\n");
        versions.forEach((name, v) -> {
            String labels = "reporter=\"destination\",destination_workload_namespace=\"" + istioNamespace
                    + "\",destination_workload=\"" + name + "\"";
            sb.append(line("istio_requests_total{" + labels + ",response_code=\"200\"}", v.ok));
            sb.append(line("istio_requests_total{" + labels + ",response_code=\"503\"}", v.errors));
        });
        sb.append("# TYPE istio_request_duration_milliseconds histogram\n");
        versions.forEach((name, v) -> {
            String labels = "reporter=\"destination\",destination_workload_namespace=\"" + istioNamespace
                    + "\",destination_workload=\"" + name + "\"";
            for (int i = 0; i < BUCKETS.length; i++) {
                sb.append(line("istio_request_duration_milliseconds_bucket{" + labels + ",le=\"" + BUCKETS[i] * 1000 + "\"}", v.buckets[i]));
            }
            sb.append(line("istio_request_duration_milliseconds_bucket{" + labels + ",le=\"+Inf\"}", v.buckets[BUCKETS.length]));
            sb.append(line("istio_request_duration_milliseconds_sum{" + labels + "}", v.sum * 1000));
            sb.append(line("istio_request_duration_milliseconds_count{" + labels + "}", v.buckets[BUCKETS.length]));
        });
    }

    private static String line(String series, double value) {
        return series + " " + String.format(Locale.ROOT, "%.6f", value) + "\n";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
