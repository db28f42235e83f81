package dev.stepwise.cli;

import dev.stepwise.bench.AnalysisBenchmark;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code stepwise bench analysis}: Prometheus measurements per second through the provider against a real Prometheus
 * on loopback (started by the benchmark; needs the {@code prometheus} package), next to {@code curl} sending the same
 * query, and the comparison judge's time on two series of 10,000 samples.
 */
@Command(name = "analysis", mixinStandardHelpOptions = true,
        description = "Benchmark metric analysis: provider measurements per second against a local Prometheus, vs curl, and the judge.")
public final class BenchAnalysisCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--measurements", defaultValue = "3000", description = "sequential measurements (default: ${DEFAULT-VALUE})")
    int measurements;

    @Option(names = "--threads", defaultValue = "4", description = "threads for the concurrent run (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--curl-runs", defaultValue = "200", description = "curl processes, one request each (default: ${DEFAULT-VALUE})")
    int curlRuns;

    @Option(names = "--judge-samples", defaultValue = "10000", description = "samples per series for the judge (default: ${DEFAULT-VALUE})")
    int judgeSamples;

    @Option(names = "--format", defaultValue = "text", description = "text or json")
    String format;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (dev.stepwise.bench.PrometheusServer.binary().isEmpty()) {
            spec.commandLine().getErr().println("stepwise bench analysis: prometheus is not installed (apt-get install prometheus)");
            return ExitCodes.USAGE_OR_IO;
        }
        AnalysisBenchmark.Figures f = AnalysisBenchmark.run(measurements, threads, curlRuns, judgeSamples);
        if (format.equals("json")) {
            out.println(JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build().writeValueAsString(f));
        } else {
            out.println(String.format(Locale.ROOT, """
                    analysis benchmark (%s, loopback, %d cores)
                      provider, sequential:   %,.0f measurements/s over %d (p50 %.2f ms, p99 %.2f ms)
                      provider, %d threads:    %,.0f measurements/s
                      curl, process/request:  %,.0f requests/s over %d  -> provider is %.1fx
                      curl, one process:      %,.0f requests/s over %d  -> provider is %.1fx
                      judge, 2 x %,d samples: %.1f ms (Mann-Whitney U + Hodges-Lehmann interval; verdict %s)""",
                    f.prometheusVersion(), Runtime.getRuntime().availableProcessors(),
                    f.measurementsPerSecond(), f.measurements(), f.p50Millis(), f.p99Millis(),
                    f.threads(), f.concurrentMeasurementsPerSecond(),
                    f.curlProcessPerRequestPerSecond(), f.curlRuns(), f.ratioToCurlProcesses(),
                    f.curlOneProcessPerSecond(), f.curlRuns() * 5, f.ratioToCurlOneProcess(),
                    f.judgeSamples(), f.judgeMillis(), f.judgeClassification()));
        }
        out.flush();
        return ExitCodes.OK;
    }
}
