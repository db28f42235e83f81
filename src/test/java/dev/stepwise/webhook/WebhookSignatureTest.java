package dev.stepwise.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.git.Secret;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {

    private static final String SECRET = "It's a Secret to Everybody";
    private static final byte[] BODY = "Hello, World!".getBytes(StandardCharsets.UTF_8);
    private final SignatureVerifier verifier = new SignatureVerifier(Secret.of(SECRET));

    /** Computed independently of the verifier, with the JDK's Mac directly. */
    private static String hmacHex(String secret, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }

    @Test
    void githubSignatureMatchesGithubsDocumentedExample() {
        // the example in GitHub's "Validating webhook deliveries" documentation
        String documented = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        assertThat(verifier.signatureHeader(BODY)).isEqualTo(documented);
        assertThat(verifier.verify(Headers.of(Map.of("X-GitHub-Event", "push", "X-Hub-Signature-256", documented)), BODY))
                .isEqualTo(new SignatureVerifier.Verified(Forge.GITHUB));
    }

    @Test
    void githubRejectsWrongMissingAndMalformedSignatures() throws Exception {
        String wrong = "sha256=" + hmacHex("another secret", BODY);
        assertThat(verifier.verify(Headers.of(Map.of("X-GitHub-Event", "push", "X-Hub-Signature-256", wrong)), BODY))
                .isInstanceOf(SignatureVerifier.Rejected.class);
        assertThat(verifier.verify(Headers.of(Map.of("X-GitHub-Event", "push")), BODY))
                .isEqualTo(new SignatureVerifier.Rejected("GITHUB delivery without its signature header"));
        assertThat(verifier.verify(Headers.of(Map.of("X-Hub-Signature-256", hmacHex(SECRET, BODY))), BODY))
                .as("the sha256= prefix is part of the form").isInstanceOf(SignatureVerifier.Rejected.class);
        assertThat(verifier.verify(Headers.of(Map.of("X-Hub-Signature-256", "sha256=zz")), BODY))
                .isEqualTo(new SignatureVerifier.Rejected("GITHUB signature is not hex"));
        byte[] tampered = "Hello, World?".getBytes(StandardCharsets.UTF_8);
        assertThat(verifier.verify(Headers.of(Map.of("X-Hub-Signature-256", verifier.signatureHeader(BODY))), tampered))
                .isInstanceOf(SignatureVerifier.Rejected.class);
    }

    @Test
    void gitlabComparesTheSharedToken() {
        assertThat(verifier.verify(Headers.of(Map.of("X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", SECRET)), BODY))
                .isEqualTo(new SignatureVerifier.Verified(Forge.GITLAB));
        assertThat(verifier.verify(Headers.of(Map.of("X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", SECRET + "x")), BODY))
                .isInstanceOf(SignatureVerifier.Rejected.class);
        assertThat(verifier.verify(Headers.of(Map.of("X-Gitlab-Event", "Push Hook")), BODY))
                .isInstanceOf(SignatureVerifier.Rejected.class);
    }

    @Test
    void giteaAndForgejoSendBareHexAndAreRecognisedBeforeTheirGithubStyleHeaders() throws Exception {
        String hex = hmacHex(SECRET, BODY);
        // Gitea also sends X-GitHub-Event for compatibility; its own signature header decides
        Headers gitea = Headers.of(Map.of("X-Gitea-Event", "push", "X-GitHub-Event", "push", "X-Gitea-Signature", hex));
        assertThat(verifier.verify(gitea, BODY)).isEqualTo(new SignatureVerifier.Verified(Forge.GITEA));
        Headers forgejo = Headers.of(Map.of("X-Forgejo-Event", "push", "X-Forgejo-Signature", hex.toUpperCase()));
        assertThat(verifier.verify(forgejo, BODY)).isEqualTo(new SignatureVerifier.Verified(Forge.GITEA));
        Headers wrong = Headers.of(Map.of("X-Gitea-Event", "push", "X-Gitea-Signature", hmacHex("nope", BODY)));
        assertThat(verifier.verify(wrong, BODY)).isInstanceOf(SignatureVerifier.Rejected.class);
    }

    @Test
    void genericFormIsPrefixedHex() throws Exception {
        assertThat(verifier.verify(Headers.of(Map.of("X-Stepwise-Signature", "sha256=" + hmacHex(SECRET, BODY))), BODY))
                .isEqualTo(new SignatureVerifier.Verified(Forge.GENERIC));
        assertThat(verifier.verify(Headers.of(Map.of("x-stepwise-signature", "SHA256=" + hmacHex(SECRET, BODY))), BODY))
                .as("header names are case-insensitive").isEqualTo(new SignatureVerifier.Verified(Forge.GENERIC));
        assertThat(verifier.verify(Headers.of(Map.of()), BODY)).isInstanceOf(SignatureVerifier.Rejected.class);
    }
}
