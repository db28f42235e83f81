package dev.stepwise.testing;

import dev.stepwise.bench.LighttpdGitHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Running the real programs the integration tests talk to (git, lighttpd, sshd), with bounded waits. */
public final class Processes {

    private Processes() {
    }

    /** What a finished command printed (stdout and stderr together, in order) and how it exited. */
    public record Result(List<String> command, int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }

        public Result orThrow() {
            if (exitCode != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + exitCode + ":\n" + output);
            }
            return this;
        }
    }

    /** Runs a command to completion; output goes to a temp file so a chatty command can never block on a full pipe. */
    public static Result run(List<String> command, Path dir, Map<String, String> env, Duration timeout) {
        Path out = null;
        try {
            out = Files.createTempFile("proc", ".out");
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir == null ? null : dir.toFile())
                    .redirectErrorStream(true).redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(devNull()));
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                destroyTree(p, Duration.ofSeconds(5));
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout);
            }
            return new Result(command, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command, e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a temp file left behind is harmless
                }
            }
        }
    }

    /** Starts a long-running server whose output goes to {@code log}. */
    public static Process start(List<String> command, Path dir, Map<String, String> env, Path log) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(devNull()));
            pb.environment().putAll(env);
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Stops a process and everything it started (CGI children of lighttpd, per-connection children of git daemon and
     * sshd): politely first, forcibly if it has not gone within {@code grace}.
     */
    public static void destroyTree(Process process, Duration grace) {
        // one implementation for the benchmarks and the tests, so a fix to how trees are stopped reaches both
        LighttpdGitHttp.destroyTree(process, grace);
    }

    private static java.io.File devNull() {
        return new java.io.File("/dev/null");
    }
}
