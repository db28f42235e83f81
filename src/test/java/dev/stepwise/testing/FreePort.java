package dev.stepwise.testing;

import dev.stepwise.bench.LighttpdGitHttp;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Loopback ports for the servers the tests start (the benchmarks' launcher holds the one implementation). */
public final class FreePort {

    private FreePort() {
    }

    /** A port nothing listens on right now; the kernel picks it, so parallel test runs do not collide. */
    public static int pick() {
        try {
            return LighttpdGitHttp.freePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static boolean isListening(int port) {
        return LighttpdGitHttp.isListening(port);
    }
}
