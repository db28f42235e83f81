package dev.stepwise.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RemoteUrlTest {

    @Test
    void recognisesProtocols() {
        assertThat(RemoteUrl.parse("https://github.com/org/repo.git").protocol()).isEqualTo(RemoteUrl.Protocol.HTTP);
        assertThat(RemoteUrl.parse("git@github.com:org/repo.git").protocol()).isEqualTo(RemoteUrl.Protocol.SSH);
        assertThat(RemoteUrl.parse("ssh://git@host:2222/org/repo.git").protocol()).isEqualTo(RemoteUrl.Protocol.SSH);
        assertThat(RemoteUrl.parse("git://127.0.0.1:9418/repo.git").protocol()).isEqualTo(RemoteUrl.Protocol.GIT);
        assertThat(RemoteUrl.parse("/srv/git/repo.git").protocol()).isEqualTo(RemoteUrl.Protocol.FILE);
    }

    @Test
    void refusesCredentialsInHttpUrlsWithoutRepeatingThem() {
        assertThatThrownBy(() -> RemoteUrl.parse("https://x-access-token:ghp_SECRET99@github.com/org/repo.git"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("https://****@github.com/org/repo.git")
                .hasMessageContaining("STEPWISE_GIT_TOKEN")
                .hasMessageNotContaining("ghp_SECRET99");
        assertThatThrownBy(() -> RemoteUrl.parse("https://ghp_SECRET99@github.com/org/repo.git"))
                .hasMessageNotContaining("ghp_SECRET99").hasMessageContaining("contains credentials");
    }

    @Test
    void allowsAnSshLoginNameButNoPassword() {
        assertThat(RemoteUrl.parse("ssh://git@example.com/org/repo.git").value()).isEqualTo("ssh://git@example.com/org/repo.git");
        assertThatThrownBy(() -> RemoteUrl.parse("ssh://git:pw123456@example.com/org/repo.git"))
                .hasMessageNotContaining("pw123456");
    }

    @Test
    void refusesUnsupportedSchemesAndEmptyUrls() {
        assertThatThrownBy(() -> RemoteUrl.parse("ftp://host/repo")).hasMessageContaining("unsupported scheme 'ftp'");
        assertThatThrownBy(() -> RemoteUrl.parse("  ")).hasMessageContaining("empty");
    }

    @Test
    void keyIdentifiesTheRepositoryAcrossUrlForms() {
        String key = "github.com/org/repo";
        assertThat(RemoteUrl.key("https://github.com/Org/Repo.git")).isEqualTo(key);
        assertThat(RemoteUrl.key("https://github.com/org/repo")).isEqualTo(key);
        assertThat(RemoteUrl.key("https://github.com/org/repo/")).isEqualTo(key);
        assertThat(RemoteUrl.key("git@github.com:org/repo.git")).isEqualTo(key);
        assertThat(RemoteUrl.key("ssh://git@github.com:22/org/repo.git")).isEqualTo(key);
        assertThat(RemoteUrl.key("git://github.com/org/repo.git")).isEqualTo(key);
        assertThat(RemoteUrl.key("https://github.com/org/other.git")).isNotEqualTo(key);
        assertThat(RemoteUrl.key(null)).isEmpty();
    }
}
