package dev.stepwise.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stepwise.analysis.MeasurementError.Kind;
import dev.stepwise.analysis.providers.GraphiteProvider;
import dev.stepwise.spec.model.ProviderSpec;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Graphite provider against a real graphite-web (Debian's {@code graphite-web} package, run with Django's server
 * on loopback and its own storage directory), reading whisper files this test writes with {@code whisper-create}
 * and {@code whisper-update} (Debian's {@code python3-whisper}, pulled in by {@code graphite-carbon}).
 */
class GraphiteIT {

    @TempDir
    static Path dir;
    private static Process web;
    private static String address;

    @BeforeAll
    static void start() throws Exception {
        Path storage = dir.resolve("storage");
        Path whisper = storage.resolve("whisper/app/checkout");
        Files.createDirectories(whisper);
        Files.createDirectories(storage.resolve("log"));
        Files.writeString(dir.resolve("stepwise_graphite_settings.py"), """
                SECRET_KEY = 'stepwise-integration-test'
                STORAGE_DIR = '%1$s'
                WHISPER_DIR = '%1$s/whisper'
                LOG_DIR = '%1$s/log'
                INDEX_FILE = '%1$s/index'
                DATABASES = {'default': {'NAME': '%1$s/graphite.db', 'ENGINE': 'django.db.backends.sqlite3'}}
                ALLOWED_HOSTS = ['127.0.0.1']
                """.formatted(storage));
        long now = System.currentTimeMillis() / 1000;
        run("whisper-create", whisper.resolve("errors.wsp").toString(), "10s:1h");
        run("whisper-update", whisper.resolve("errors.wsp").toString(), (now - 30) + ":1", (now - 20) + ":3", (now - 10) + ":2");
        run("graphite-manage", "migrate", "--run-syncdb", "-v", "0");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        address = "http://127.0.0.1:" + port;
        web = process("graphite-manage", "runserver", "127.0.0.1:" + port, "--noreload")
                .redirectOutput(dir.resolve("web.log").toFile()).start();
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() ->
                http.send(HttpRequest.newBuilder(URI.create(address + "/render?target=app.checkout.errors&format=json")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
    }

    private static ProcessBuilder process(String... command) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("PYTHONPATH", dir.toString());
        pb.environment().put("GRAPHITE_SETTINGS_MODULE", "stepwise_graphite_settings");
        return pb;
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = process(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("failed: " + String.join(" ", command));
        }
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (web != null) {
            web.destroy();
            if (!web.waitFor(10, TimeUnit.SECONDS)) {
                web.destroyForcibly();
            }
        }
    }

    private static Measurement measure(String query, Map<String, String> args) {
        GraphiteProvider p = new GraphiteProvider(ProviderSettings.defaults(Map.of()), Clock.systemUTC());
        return p.measure(new ProviderSpec("graphite", Map.of("address", address, "query", query)), MeasureArgs.of(args));
    }

    @Test
    void readsTheDatapointsOfTheFirstTarget() {
        Measurement m = measure("target=sumSeries(app.{{args.service}}.errors)&from=-2min", Map.of("service", "checkout"));
        assertThat(m.error()).isEmpty();
        assertThat(m.value()).contains(new ArrayList<>(List.of(1.0, 3.0, 2.0)));
        assertThat(m.sampleCount()).hasValue(3);
    }

    @Test
    void quotedArgumentsStayInsideTheirQuotes() {
        Measurement m = measure("target=alias(app.checkout.errors, '{{args.label}}')&from=-2min", Map.of("label", "checkout errors"));
        assertThat(m.value()).contains(List.of(1.0, 3.0, 2.0));
        Measurement refused = measure("target=alias(app.checkout.errors, '{{args.label}}')", Map.of("label", "x'), app.other.secrets, ('"));
        assertThat(refused.error()).get().extracting(MeasurementError::kind).isEqualTo(Kind.MISCONFIGURED);
    }

    @Test
    void absentSeriesAreNoDataAndBadFunctionsAreErrors() {
        assertThat(measure("target=app.absent.errors&from=-2min", Map.of()).error())
                .get().extracting(MeasurementError::kind).isEqualTo(Kind.NO_DATA);
        Measurement bad = measure("target=noSuchFunction(app.checkout.errors)", Map.of());
        assertThat(bad.error()).get().extracting(MeasurementError::kind).isEqualTo(Kind.HTTP_STATUS);
    }
}
