package dev.stepwise.testing;

import dev.stepwise.bench.LighttpdGitHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * C git's smart HTTP server ({@code git http-backend}) behind lighttpd with basic auth, as the tests use it: the
 * configuration and launch are {@link LighttpdGitHttp}'s (shared with the Git benchmark); this adds the harness's
 * repositories, restarts, clients and the access log. Every request, read or write, needs the password.
 */
public final class LighttpdGitServer extends GitTestServer {

    private final String username;
    private final String password;
    private final Path accessLog;
    private final LighttpdGitHttp http;

    private LighttpdGitServer(Path workDir, String username, String password) {
        super(workDir);
        this.username = username;
        this.password = password;
        this.accessLog = workDir.resolve("access.log");
        try {
            // the launcher the Git benchmark uses too: one lighttpd configuration for both
            this.http = LighttpdGitHttp.configure(workDir, port, username, password);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a server in {@code workDir} (repositories under {@code workDir/repos}) accepting one user. */
    public static LighttpdGitServer start(Path workDir, String username, String password) {
        LighttpdGitServer server = new LighttpdGitServer(workDir, username, password);
        server.start();
        return server;
    }

    public String username() {
        return username;
    }

    public String password() {
        return password;
    }

    @Override
    public String url(String repo) {
        return "http://127.0.0.1:" + port + "/git/" + repo + ".git";
    }

    /** The lines of lighttpd's access log: method, path and user of every request, to see what a client asked. */
    public List<String> accessLog() {
        try {
            return Files.exists(accessLog) ? Files.readAllLines(accessLog) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected Process launch() {
        try {
            return http.launch();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A client whose credential store holds this server's user and password, as a person's would. */
    @Override
    public GitCli client(Path home) {
        GitCli git = new GitCli(home);
        try {
            Files.writeString(home.resolve(".git-credentials"),
                    "http://" + username + ":" + password + "@127.0.0.1:" + port + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        git.configGlobal("credential.helper", "store");
        return git;
    }
}
