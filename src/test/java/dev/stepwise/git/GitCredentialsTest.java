package dev.stepwise.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitCredentialsTest {

    @TempDir
    Path tmp;

    @Test
    void aTokenIsThePasswordOfTheDefaultTokenUser() {
        GitCredentials c = GitCredentials.fromEnvironment(Map.of("STEPWISE_GIT_TOKEN", "ghp_tok123"));
        assertThat(c.http()).hasValueSatisfying(h -> {
            assertThat(h.username()).isEqualTo("x-access-token");
            assertThat(h.password().reveal()).isEqualTo("ghp_tok123");
        });
        assertThat(c.ssh()).isEmpty();
        assertThat(c.toString()).doesNotContain("ghp_tok123").contains("x-access-token");
    }

    @Test
    void readsSecretsFromFilesWithoutTheTrailingNewline() throws IOException {
        Path pw = Files.writeString(tmp.resolve("pw"), "s3cret\n");
        GitCredentials c = GitCredentials.fromEnvironment(Map.of("STEPWISE_GIT_USERNAME", "bot", "STEPWISE_GIT_PASSWORD_FILE", pw.toString()));
        assertThat(c.http().orElseThrow().password().reveal()).isEqualTo("s3cret");
        assertThat(c.secrets()).contains("s3cret", "bot:s3cret");
    }

    @Test
    void contradictoryOrIncompleteConfigurationIsRefusedWithoutShowingValues() {
        assertThatThrownBy(() -> GitCredentials.fromEnvironment(Map.of("STEPWISE_GIT_TOKEN", "t0ken", "STEPWISE_GIT_PASSWORD", "pa55")))
                .hasMessageContaining("either STEPWISE_GIT_TOKEN or STEPWISE_GIT_PASSWORD").hasMessageNotContaining("t0ken");
        assertThatThrownBy(() -> GitCredentials.fromEnvironment(Map.of("STEPWISE_GIT_PASSWORD", "pa55")))
                .hasMessageContaining("STEPWISE_GIT_USERNAME is not").hasMessageNotContaining("pa55");
        assertThatThrownBy(() -> GitCredentials.fromEnvironment(Map.of("STEPWISE_GIT_TOKEN", "a", "STEPWISE_GIT_TOKEN_FILE", "/x")))
                .hasMessageContaining("either STEPWISE_GIT_TOKEN or STEPWISE_GIT_TOKEN_FILE");
        assertThatThrownBy(() -> GitCredentials.fromEnvironment(Map.of("STEPWISE_GIT_TOKEN_FILE", tmp.resolve("missing").toString())))
                .hasMessageContaining("not a readable file");
    }

    @Test
    void anSshKeyNeedsAKnownHostsFile() throws IOException {
        Path key = Files.writeString(tmp.resolve("id"), "key");
        assertThatThrownBy(() -> GitCredentials.fromEnvironment(Map.of("STEPWISE_GIT_SSH_KEY_FILE", key.toString())))
                .hasMessageContaining("STEPWISE_GIT_SSH_KNOWN_HOSTS_FILE is not");
        Path hosts = Files.writeString(tmp.resolve("known_hosts"), "");
        GitCredentials c = GitCredentials.fromEnvironment(Map.of("STEPWISE_GIT_SSH_KEY_FILE", key.toString(),
                "STEPWISE_GIT_SSH_KNOWN_HOSTS_FILE", hosts.toString(), "STEPWISE_GIT_SSH_KEY_PASSPHRASE", "open-sesame"));
        assertThat(c.ssh()).hasValueSatisfying(s -> assertThat(s.knownHosts()).isEqualTo(hosts));
        assertThat(c.redactor().redact("passphrase open-sesame rejected")).isEqualTo("passphrase **** rejected");
    }

    @Test
    void nothingConfiguredMeansAnonymous() {
        assertThat(GitCredentials.fromEnvironment(Map.of())).isEqualTo(GitCredentials.none());
        assertThat(GitCredentials.none().describe()).isEqualTo("no credentials");
    }

    @Test
    void anSshUrlWithoutAKeyIsAConfigurationError() {
        assertThatThrownBy(() -> new GitTransport(RemoteUrl.parse("git@example.com:org/repo.git"), GitCredentials.none(),
                GitTransport.DEFAULT_TIMEOUT, tmp.resolve("ssh")))
                .hasMessageContaining("STEPWISE_GIT_SSH_KEY_FILE");
    }

    @Test
    void sshHostKeysAreCheckedStrictlyWithOnlyTheConfiguredKeyAndKnownHosts() {
        GitCredentials.Ssh ssh = new GitCredentials.Ssh(tmp.resolve("id_ed25519"), tmp.resolve("known_hosts"), java.util.Optional.empty());
        Map<String, String> options = SshSessions.hostOptions(ssh);
        assertThat(options.get("StrictHostKeyChecking")).isEqualTo("yes");
        assertThat(options.get("stricthostkeychecking")).as("ssh options are case-insensitive").isEqualTo("yes");
        assertThat(options.get("UserKnownHostsFile")).isEqualTo(tmp.resolve("known_hosts").toAbsolutePath().toString());
        assertThat(options.get("IdentityFile")).isEqualTo(tmp.resolve("id_ed25519").toAbsolutePath().toString());
        assertThat(options).containsEntry("IdentitiesOnly", "yes").containsEntry("IdentityAgent", "none")
                .containsEntry("PreferredAuthentications", "publickey").containsEntry("BatchMode", "yes");
    }
}
