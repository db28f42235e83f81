package dev.stepwise.bench;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * C git's smart HTTP server ({@code git http-backend}) as a CGI program behind lighttpd on a loopback port, with HTTP
 * basic auth from an htpasswd file: lighttpd sets REMOTE_USER for an authenticated request, and http-backend allows
 * pushes exactly when REMOTE_USER is set. The Git benchmark starts one for itself; the integration tests' server is
 * built on this too. Needs Debian's {@code lighttpd}, {@code apache2-utils} (htpasswd) and {@code git}.
 */
public final class LighttpdGitHttp implements AutoCloseable {

    public static final String BACKEND = "/usr/lib/git-core/git-http-backend";
    private static final String LIGHTTPD = "/usr/sbin/lighttpd";

    private final Path workDir;
    private final int port;
    private Process process;

    private LighttpdGitHttp(Path workDir, int port) {
        this.workDir = workDir;
        this.port = port;
    }

    /**
     * Writes the configuration (lighttpd.conf, htpasswd) for serving the bare repositories under {@code workDir/repos}
     * as {@code http://127.0.0.1:<port>/git/<name>.git}, accepting one user.
     */
    public static LighttpdGitHttp configure(Path workDir, int port, String username, String password) throws IOException {
        Files.createDirectories(workDir.resolve("htdocs"));
        Files.createDirectories(workDir.resolve("repos"));
        // the password goes to htpasswd on stdin, never on a command line other processes can read
        run(List.of("htpasswd", "-B", "-i", "-c", workDir.resolve("htpasswd").toString(), username), workDir, password);
        Files.writeString(workDir.resolve("lighttpd.conf"), config(workDir, port));
        return new LighttpdGitHttp(workDir, port);
    }

    /** Configures, starts, and returns once the port accepts connections. */
    public static LighttpdGitHttp start(Path workDir, String username, String password) throws IOException {
        LighttpdGitHttp server = configure(workDir, freePort(), username, password);
        server.start(Duration.ofSeconds(20));
        return server;
    }

    public Path workDir() {
        return workDir;
    }

    public Path reposRoot() {
        return workDir.resolve("repos");
    }

    public int port() {
        return port;
    }

    public String url(String repo) {
        return "http://127.0.0.1:" + port + "/git/" + repo + ".git";
    }

    /** Starts lighttpd in the foreground (its output in {@code lighttpd.out}); returns the process. */
    public synchronized Process launch() throws IOException {
        process = new ProcessBuilder(LIGHTTPD, "-D", "-f", workDir.resolve("lighttpd.conf").toString())
                .directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(workDir.resolve("lighttpd.out").toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        return process;
    }

    /** Launches and waits (bounded) until the port accepts connections. */
    public void start(Duration timeout) throws IOException {
        Process p = launch();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!isListening(port)) {
            if (!p.isAlive()) {
                throw new IOException("lighttpd exited " + p.exitValue() + "; see " + workDir.resolve("lighttpd.out")
                        + " and " + workDir.resolve("error.log"));
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("lighttpd did not listen on port " + port + " within " + timeout);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while starting lighttpd", e);
            }
        }
    }

    /** Stops lighttpd and its CGI children. */
    @Override
    public synchronized void close() {
        if (process != null) {
            destroyTree(process, Duration.ofSeconds(5));
            process = null;
        }
    }

    /** Stops a process and everything it started: politely first, forcibly if it has not gone within {@code grace}. */
    public static void destroyTree(Process process, Duration grace) {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        children.forEach(ProcessHandle::destroy);
        try {
            process.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        for (ProcessHandle child : children) {
            if (child.isAlive()) {
                child.destroyForcibly();
            }
        }
    }

    /** A loopback port nothing listens on right now; the kernel picks it, so parallel runs do not collide. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    public static boolean isListening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The lighttpd configuration. mod_auth must come before mod_cgi so the CGI sees REMOTE_USER; the alias maps
     * /git/&lt;repo&gt;/... onto the backend with the rest as PATH_INFO, which http-backend resolves under
     * GIT_PROJECT_ROOT.
     */
    static String config(Path workDir, int port) {
        return """
                server.modules = ( "mod_auth", "mod_authn_file", "mod_alias", "mod_setenv", "mod_cgi", "mod_accesslog" )
                server.document-root = "%1$s/htdocs"
                server.bind = "127.0.0.1"
                server.port = %2$d
                server.errorlog = "%1$s/error.log"
                accesslog.filename = "%1$s/access.log"
                server.max-request-size = 0
                alias.url = ( "/git" => "%3$s" )
                $HTTP["url"] =~ "^/git/" {
                  cgi.assign = ( "" => "" )
                  setenv.set-environment = (
                    "GIT_PROJECT_ROOT" => "%1$s/repos",
                    "GIT_HTTP_EXPORT_ALL" => "1",
                    "GIT_CONFIG_NOSYSTEM" => "1",
                    "HOME" => "%1$s",
                    "PATH" => "/usr/bin:/bin"
                  )
                  auth.backend = "htpasswd"
                  auth.backend.htpasswd.userfile = "%1$s/htpasswd"
                  auth.require = ( "" => ( "method" => "basic", "realm" => "git", "require" => "valid-user" ) )
                }
                """.formatted(workDir.toAbsolutePath(), port, BACKEND);
    }

    private static void run(List<String> command, Path dir, String stdin) throws IOException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        try (java.io.OutputStream o = p.getOutputStream()) {
            o.write((stdin + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        try (InputStream in = p.getInputStream()) {
            String out = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(command.get(0) + " failed: " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running " + command.get(0), e);
        }
    }
}
