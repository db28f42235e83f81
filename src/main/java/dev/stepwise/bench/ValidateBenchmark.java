package dev.stepwise.bench;

import dev.stepwise.spec.SourceFile;
import dev.stepwise.spec.SpecLoader;
import dev.stepwise.spec.SpecSet;
import dev.stepwise.validate.RepositoryValidator;
import dev.stepwise.validate.ValidationReport;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * How fast {@code stepwise validate} reads and checks a large repository, next to the time snakeyaml-engine alone
 * takes to parse the same bytes, measured in the same run so that the ratio survives a noisy machine.
 */
public final class ValidateBenchmark {

    public record Figures(int specs, long bytes, double bareParseMillis, double loadMillis, double validateMillis,
                          long findings) {
        public double totalMillis() {
            return loadMillis + validateMillis;
        }

        public double specsPerSecond() {
            return specs / (totalMillis() / 1000.0);
        }

        public double ratioToBareParse() {
            return totalMillis() / bareParseMillis;
        }
    }

    private ValidateBenchmark() {
    }

    public static Figures run(int specs, int warmups, int rounds, PrintWriter log) {
        List<SourceFile> files = SpecCorpus.generate(specs, 42);
        RepositoryValidator validator = RepositoryValidator.bundled();
        long bytes = SpecCorpus.bytes(files);
        log.printf("generated %d rollouts in %d files (%.1f MiB); %d cores, load average %.2f%n", specs, files.size(),
                bytes / 1048576.0, Runtime.getRuntime().availableProcessors(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        double[] bare = new double[rounds];
        double[] load = new double[rounds];
        double[] validate = new double[rounds];
        long findings = 0;
        for (int i = -warmups; i < rounds; i++) {
            long t0 = System.nanoTime();
            long sink = bareParse(files);
            long t1 = System.nanoTime();
            SpecSet set = new SpecLoader().load(files);
            long t2 = System.nanoTime();
            ValidationReport report = validator.validate(set, List.of());
            long t3 = System.nanoTime();
            findings = report.findings().stream().filter(f -> f.severity() != dev.stepwise.spec.Severity.INFO).count();
            if (sink < 0) {
                throw new AssertionError();
            }
            if (i >= 0) {
                bare[i] = (t1 - t0) / 1e6;
                load[i] = (t2 - t1) / 1e6;
                validate[i] = (t3 - t2) / 1e6;
            }
            log.printf("  %s %d: bare parse %.0f ms, load %.0f ms, validate %.0f ms%n",
                    i < 0 ? "warm-up" : "round", Math.abs(i < 0 ? warmups + i + 1 : i + 1),
                    (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6);
        }
        return new Figures(specs, bytes, median(bare), median(load), median(validate), findings);
    }

    /** The reference: snakeyaml-engine's own loader over the same bytes, nothing else. */
    private static long bareParse(List<SourceFile> files) {
        Load load = new Load(LoadSettings.builder().build());
        long count = 0;
        for (SourceFile f : files) {
            for (Object ignored : load.loadAllFromString(new String(f.bytes(), StandardCharsets.UTF_8))) {
                count++;
            }
        }
        return count;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
