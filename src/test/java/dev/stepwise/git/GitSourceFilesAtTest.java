package dev.stepwise.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stepwise.spec.SourceFile;
import dev.stepwise.testing.GitCli;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GitSource.filesAt}: what {@code stepwise plan --base REF} reads from a local clone. */
class GitSourceFilesAtTest {

    @TempDir
    Path tmp;
    Path repo;
    GitCli git;
    String first;

    @BeforeEach
    void repository() throws IOException {
        git = new GitCli(tmp.resolve("home"));
        git.configGlobal("user.name", "Ada");
        git.configGlobal("user.email", "ada@example.com");
        repo = tmp.resolve("repo");
        Files.createDirectories(repo);
        git.run(repo, "init", "--quiet", "--initial-branch=main");
        Files.createDirectories(repo.resolve("deploy/sub"));
        Files.writeString(repo.resolve("deploy/a.yaml"), Specs.rollout("a", 10));
        Files.writeString(repo.resolve("deploy/sub/b.YML"), Specs.rollout("b", 10));
        Files.writeString(repo.resolve("deploy/readme.md"), "x");
        Files.writeString(repo.resolve("top.yaml"), "x: 1\n");
        git.run(repo, "add", "-A");
        git.run(repo, "commit", "--quiet", "-m", "one");
        first = git.run(repo, "rev-parse", "HEAD").strip();
        Files.writeString(repo.resolve("deploy/a.yaml"), Specs.rollout("a", 90));
        Files.writeString(repo.resolve("deploy/c.yaml"), Specs.rollout("c", 10));
        git.run(repo, "add", "-A");
        git.run(repo, "commit", "--quiet", "-m", "two");
    }

    @Test
    void readsTheYamlFilesOfAFolderAtAnyRevisionNotTheWorkingTree() throws IOException {
        Files.writeString(repo.resolve("deploy/a.yaml"), "uncommitted: true\n");

        List<SourceFile> head = GitSource.filesAt(repo, "HEAD", "deploy");
        List<SourceFile> base = GitSource.filesAt(repo, "HEAD~1", "deploy/");

        assertThat(head).extracting(SourceFile::path).containsExactly("deploy/a.yaml", "deploy/c.yaml", "deploy/sub/b.YML");
        assertThat(new String(head.get(0).bytes(), StandardCharsets.UTF_8)).contains("setWeight: 90");
        assertThat(base).extracting(SourceFile::path).containsExactly("deploy/a.yaml", "deploy/sub/b.YML");
        assertThat(new String(base.get(0).bytes(), StandardCharsets.UTF_8)).contains("setWeight: 10");
        assertThat(GitSource.filesAt(repo, first, "")).extracting(SourceFile::path)
                .containsExactly("deploy/a.yaml", "deploy/sub/b.YML", "top.yaml");
    }

    @Test
    void worksOnABareRepositoryAndFromASubfolderOfAClone() throws IOException {
        Path bare = tmp.resolve("bare.git");
        git.run(tmp, "clone", "--quiet", "--bare", repo.toString(), bare.toString());

        assertThat(GitSource.filesAt(bare, "main", "deploy")).hasSize(3);
        assertThat(GitSource.filesAt(repo.resolve("deploy/sub"), "main~1", "deploy")).hasSize(2);
    }

    @Test
    void aFolderMissingAtThatRevisionIsEmptyButAnUnknownRevisionIsAnError() {
        assertThat(filesAt("main", "nope")).isEmpty();
        assertThatThrownBy(() -> GitSource.filesAt(repo, "no-such-branch", "deploy"))
                .isInstanceOf(IOException.class).hasMessageContaining("no commit 'no-such-branch'");
        assertThatThrownBy(() -> GitSource.filesAt(tmp.resolve("home"), "HEAD", ""))
                .isInstanceOf(IOException.class).hasMessageContaining("is not a Git repository");
        assertThatThrownBy(() -> GitSource.filesAt(repo, "HEAD", "../etc")).hasMessageContaining("'..'");
    }

    private List<SourceFile> filesAt(String ref, String path) {
        try {
            return GitSource.filesAt(repo, ref, path);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
