package dev.stepwise.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Someone who works on a spec repository with the git command line: clones, edits files, commits as themselves and
 * pushes. When their push is refused because someone else pushed first, they do what people do: {@code git pull
 * --rebase} and push again (never {@code --force}).
 */
public final class Person {

    private final String name;
    private final GitCli git;
    private final Path workDir;

    public Person(String name, GitTestServer server, Path dir) {
        this.name = name;
        this.git = server.client(dir.resolve("home"));
        this.workDir = dir.resolve("work");
        git.configGlobal("user.name", name);
        git.configGlobal("user.email", name.toLowerCase(java.util.Locale.ROOT).replace(' ', '.') + "@example.com");
        git.configGlobal("pull.rebase", "true");
        git.configGlobal("init.defaultBranch", "main");
    }

    public String name() {
        return name;
    }

    public GitCli git() {
        return git;
    }

    public Path workDir() {
        return workDir;
    }

    /** {@code git clone url}; an empty repository gets branch main on the first commit. */
    public Person cloneFrom(String url) {
        git.run(workDir.getParent(), "clone", "--quiet", url, workDir.toString());
        git.run(workDir, "checkout", "--quiet", "-B", "main");
        return this;
    }

    public Person write(String path, String content) {
        try {
            Path file = workDir.resolve(path);
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public Person delete(String path) {
        git.run(workDir, "rm", "--quiet", path);
        return this;
    }

    /** Commits everything changed and returns the new commit's id. */
    public String commit(String message) {
        git.run(workDir, "add", "--all");
        git.run(workDir, "commit", "--quiet", "-m", message);
        return head();
    }

    public String head() {
        return git.run(workDir, "rev-parse", "HEAD").trim();
    }

    /** Pushes main; on a refusal pulls with rebase and tries again, at most {@code attempts} times. */
    public void push(int attempts) {
        Processes.Result last = null;
        for (int i = 0; i < attempts; i++) {
            last = git.tryRun(workDir, "push", "--quiet", "origin", "main");
            if (last.ok()) {
                return;
            }
            git.run(workDir, "pull", "--quiet", "--rebase", "origin", "main");
        }
        throw new IllegalStateException(name + " could not push after " + attempts + " attempts:\n" + last.output());
    }

    public void push() {
        push(1);
    }

    public void pull() {
        git.run(workDir, "pull", "--quiet", "--rebase", "origin", "main");
    }
}
