package dev.stepwise.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * C git's smart HTTP server ({@code git http-backend}) as a CGI program behind lighttpd, with HTTP basic auth from an
 * htpasswd file. lighttpd sets REMOTE_USER for an authenticated request, and http-backend allows receive-pack
 * (pushes) exactly when REMOTE_USER is set, so every request, read or write, needs the password.
 */
public final class LighttpdGitServer extends GitTestServer {

    private static final String BACKEND = "/usr/lib/git-core/git-http-backend";

    private final String username;
    private final String password;
    private final Path accessLog;

    private LighttpdGitServer(Path workDir, String username, String password) {
        super(workDir);
        this.username = username;
        this.password = password;
        this.accessLog = workDir.resolve("access.log");
        try {
            Files.createDirectories(workDir.resolve("htdocs"));
            Processes.run(List.of("htpasswd", "-B", "-b", "-c", workDir.resolve("htpasswd").toString(), username, password),
                    workDir, Map.of(), Duration.ofSeconds(30)).orThrow();
            Files.writeString(workDir.resolve("lighttpd.conf"), config());
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
        return Processes.start(List.of("/usr/sbin/lighttpd", "-D", "-f", workDir.resolve("lighttpd.conf").toString()),
                workDir, Map.of(), workDir.resolve("lighttpd.out"));
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

    private String config() {
        // mod_auth must come before mod_cgi so the CGI sees REMOTE_USER; the alias maps /git/<repo>/... onto the
        // backend with the rest as PATH_INFO, which http-backend resolves under GIT_PROJECT_ROOT.
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
}
