package dev.stepwise.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The folder of bare repositories a test server serves, administered with C git. */
public final class BareRepos {

    private final Path root;
    private final GitCli admin;

    public BareRepos(Path root) {
        this.root = root;
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.admin = new GitCli(root.resolveSibling(root.getFileName() + "-admin-home"));
    }

    public Path root() {
        return root;
    }

    /** Creates {@code <name>.git}, empty, with branch main and non-fast-forward pushes refused. */
    public Path create(String name) {
        return admin.initBare(root.resolve(name + ".git"));
    }

    public Path path(String name) {
        return root.resolve(name + ".git");
    }

    /** The server-side history of a branch, "sha author: subject", newest first. */
    public List<String> log(String name, String branch) {
        return admin.log(path(name), branch);
    }

    /** The commit a branch points at on the server, or "" when it does not exist. */
    public String head(String name, String branch) {
        Processes.Result r = admin.tryRun(path(name), "rev-parse", "--verify", "--quiet", "refs/heads/" + branch);
        return r.ok() ? r.output().trim() : "";
    }

    public String show(String name, String revAndPath) {
        return admin.run(path(name), "show", revAndPath);
    }

    /**
     * Updates of a branch that were not fast-forwards (the old commit is not an ancestor of the new one), from the
     * server's reflog: a force push would show up here. Empty when every update only added commits.
     */
    public List<String> nonFastForwardUpdates(String name, String branch) {
        String zero = "0".repeat(40);
        return admin.refUpdates(path(name), branch).stream()
                .filter(u -> !u[0].equals(zero) && !admin.isAncestor(path(name), u[0], u[1]))
                .map(u -> u[0] + " -> " + u[1]).toList();
    }

    /** How many updates of a branch the server accepted. */
    public int updateCount(String name, String branch) {
        return admin.refUpdates(path(name), branch).size();
    }

    public GitCli admin() {
        return admin;
    }
}
