package dev.stepwise.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness itself: both servers accept a person's clone and push, and the HTTP one refuses a wrong password. */
class GitServersIT {

    @TempDir
    Path tmp;

    @Test
    void lighttpdServesCloneAndPushWithBasicAuthAndRefusesWrongPassword() {
        try (LighttpdGitServer server = LighttpdGitServer.start(tmp.resolve("http"), "alice", "pw-" + System.nanoTime())) {
            server.repos().create("specs");
            Person ada = new Person("Ada Lovelace", server, tmp.resolve("ada")).cloneFrom(server.url("specs"));
            String sha = ada.write("rollouts/a.yaml", "kind: Rollout\n").commit("add a");
            ada.push();

            assertThat(server.repos().head("specs", "main")).isEqualTo(sha);
            assertThat(server.repos().log("specs", "main")).singleElement().asString().endsWith("Ada Lovelace: add a");
            // lighttpd writes its access log in batches: wait for the line rather than assume it is there
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(server.accessLog()).anyMatch(l -> l.contains("POST /git/specs.git/git-receive-pack") && l.contains(" alice ")));

            GitCli stranger = new GitCli(tmp.resolve("stranger"));
            Processes.Result denied = stranger.tryRun(tmp, "ls-remote", "http://alice:wrong@127.0.0.1:" + server.port() + "/git/specs.git");
            assertThat(denied.ok()).isFalse();
            assertThat(denied.output()).contains("Authentication failed");

            server.stop();
            assertThat(FreePort.isListening(server.port())).isFalse();
            server.start();
            assertThat(ada.git().run(ada.workDir(), "ls-remote", "origin", "main")).startsWith(sha);
        }
    }

    @Test
    void gitDaemonServesCloneAndPush() {
        try (GitDaemonServer server = GitDaemonServer.start(tmp.resolve("daemon"))) {
            server.repos().create("specs");
            Person bob = new Person("Bob", server, tmp.resolve("bob")).cloneFrom(server.url("specs"));
            String sha = bob.write("a.yaml", "x: 1\n").commit("first");
            bob.push();
            assertThat(server.repos().head("specs", "main")).isEqualTo(sha);
        }
    }
}
