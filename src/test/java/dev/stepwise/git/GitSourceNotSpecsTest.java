package dev.stepwise.git;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.testing.GitCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tracking the whole repository: gate decision files are YAML, but not manifests, and are not read as specs. */
class GitSourceNotSpecsTest {

    @TempDir
    Path tmp;

    @Test
    void promotionFilesAreNotReadAsSpecsUnlessAskedTo() throws IOException {
        GitCli git = new GitCli(tmp.resolve("home"));
        git.configGlobal("user.name", "Ada");
        git.configGlobal("user.email", "ada@example.com");
        Path bare = git.initBare(tmp.resolve("specs.git"));
        Path work = tmp.resolve("work");
        git.run(tmp, "clone", "--quiet", bare.toString(), work.toString());
        git.run(work, "checkout", "--quiet", "-B", "main");
        Files.writeString(work.resolve("a.yaml"), Specs.rollout("a", 10));
        Files.createDirectories(work.resolve("promotions/shop"));
        Files.writeString(work.resolve("promotions/shop/a.yaml"), "action: promote\n");
        git.run(work, "add", "-A");
        git.run(work, "commit", "--quiet", "-m", "a, promoted");
        git.run(work, "push", "--quiet", "origin", "main");

        RemoteUrl url = RemoteUrl.parse(bare.toString());
        try (GitSource source = GitSource.open(new GitSource.Config(url, "main", ""), tmp.resolve("cache"), GitCredentials.none(),
                Duration.ofSeconds(5))) {
            Snapshot s = source.poll().snapshot().orElseThrow();
            assertThat(s.specs().findings()).isEmpty();
            assertThat(s.specs().filesRead()).isEqualTo(1);
            assertThat(s.specs().rollouts()).extracting(d -> d.name()).containsExactly("a");
        }
        try (GitSource source = GitSource.open(new GitSource.Config(url, "main", "", List.of()), tmp.resolve("cache2"),
                GitCredentials.none(), Duration.ofSeconds(5))) {
            Snapshot s = source.poll().snapshot().orElseThrow();
            assertThat(s.specs().findings()).extracting(f -> f.code()).containsExactly("spec.not-a-manifest");
        }
    }
}
