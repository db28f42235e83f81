package dev.stepwise.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stepwise.testing.GitCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SourcePoller against a local bare repository (JGit's in-process transport): no server needed. */
class GitSourcePollerTest {

    @TempDir
    Path tmp;

    @Test
    void pollsAtStartAndAgainWhenTriggeredNotBeforeTheInterval() throws IOException {
        GitCli git = new GitCli(tmp.resolve("home"));
        git.configGlobal("user.name", "Ada");
        git.configGlobal("user.email", "ada@example.com");
        Path bare = git.initBare(tmp.resolve("specs.git"));
        Path work = tmp.resolve("work");
        git.run(tmp, "clone", "--quiet", bare.toString(), work.toString());
        git.run(work, "checkout", "--quiet", "-B", "main");
        Files.writeString(work.resolve("a.yaml"), Specs.rollout("a", 10));
        git.run(work, "add", "-A");
        git.run(work, "commit", "--quiet", "-m", "a");
        git.run(work, "push", "--quiet", "origin", "main");

        List<PollResult> results = new CopyOnWriteArrayList<>();
        try (GitSource source = GitSource.open(new GitSource.Config(RemoteUrl.parse(bare.toString()), "main", ""),
                tmp.resolve("cache"), GitCredentials.none(), Duration.ofSeconds(5));
             SourcePoller poller = new SourcePoller(source, Duration.ofHours(1), results::add)) {
            poller.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> results.size() == 1);
            assertThat(results.get(0)).isInstanceOf(PollResult.Changed.class);

            Files.writeString(work.resolve("b.yaml"), Specs.rollout("b", 10));
            git.run(work, "add", "-A");
            git.run(work, "commit", "--quiet", "-m", "b");
            git.run(work, "push", "--quiet", "origin", "main");
            String head = git.run(work, "rev-parse", "HEAD").strip();
            poller.trigger();

            await().atMost(Duration.ofSeconds(10)).until(() -> results.size() >= 2);
            assertThat(results.get(results.size() - 1).snapshot().orElseThrow().revisionName()).isEqualTo("main@sha1:" + head);
            assertThat(source.stats().polls()).as("no poll of its own before the hour is up").isEqualTo(results.size());
        }
    }

    @Test
    void aFailingSourceIsRequeuedAfterItsBackoffAndTheListenerIsToldWhy() throws IOException {
        List<PollResult> results = new CopyOnWriteArrayList<>();
        try (GitSource source = GitSource.open(new GitSource.Config(RemoteUrl.parse(tmp.resolve("nowhere.git").toString()),
                "main", ""), tmp.resolve("cache"), GitCredentials.none(), Duration.ofSeconds(5));
             SourcePoller poller = new SourcePoller(source, Duration.ofMillis(1), results::add)) {
            poller.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> !results.isEmpty());
            PollResult.Failed failed = (PollResult.Failed) results.get(0);
            assertThat(failed.error().kind()).isEqualTo(GitError.Kind.NOT_FOUND);
            // the next poll waits for the error's backoff (tens of seconds), not the 1 ms interval
            assertThat(failed.error().retryAfter()).isGreaterThan(Duration.ofSeconds(10));
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> results.size() == 1);
        }
    }
}
