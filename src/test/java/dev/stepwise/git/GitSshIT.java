package dev.stepwise.git;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.testing.Person;
import dev.stepwise.testing.SshGitServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading and writing over ssh (JGit's Apache MINA sshd transport) against OpenSSH's sshd. */
class GitSshIT {

    @TempDir
    static Path serverDir;
    static SshGitServer sshd;
    static Person ada;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        sshd = SshGitServer.start(serverDir.resolve("sshd"));
        sshd.repos().create("specs");
        ada = new Person("Ada", sshd, serverDir.resolve("ada")).cloneFrom(sshd.url("specs"));
        ada.write("deploy/checkout.yaml", Specs.rollout("checkout", 10)).commit("checkout");
        ada.push();
    }

    @AfterAll
    static void stop() {
        if (sshd != null) {
            sshd.close();
        }
    }

    private GitSource source(GitCredentials credentials) throws IOException {
        return GitSource.open(new GitSource.Config(RemoteUrl.parse(sshd.url("specs")), "main", "deploy"),
                tmp.resolve("cache"), credentials, Duration.ofSeconds(10));
    }

    @Test
    void readsAndWritesStatusWithAKeyAndAKnownHost() throws IOException {
        try (GitSource source = source(GitCredentials.sshKey(sshd.clientKey(), sshd.knownHosts()))) {
            PollResult r = source.poll();

            assertThat(r).isInstanceOf(PollResult.Changed.class);
            assertThat(r.snapshot().orElseThrow().revisionName()).isEqualTo("main@sha1:" + ada.head());

            StatusWriteResult w = new StatusWriter(source.mirror(), StatusWriter.Location.statusBranch()).write(
                    StatusCommit.of("status: checkout started", r.snapshot().orElseThrow().revision(),
                            c -> StatusChanges.none().put(new RolloutKey("shop", "checkout"), "phase: Progressing\n")));
            assertThat(w).isInstanceOf(StatusWriteResult.Committed.class);
            assertThat(sshd.repos().show("specs", "stepwise/status:status/shop/checkout.yaml")).isEqualTo("phase: Progressing\n");
        }
    }

    @Test
    void anEncryptedKeyIsOpenedWithItsPassphrase() throws IOException {
        Path key = tmp.resolve("id_encrypted");
        SshGitServer.keygen(key, "open sesame 42");
        sshd.authorize(key);
        GitCredentials creds = new GitCredentials(Optional.empty(), Optional.of(new GitCredentials.Ssh(key, sshd.knownHosts(),
                Optional.of(Secret.of("open sesame 42")))));
        try (GitSource source = source(creds)) {
            // one ls-remote is enough to prove the key was opened and accepted
            assertThat(source.mirror().remoteHeads(java.util.List.of("main")).get("main").name()).isEqualTo(ada.head());
        }
    }

    @Test
    void anUnknownHostKeyIsRefusedAndNeverLearned() throws IOException {
        Path otherHost = tmp.resolve("other_host_key");
        SshGitServer.keygen(otherHost, "");
        Path knownHosts = Files.writeString(tmp.resolve("known_hosts"), sshd.knownHostsLine(otherHost));
        String before = Files.readString(knownHosts);
        try (GitSource source = source(GitCredentials.sshKey(sshd.clientKey(), knownHosts))) {
            PollResult r = source.poll();

            assertThat(r).isInstanceOf(PollResult.Failed.class);
            assertThat(((PollResult.Failed) r).error().kind()).isEqualTo(GitError.Kind.HOST_KEY_REJECTED);
        }
        Path empty = Files.writeString(tmp.resolve("empty_known_hosts"), "");
        try (GitSource source = source(GitCredentials.sshKey(sshd.clientKey(), empty))) {
            assertThat(((PollResult.Failed) source.poll()).error().kind()).isEqualTo(GitError.Kind.HOST_KEY_REJECTED);
        }
        assertThat(Files.readString(knownHosts)).isEqualTo(before);
        assertThat(Files.readString(empty)).isEmpty();
    }

    @Test
    void aKeyTheServerDoesNotKnowIsAnAuthError() throws IOException {
        Path stranger = tmp.resolve("id_stranger");
        SshGitServer.keygen(stranger, "");
        try (GitSource source = source(GitCredentials.sshKey(stranger, sshd.knownHosts()))) {
            PollResult r = source.poll();

            assertThat(r).isInstanceOf(PollResult.Failed.class);
            assertThat(((PollResult.Failed) r).error().kind()).isEqualTo(GitError.Kind.AUTH_FAILED);
        }
    }
}
