package dev.stepwise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.analysis.ConfigProblem;
import dev.stepwise.analysis.MeasureArgs;
import dev.stepwise.analysis.Measurement;
import dev.stepwise.analysis.MeasurementError;
import dev.stepwise.analysis.MetricProvider;
import dev.stepwise.analysis.MetricProviders;
import dev.stepwise.spec.model.ProviderSpec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code stepwise analyze} with a scripted provider: exit codes, output formats, located input errors. */
class AnalyzeCommandTest {

    /** Answers the scripted measurements in order, recording the arguments it was given. */
    static final class Scripted implements MetricProvider {
        final Deque<Measurement> answers = new ArrayDeque<>();
        MeasureArgs lastArgs;

        @Override
        public String type() {
            return "web";
        }

        @Override
        public List<ConfigProblem> check(ProviderSpec spec, MeasureArgs args) {
            return spec.config().containsKey("url") ? List.of() : List.of(new ConfigProblem("/url", "analysis.provider.missing", "the URL is required"));
        }

        @Override
        public Measurement measure(ProviderSpec spec, MeasureArgs args) {
            lastArgs = args;
            return answers.isEmpty() ? Measurement.ofError(MeasurementError.Kind.NO_DATA, "nothing scripted", "", Instant.EPOCH, Duration.ZERO)
                    : answers.poll();
        }
    }

    private final Scripted scripted = new Scripted();

    record Result(int exit, String out, String err) {
    }

    private Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Main());
        // the real command, with its providers replaced by a scripted one
        cli.getCommandSpec().removeSubcommand("analyze");
        cli.addSubcommand("analyze", new AnalyzeCommand(settings -> new MetricProviders(settings, Clock.systemUTC())
                .register("web", r -> scripted), Map.of("HEALTH_TOKEN", "tok-0123456789")));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        String[] full = new String[args.length + 1];
        full[0] = "analyze";
        System.arraycopy(args, 0, full, 1, args.length);
        return new Result(cli.execute(full), out.toString(), err.toString());
    }

    private static Measurement value(Object v) {
        return Measurement.ofValue(v, OptionalLong.of(3), "GET http://preview/healthz", Instant.EPOCH, Duration.ofMillis(12));
    }

    private static Path template(Path dir, String metrics) throws Exception {
        Path f = dir.resolve("smoke.yaml");
        Files.writeString(f, """
                apiVersion: argoproj.io/v1alpha1
                kind: AnalysisTemplate
                metadata:
                  name: smoke-tests
                  namespace: production
                spec:
                  args:
                    - name: preview-url
                    - name: token
                      valueFrom:
                        secretKeyRef: {name: smoke, key: token}
                  metrics:
                """ + metrics);
        return f;
    }

    private static final String HEALTH = """
                - name: health
                  count: 2
                  successCondition: result == "ok"
                  provider:
                    web:
                      url: "{{args.preview-url}}/healthz"
                      jsonPath: "{$.status}"
            """;

    @Test
    void successfulRunPrintsEveryMeasurementAndExitsZero(@TempDir Path dir) throws Exception {
        scripted.answers.add(value("ok"));
        scripted.answers.add(value("ok"));
        Result r = run(template(dir, HEALTH).toString(), "--arg", "preview-url=http://preview", "--secret-arg", "token=HEALTH_TOKEN",
                "--interval", "0s");
        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.out).startsWith("analysis production/smoke-tests: Successful")
                .contains("metric health: Successful (2 measurements)")
                .contains("#1 Successful  value ok  samples 3")
                .contains("query: GET http://preview/healthz");
        assertThat(scripted.lastArgs.secretNames()).containsExactly("token");
        assertThat(scripted.lastArgs.values()).containsEntry("token", "tok-0123456789");
    }

    @Test
    void jsonOutputHasThePhaseAndEveryMeasurement(@TempDir Path dir) throws Exception {
        scripted.answers.add(value("ok"));
        scripted.answers.add(value("down"));
        Result r = run(template(dir, HEALTH).toString(), "--arg", "preview-url=http://preview", "--secret-arg", "token=HEALTH_TOKEN",
                "--interval", "0s", "--format", "json");
        assertThat(r.exit).isEqualTo(1);
        var json = tools.jackson.databind.json.JsonMapper.builder().build().readTree(r.out);
        assertThat(json.path("phase").asString()).isEqualTo("Failed");
        var ms = json.path("metrics").get(0).path("measurements");
        assertThat(ms.get(0).path("value").asString()).isEqualTo("ok");
        assertThat(ms.get(1).path("phase").asString()).isEqualTo("Failed");
        assertThat(ms.get(1).path("message").asString()).isEqualTo("successCondition 'result == \"ok\"' is false");
        assertThat(ms.get(1).path("sampleCount").asLong()).isEqualTo(3);
    }

    @Test
    void anErrorOnlyRunIsErrorNotSuccess(@TempDir Path dir) throws Exception {
        Result r = run(template(dir, HEALTH).toString(), "--arg", "preview-url=http://preview", "--secret-arg", "token=HEALTH_TOKEN",
                "--count", "1");
        assertThat(r.exit).isEqualTo(1);
        assertThat(r.out).contains("analysis production/smoke-tests: Error").contains("no-data: nothing scripted");
    }

    @Test
    void invalidInputIsExitTwoWithLocatedFindings(@TempDir Path dir) throws Exception {
        Path f = template(dir, """
                - name: health
                  successCondition: result ==
                  provider:
                    web:
                      jsonPath: "{$.status}"
                - name: other
                  provider:
                    graphite:
                      query: x
            """);
        Result r = run(f.toString(), "--arg", "preview-url=http://p", "--secret-arg", "token=HEALTH_TOKEN");
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.err).contains("smoke.yaml:14:25: error: the condition 'result ==' does not compile")
                .contains("smoke.yaml:17:11: error: metric 'health': the URL is required")
                .contains("smoke.yaml:20:9: error: metric 'other': Stepwise has no 'graphite' provider");
        Result missing = run(f.toString());
        assertThat(missing.exit).isEqualTo(2);
        assertThat(missing.err).contains("argument 'token' has no value (the template reads it from secretKeyRef smoke/token");
        assertThat(run(dir.resolve("absent.yaml").toString()).exit).isEqualTo(2);
    }
}
