package dev.stepwise.cluster.embedded;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.function.Consumer;

/**
 * An API server in this JVM (fabric8's mock server in CRUD mode, plain HTTP on localhost) plus a
 * {@link WorkloadSimulator} that brings pods up: what {@code stepwise run --cluster embedded} and the demo run on, with
 * exactly the fabric8 code that runs against a real cluster.
 *
 * <p>Differences from a real API server that the code avoids: no server-side apply, no strategic merge patch (415),
 * set-based label selectors are ignored, stale status updates are not rejected, no admission or garbage collection.
 */
public final class EmbeddedCluster implements AutoCloseable {
    private final KubernetesMockServer server;
    private final KubernetesClient simulatorClient;
    private final WorkloadSimulator simulator;
    private final KubernetesClient client;

    // the mock server logs every request at INFO through java.util.logging: too loud for a demo or a benchmark.
    // Held in a field: java.util.logging forgets the level of a logger nobody references.
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");
    private static final java.util.logging.Logger MOCK_SERVER_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver.MockWebServer");

    static {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
        MOCK_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    private EmbeddedCluster(Duration readyAfter, Clock clock, Consumer<HttpClient.Builder> clientCustomizer) {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        server.init();
        simulatorClient = server.createClient();
        simulator = new WorkloadSimulator(simulatorClient, readyAfter, clock);
        client = newClient(clientCustomizer);
    }

    /** Starts a server whose pods become ready {@code readyAfter} after a replica count changes. */
    public static EmbeddedCluster start(Duration readyAfter) {
        return start(readyAfter, Clock.systemUTC(), b -> { });
    }

    /**
     * @param clientCustomizer adds to the HTTP client of {@link #client()} (tests add a request recorder)
     */
    public static EmbeddedCluster start(Duration readyAfter, Clock clock, Consumer<HttpClient.Builder> clientCustomizer) {
        return new EmbeddedCluster(readyAfter, clock, clientCustomizer);
    }

    /** Starts the simulator's background polling (the demo); tests may instead call {@link WorkloadSimulator#settle()}. */
    public EmbeddedCluster simulateInBackground(Duration every) {
        simulator.start(every);
        return this;
    }

    /** A new client for this server, e.g. one per process in a restart test. */
    public KubernetesClient newClient(Consumer<HttpClient.Builder> customizer) {
        return new KubernetesClientBuilder()
                .withConfig(simulatorClient.getConfiguration())
                .withHttpClientBuilderConsumer(customizer)
                .build();
    }

    /** The client Stepwise's own code uses. */
    public KubernetesClient client() {
        return client;
    }

    public WorkloadSimulator simulator() {
        return simulator;
    }

    public String url() {
        return server.url("/");
    }

    @Override
    public void close() {
        simulator.close();
        client.close();
        simulatorClient.close();
        server.destroy();
    }
}
