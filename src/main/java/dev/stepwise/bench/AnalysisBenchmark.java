package dev.stepwise.bench;

import dev.stepwise.analysis.MeasureArgs;
import dev.stepwise.analysis.Measurement;
import dev.stepwise.analysis.ProviderSettings;
import dev.stepwise.analysis.judge.ComparisonJudge;
import dev.stepwise.analysis.judge.ComparisonMetric;
import dev.stepwise.analysis.judge.Direction;
import dev.stepwise.analysis.judge.MetricVerdict;
import dev.stepwise.analysis.providers.PrometheusProvider;
import dev.stepwise.spec.model.ProviderSpec;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Measures the analysis path end to end on this machine: Prometheus measurements per second through the provider
 * (one shared HTTP client, so connections are reused) against a real Prometheus on loopback, the same query sent by
 * {@code curl} in the same run (a process per request, and one process sending every request over one connection),
 * and the judge's time for two series of 10,000 samples.
 */
public final class AnalysisBenchmark {

    static final String QUERY = "sum(rate(http_requests_total{version=\"stable\",code!~\"5..\"}[5s])) / sum(rate(http_requests_total{version=\"stable\"}[5s]))";

    /** What was measured. */
    public record Figures(int measurements, double measurementsPerSecond, double p50Millis, double p99Millis,
                          int threads, double concurrentMeasurementsPerSecond,
                          int curlRuns, double curlProcessPerRequestPerSecond, double curlOneProcessPerSecond,
                          double ratioToCurlProcesses, double ratioToCurlOneProcess,
                          int judgeSamples, double judgeMillis, String judgeClassification, String prometheusVersion) {
    }

    private AnalysisBenchmark() {
    }

    public static Figures run(int measurements, int threads, int curlRuns, int judgeSamples) throws IOException, InterruptedException {
        try (MetricsTarget target = MetricsTarget.start(7).traffic("stable", new MetricsTarget.Traffic(500, 0.01, 0.03));
             PrometheusServer prometheus = PrometheusServer.start(List.of(target.target()), Duration.ofSeconds(1));
             PrometheusProvider provider = new PrometheusProvider(ProviderSettings.defaults(Map.of()), Clock.systemUTC())) {
            prometheus.awaitReady(Duration.ofSeconds(30));
            ProviderSpec spec = new ProviderSpec("prometheus", Map.of("address", prometheus.address(), "query", QUERY));
            awaitData(provider, spec);
            for (int i = 0; i < 300; i++) {
                check(provider.measure(spec, MeasureArgs.NONE)); // warm-up: JIT, connection
            }
            // the machine is shared: interleave provider and curl rounds so that both see the same load
            int rounds = 5;
            int perRound = Math.max(1, measurements / rounds);
            long[] nanos = new long[perRound * rounds];
            long providerNanos = 0;
            long curlOneNanos = 0;
            long curlProcessNanos = 0;
            int curlPerRound = Math.max(1, curlRuns / rounds);
            for (int round = 0; round < rounds; round++) {
                long start = System.nanoTime();
                for (int i = 0; i < perRound; i++) {
                    long t0 = System.nanoTime();
                    check(provider.measure(spec, MeasureArgs.NONE));
                    nanos[round * perRound + i] = System.nanoTime() - t0;
                }
                providerNanos += System.nanoTime() - start;
                curlOneNanos += curlOneProcess(prometheus.address(), curlPerRound * 5);
                curlProcessNanos += curlProcessPerRequest(prometheus.address(), curlPerRound);
            }
            Arrays.sort(nanos);
            double perSecond = nanos.length / (providerNanos / 1e9);
            double curlProcesses = curlPerRound * rounds / (curlProcessNanos / 1e9);
            double curlOne = curlPerRound * 5 * rounds / (curlOneNanos / 1e9);
            double concurrent = concurrent(provider, spec, measurements, threads);
            double[] judge = judge(judgeSamples);
            String version = prometheusVersion();
            return new Figures(nanos.length, perSecond, nanos[nanos.length / 2] / 1e6, nanos[(int) (nanos.length * 0.99)] / 1e6,
                    threads, concurrent, curlRuns, curlProcesses, curlOne, perSecond / curlProcesses, perSecond / curlOne,
                    judgeSamples, judge[0], judge[1] == 1 ? "High" : "Pass", version);
        }
    }

    private static void awaitData(PrometheusProvider provider, ProviderSpec spec) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (provider.measure(spec, MeasureArgs.NONE).isError()) {
            if (System.nanoTime() > deadline) {
                throw new IOException("Prometheus had no data for the benchmark query after 30s");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250));
        }
    }

    private static void check(Measurement m) {
        if (m.isError()) {
            throw new IllegalStateException("measurement failed during the benchmark: " + m.describe());
        }
    }

    private static double concurrent(PrometheusProvider provider, ProviderSpec spec, int measurements, int threads) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            int each = measurements / threads;
            long start = System.nanoTime();
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        check(provider.measure(spec, MeasureArgs.NONE));
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            return each * threads / ((System.nanoTime() - start) / 1e9);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** {@code curl} started once per request, as a shell-script probe would: a process and a connection each time. */
    private static long curlProcessPerRequest(String address, int runs) throws IOException, InterruptedException {
        List<String> cmd = List.of("curl", "-sS", "-o", "/dev/null", "--fail", address + "/api/v1/query", "--data-urlencode", "query=" + QUERY);
        long start = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            runCurl(cmd);
        }
        return System.nanoTime() - start;
    }

    /** One {@code curl} process sending every request over one kept-alive connection. */
    private static long curlOneProcess(String address, int requests) throws IOException, InterruptedException {
        String url = address + "/api/v1/query?query=" + URLEncoder.encode(QUERY, StandardCharsets.UTF_8);
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--fail"));
        for (int i = 0; i < requests; i++) {
            cmd.add("-o");
            cmd.add("/dev/null");
            cmd.add(url);
        }
        long start = System.nanoTime();
        runCurl(cmd);
        return System.nanoTime() - start;
    }

    private static void runCurl(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("curl failed: " + String.join(" ", cmd.subList(0, Math.min(6, cmd.size()))));
        }
    }

    /** Median time of the judge on two series of {@code n} samples (the canary 2 % higher), and its verdict. */
    static double[] judge(int n) {
        Random r = new Random(11);
        double[] baseline = r.doubles(n).map(d -> 0.05 + 0.01 * r.nextGaussian()).toArray();
        double[] canary = r.doubles(n).map(d -> 0.051 + 0.01 * r.nextGaussian()).toArray();
        ComparisonMetric metric = ComparisonMetric.of("latency", Direction.INCREASE);
        MetricVerdict v = null;
        for (int i = 0; i < 5; i++) {
            v = ComparisonJudge.classify(metric, canary, baseline);
        }
        double[] times = new double[11];
        for (int i = 0; i < times.length; i++) {
            long t0 = System.nanoTime();
            v = ComparisonJudge.classify(metric, canary, baseline);
            times[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(times);
        return new double[] {times[times.length / 2], v.classification() == dev.stepwise.analysis.judge.Classification.HIGH ? 1 : 0};
    }

    private static String prometheusVersion() {
        try {
            Process p = new ProcessBuilder(PrometheusServer.binary().orElseThrow().toString(), "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            return out.lines().findFirst().orElse("unknown");
        } catch (IOException | RuntimeException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
