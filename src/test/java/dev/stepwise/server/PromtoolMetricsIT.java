package dev.stepwise.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.git.Secret;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code /metrics} output checked by Prometheus' own parser and linter ({@code promtool check metrics}, Debian's
 * package): the unit tests pin the lines we meant to write, this proves Prometheus reads them as we meant. The alert
 * rules of docs/http-api.md are checked and unit-tested with promtool too. Skipped where promtool is not installed.
 */
class PromtoolMetricsIT {

    private static final Path PROMTOOL = Path.of("/usr/bin/promtool");

    @BeforeAll
    static void promtoolIsInstalled() {
        Assumptions.assumeTrue(Files.isExecutable(PROMTOOL), "promtool is not installed (apt-get install prometheus)");
    }

    /** Exit code and everything promtool printed. */
    private record Check(int exit, String output) {
    }

    private static Check promtool(String exposition) throws IOException, InterruptedException {
        return run(null, exposition, "check", "metrics");
    }

    private static Check run(Path dir, String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(PROMTOOL.toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("promtool finished").isTrue();
        return new Check(p.exitValue(), out);
    }

    @Test
    void everyFamilyServedOnMetricsParsesAndPassesTheLinter() throws Exception {
        StepwiseMetrics metrics = new StepwiseMetrics();
        metrics.rollout("shop", "local", "prod", "checkout", "Progressing", 2, 20);
        metrics.rollout("shop", "local", "prod", "cart", "Healthy", 0, 0);
        // label values that need every escape, and a phase outside the contract's list
        metrics.rollout("a\\b", "say \"hi\"", "prod", "two\nlines", "Terminating", 1, 5);
        metrics.specFindings("prod", "checkout", 1, 2);
        metrics.analysisVerdict("prod", "checkout", "success-rate", "Successful");
        metrics.analysisVerdict("prod", "checkout", "latency", "Failed");
        metrics.measurement("prod", "checkout", "success-rate", 0.995);
        metrics.measurement("prod", "checkout", "empty", Double.NaN);
        metrics.measurement("prod", "checkout", "huge", Double.NEGATIVE_INFINITY);
        metrics.measurement("prod", "checkout", "tiny", 1.0e-9);
        metrics.gitPoll("shop", Duration.ofMillis(120), true);
        metrics.gitPoll("shop", Duration.ofSeconds(75), false);
        metrics.gitPush("shop", Duration.ofMillis(900), false);
        metrics.reconcile("prod", "checkout", Duration.ofMillis(4), true);
        metrics.reconcile("prod", "cart", Duration.ofMillis(40), false);
        metrics.leader(true);

        String body;
        try (HttpApi api = HttpApi.start(new InetSocketAddress("127.0.0.1", 0), metrics, RolloutDirectory.empty(),
                () -> true, Optional::empty).mountWebhook("/webhook", Secret.of("0123456789abcdef"), e -> 0)) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(api.url() + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            body = r.body();
        }

        Check check = promtool(body);

        assertThat(check.output()).as("promtool's complaints").isEmpty();
        assertThat(check.exit()).isZero();
        assertThat(body.lines()).contains("stepwise_rollouts{phase=\"Terminating\"} 1");
    }

    /**
     * The alert rules are the ones printed in docs/http-api.md, so the page cannot drift from what was tested:
     * {@code promtool check rules} parses their PromQL, {@code promtool test rules} evaluates them against series
     * like the ones {@link StepwiseMetrics} writes (two replicas, phase changes, counters that rise).
     */
    @Test
    void theAlertRulesInTheDocsParseAndFireWhenTheyShould(@TempDir Path dir) throws Exception {
        String doc = Files.readString(Path.of("docs/http-api.md"), StandardCharsets.UTF_8);
        int begin = doc.indexOf("<!-- alert-rules:begin -->");
        int end = doc.indexOf("<!-- alert-rules:end -->");
        assertThat(begin).as("rules block in docs/http-api.md").isNotNegative();
        String block = doc.substring(begin, end);
        String rules = block.substring(block.indexOf("```yaml") + "```yaml".length(), block.lastIndexOf("```"));
        Files.writeString(dir.resolve("stepwise-alerts.yaml"), rules, StandardCharsets.UTF_8);
        try (InputStream tests = getClass().getResourceAsStream("/server/alerts-test.yaml")) {
            assertThat(tests).as("alerts-test.yaml on the test classpath").isNotNull();
            Files.write(dir.resolve("alerts-test.yaml"), tests.readAllBytes());
        }

        Check checked = run(dir, "", "check", "rules", "stepwise-alerts.yaml");
        Check tested = run(dir, "", "test", "rules", "alerts-test.yaml");

        assertThat(checked.exit()).as(checked.output()).isZero();
        assertThat(checked.output()).contains("SUCCESS: 9 rules found");
        assertThat(tested.exit()).as(tested.output()).isZero();
        assertThat(tested.output()).contains("SUCCESS").doesNotContain("FAILED");
    }

    @Test
    void promtoolDoesRejectBrokenExpositionSoThePassAboveMeansSomething() throws Exception {
        Check unescaped = promtool("# TYPE stepwise_leader gauge\nstepwise_leader{x=\"a\"b\"} 1\n");
        Check misnamed = promtool("# HELP stepwise_leader_total h\n# TYPE stepwise_leader_total gauge\nstepwise_leader_total 1\n");

        assertThat(unescaped.exit()).isNotZero();
        assertThat(misnamed.exit()).isNotZero();
        assertThat(misnamed.output()).contains("_total");
    }
}
