package dev.stepwise.git;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedactorTest {

    private final Redactor redactor = GitCredentials.password("deploy-bot", "hunter2-s3cr3t").redactor();

    @Test
    void masksKnownSecretsAndTheirEncodedForms() {
        String basic = Base64.getEncoder().encodeToString("deploy-bot:hunter2-s3cr3t".getBytes());
        String text = "user deploy-bot failed with hunter2-s3cr3t; header Basic " + basic + "; form hunter2-s3cr3t%21";

        String out = redactor.redact(text);

        assertThat(out).doesNotContain("hunter2-s3cr3t").doesNotContain(basic)
                .contains("failed with ****").contains("deploy-bot");
    }

    @Test
    void masksUrlEncodedSecrets() {
        Redactor r = Redactor.of(List.of("p@ss word/1"));
        assertThat(r.redact("https://host/repo?x=p%40ss+word%2F1")).doesNotContain("p%40ss");
    }

    @Test
    void stripsUserInfoOfHttpUrlsButKeepsTheSshLoginName() {
        Redactor none = Redactor.none();
        assertThat(none.redact("cannot reach https://ghp_abcdef123@github.com/org/repo.git now"))
                .isEqualTo("cannot reach https://****@github.com/org/repo.git now");
        assertThat(none.redact("http://alice:pw@127.0.0.1:8080/git/x.git"))
                .isEqualTo("http://****@127.0.0.1:8080/git/x.git");
        assertThat(none.redact("ssh://git@example.com/org/repo.git")).isEqualTo("ssh://git@example.com/org/repo.git");
        assertThat(none.redact("ssh://git:pw@example.com/org/repo.git")).isEqualTo("ssh://git:****@example.com/org/repo.git");
    }

    @Test
    void masksAuthorizationHeadersAndTokenParameters() {
        Redactor none = Redactor.none();
        assertThat(none.redact("Authorization: Bearer eyJhbGciOi.x.y sent")).isEqualTo("Authorization: Bearer **** sent");
        assertThat(none.redact("authorization: token abc123")).isEqualTo("authorization: token ****");
        assertThat(none.redact("GET /api?private_token=glpat-xyz&x=1")).isEqualTo("GET /api?private_token=****&x=1");
    }

    @Test
    void describesAnExceptionChainWithoutRepeatsOrSecrets() {
        IOException cause = new IOException("server said: bad credentials hunter2-s3cr3t");
        RuntimeException top = new RuntimeException("push to https://deploy-bot:hunter2-s3cr3t@host/r.git failed", cause);

        String out = redactor.describe(top);

        assertThat(out).isEqualTo("push to https://****@host/r.git failed: server said: bad credentials ****");
    }

    @Test
    void aSecretContainingAnotherIsMaskedWhole() {
        Redactor r = Redactor.of(List.of("abcd", "abcdefgh"));
        assertThat(r.redact("x abcdefgh y abcd")).isEqualTo("x **** y ****");
    }
}
