package dev.stepwise.testing;

import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A real Git server on a loopback port serving the bare repositories of {@link #repos()}. It can be stopped and
 * started again on the same port (an outage), and is stopped with its whole process tree on {@link #close()}.
 */
public abstract class GitTestServer implements AutoCloseable {

    protected static final String PROBE = "_probe";

    protected final Path workDir;
    protected final BareRepos repos;
    protected final int port;
    private Process process;

    protected GitTestServer(Path workDir) {
        this.workDir = workDir;
        this.repos = new BareRepos(workDir.resolve("repos"));
        this.port = FreePort.pick();
        repos.create(PROBE);
    }

    public BareRepos repos() {
        return repos;
    }

    public int port() {
        return port;
    }

    /** The clone URL of {@code <name>.git}. */
    public abstract String url(String repo);

    protected abstract Process launch();

    /** A person's client that can talk to this server (credentials where it needs them). */
    public abstract GitCli client(Path home);

    /** Starts (or restarts after {@link #stop()}) and returns once a real {@code git ls-remote} gets an answer. */
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        process = launch();
        GitCli probe = client(workDir.resolve("probe-home"));
        await("server on port " + port + " answering git ls-remote").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException(getClass().getSimpleName() + " exited " + process.exitValue()
                                + "; see " + workDir);
                    }
                    return probe.tryRun(workDir, "ls-remote", url(PROBE)).ok();
                });
    }

    /** Stops the server and everything it started; returns once the port is closed. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        Processes.destroyTree(process, Duration.ofSeconds(5));
        process = null;
        await("port " + port + " closed").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> !FreePort.isListening(port));
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() {
        stop();
    }
}
