package dev.stepwise.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * C git's command-line client, as a person or a server administrator runs it. Each instance has its own HOME so the
 * machine's ~/.gitconfig and credential helpers never leak into a test, and a test's never leak out.
 */
public final class GitCli {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Path home;
    private final Map<String, String> env = new HashMap<>();

    public GitCli(Path home) {
        this.home = home;
        try {
            Files.createDirectories(home);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        env.put("HOME", home.toString());
        env.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_TERMINAL_PROMPT", "0");
        env.put("GIT_ASKPASS", "/bin/false");
        env.put("SSH_ASKPASS", "/bin/false");
        env.put("LC_ALL", "C");
    }

    public Path home() {
        return home;
    }

    /** Sets a variable for every later command (e.g. GIT_SSH_COMMAND). */
    public GitCli env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** Runs git in {@code dir}; fails the test with git's own output when git fails. */
    public String run(Path dir, String... args) {
        return tryRun(dir, args).orThrow().output();
    }

    public Processes.Result tryRun(Path dir, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("git");
        cmd.addAll(List.of(args));
        return Processes.run(cmd, dir, env, TIMEOUT);
    }

    /** A global config value in this HOME, like {@code git config --global} would write. */
    public void configGlobal(String key, String value) {
        run(home, "config", "--global", key, value);
    }

    /** A bare repository with branch main, refusing non-fast-forward pushes as a protected server would. */
    public Path initBare(Path dir) {
        run(dir.getParent(), "init", "--quiet", "--bare", "--initial-branch=main", dir.toString());
        run(dir, "config", "receive.denyNonFastForwards", "true");
        run(dir, "config", "receive.denyDeletes", "true");
        // a server-side reflog of every ref update, so a test can prove each one was a fast-forward
        run(dir, "config", "core.logAllRefUpdates", "always");
        return dir;
    }

    /**
     * Every update of a branch the server accepted, oldest first, as "old new" ids (old is all zeros on creation),
     * from the server-side reflog.
     */
    public List<String[]> refUpdates(Path bareRepo, String branch) {
        Path log = bareRepo.resolve("logs/refs/heads/" + branch);
        try {
            if (!java.nio.file.Files.exists(log)) {
                return List.of();
            }
            return java.nio.file.Files.readAllLines(log).stream().filter(l -> !l.isBlank())
                    .map(l -> l.split(" ", 3)).map(p -> new String[] {p[0], p[1]}).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Whether {@code ancestor} is reachable from {@code descendant} in a repository. */
    public boolean isAncestor(Path repo, String ancestor, String descendant) {
        return tryRun(repo, "merge-base", "--is-ancestor", ancestor, descendant).ok();
    }

    /** {@code git log} of a branch in a (bare) repository as "sha author: subject" lines, newest first. */
    public List<String> log(Path repo, String branch) {
        String out = run(repo, "log", "--format=%H %an: %s", branch);
        return out.lines().filter(l -> !l.isBlank()).toList();
    }
}
