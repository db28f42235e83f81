package dev.stepwise.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WebhookPayloadsTest {

    private static final String SHA = "0123456789abcdef0123456789abcdef01234567";

    private static PushPayloads.Parsed parse(Forge forge, Map<String, String> headers, String body) {
        return PushPayloads.parse(forge, Headers.of(headers), body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void githubPushNamesEveryUrlOfTheRepository() {
        String body = """
                {"ref":"refs/heads/main","before":"0000","after":"%s",
                 "repository":{"full_name":"org/specs","clone_url":"https://github.com/org/specs.git",
                   "ssh_url":"git@github.com:org/specs.git","html_url":"https://github.com/org/specs"},
                 "pusher":{"name":"ada"},"commits":[]}""".formatted(SHA);
        PushPayloads.Parsed p = parse(Forge.GITHUB, Map.of("X-GitHub-Event", "push", "X-GitHub-Delivery", "abc-1"), body);

        assertThat(p).isInstanceOf(PushPayloads.Push.class);
        PushEvent e = ((PushPayloads.Push) p).event();
        assertThat(e.repositoryUrls()).containsExactly("https://github.com/org/specs.git", "git@github.com:org/specs.git",
                "https://github.com/org/specs");
        assertThat(e.branch()).contains("main");
        assertThat(e.after()).contains(SHA);
        assertThat(e.deliveryId()).isEqualTo("abc-1");
    }

    @Test
    void githubFormEncodedPayloadIsRead() {
        String json = "{\"ref\":\"refs/heads/main\",\"repository\":{\"clone_url\":\"https://github.com/org/specs.git\"}}";
        String body = "payload=" + URLEncoder.encode(json, StandardCharsets.UTF_8);
        PushPayloads.Parsed p = parse(Forge.GITHUB, Map.of("X-GitHub-Event", "push",
                "Content-Type", "application/x-www-form-urlencoded"), body);
        assertThat(((PushPayloads.Push) p).event().repositoryUrls()).containsExactly("https://github.com/org/specs.git");
    }

    @Test
    void gitlabPushUsesProjectUrls() {
        String body = """
                {"object_kind":"push","ref":"refs/heads/release","after":"%s",
                 "project":{"git_http_url":"https://gitlab.example.com/team/specs.git",
                            "git_ssh_url":"git@gitlab.example.com:team/specs.git","web_url":"https://gitlab.example.com/team/specs"},
                 "repository":{"url":"git@gitlab.example.com:team/specs.git","homepage":"https://gitlab.example.com/team/specs"}}
                """.formatted(SHA);
        PushEvent e = ((PushPayloads.Push) parse(Forge.GITLAB, Map.of("X-Gitlab-Event", "Push Hook"), body)).event();
        assertThat(e.repositoryUrls()).contains("https://gitlab.example.com/team/specs.git", "git@gitlab.example.com:team/specs.git");
        assertThat(e.branch()).contains("release");
    }

    @Test
    void giteaPushIsGithubShaped() {
        String body = "{\"ref\":\"refs/heads/main\",\"after\":\"" + SHA + "\",\"repository\":{\"clone_url\":\"http://gitea.local/o/r.git\"}}";
        PushEvent e = ((PushPayloads.Push) parse(Forge.GITEA, Map.of("X-Gitea-Event", "push"), body)).event();
        assertThat(e.repositoryUrls()).containsExactly("http://gitea.local/o/r.git");
        assertThat(e.forge()).isEqualTo(Forge.GITEA);
    }

    @Test
    void genericPushMayNameTheRepositoryAsAStringAndTheBranchShort() {
        PushEvent e = ((PushPayloads.Push) parse(Forge.GENERIC, Map.of(),
                "{\"repository\":\"https://git.example.com/specs.git\",\"ref\":\"main\"}")).event();
        assertThat(e.repositoryUrls()).containsExactly("https://git.example.com/specs.git");
        assertThat(e.ref()).isEqualTo("refs/heads/main");
        assertThat(e.after()).isEqualTo(Optional.empty());
    }

    @Test
    void pingOtherEventsAndBrokenPayloadsAreSaidApart() {
        assertThat(parse(Forge.GITHUB, Map.of("X-GitHub-Event", "ping"), "{}")).isInstanceOf(PushPayloads.Ping.class);
        assertThat(parse(Forge.GITHUB, Map.of("X-GitHub-Event", "issues"), "{}"))
                .isEqualTo(new PushPayloads.OtherEvent("issues"));
        assertThat(parse(Forge.GITLAB, Map.of("X-Gitlab-Event", "Tag Push Hook"), "{}"))
                .isEqualTo(new PushPayloads.OtherEvent("tag-push"));
        assertThat(parse(Forge.GITHUB, Map.of("X-GitHub-Event", "push"), "{not json"))
                .isInstanceOf(PushPayloads.Invalid.class);
        assertThat(parse(Forge.GITHUB, Map.of("X-GitHub-Event", "push"), "{\"ref\":\"refs/heads/main\"}"))
                .isEqualTo(new PushPayloads.Invalid("push payload names no repository URL"));
        assertThat(parse(Forge.GITHUB, Map.of("X-GitHub-Event", "push"), "[]"))
                .isEqualTo(new PushPayloads.Invalid("payload is not a JSON object"));
    }

    @Test
    void aTagPushHasNoBranch() {
        PushEvent e = ((PushPayloads.Push) parse(Forge.GITHUB, Map.of("X-GitHub-Event", "push"),
                "{\"ref\":\"refs/tags/v1\",\"repository\":{\"clone_url\":\"https://h/o/r.git\"}}")).event();
        assertThat(e.branch()).isEmpty();
    }
}
