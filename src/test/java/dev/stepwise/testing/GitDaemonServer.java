package dev.stepwise.testing;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** {@code git daemon} serving every repository under its root over git://, pushes allowed (no authentication). */
public final class GitDaemonServer extends GitTestServer {

    private GitDaemonServer(Path workDir) {
        super(workDir);
    }

    public static GitDaemonServer start(Path workDir) {
        GitDaemonServer server = new GitDaemonServer(workDir);
        server.start();
        return server;
    }

    @Override
    public String url(String repo) {
        return "git://127.0.0.1:" + port + "/" + repo + ".git";
    }

    @Override
    public GitCli client(Path home) {
        return new GitCli(home);
    }

    @Override
    protected Process launch() {
        return Processes.start(List.of("git", "daemon", "--reuseaddr", "--listen=127.0.0.1", "--port=" + port,
                        "--base-path=" + repos.root(), "--export-all", "--enable=receive-pack", "--informative-errors",
                        repos.root().toString()),
                workDir, Map.of("GIT_CONFIG_NOSYSTEM", "1", "HOME", workDir.toString()), workDir.resolve("daemon.log"));
    }
}
