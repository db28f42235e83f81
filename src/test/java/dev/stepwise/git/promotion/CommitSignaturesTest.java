package dev.stepwise.git.promotion;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.promotion.CommitAuthor;
import dev.stepwise.promotion.CommitSignature;
import dev.stepwise.spec.Finding;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommitSignaturesTest {

    @Test
    void theSignedPayloadIsTheCommitWithoutItsSignatureHeader() {
        String raw = """
                tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904
                author Ana <ana@example.com> 1764000000 +0000
                committer Ana <ana@example.com> 1764000000 +0000
                gpgsig -----BEGIN PGP SIGNATURE-----
                 \s
                 iHUEABYKAB0WIQ
                 -----END PGP SIGNATURE-----

                promote
                 indented message line stays
                """;
        String payload = new String(CommitSignatures.signedPayload(raw.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
        assertThat(payload).isEqualTo("""
                tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904
                author Ana <ana@example.com> 1764000000 +0000
                committer Ana <ana@example.com> 1764000000 +0000

                promote
                 indented message line stays
                """);
    }

    @Test
    void allowedSignersLinesGivePrincipalsAndKeysAndBadLinesGiveFindings() {
        List<TrustedKeys.AllowedSigner> signers = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        TrustedKeys.parseAllowedSigners("keys/allowed_signers", """
                # people who may sign
                ana@example.com,*@ops.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBQ= ana laptop
                bo@example.com namespaces="file,git" ecdsa-sha2-nistp256 AAAAE2VjZHNh
                cy@example.com namespaces="file" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBQ=
                broken line
                dee@example.com ssh-ed25519 not*base64
                """, signers, findings);
        assertThat(signers).hasSize(3);
        assertThat(signers.get(0).allows("ANA@example.com")).isTrue();
        assertThat(signers.get(0).allows("zed@ops.example.com")).isTrue();
        assertThat(signers.get(0).allows("zed@example.com")).isFalse();
        assertThat(signers.get(1).keyType()).isEqualTo("ecdsa-sha2-nistp256");
        assertThat(signers.get(1).gitNamespace()).isTrue();
        assertThat(signers.get(2).gitNamespace()).isFalse();
        assertThat(findings).extracting(f -> f.location().line()).containsExactly(5, 6);
        assertThat(findings).allMatch(f -> f.code().equals("promotion.trusted-keys"));
    }

    @Test
    void aSignatureFromAKeyTheRepositoryDoesNotTrustIsNotAccepted() {
        CommitSignature s = CommitSignatures.checkOpenPgp("""
                -----BEGIN PGP SIGNATURE-----

                not really
                -----END PGP SIGNATURE-----
                """.getBytes(StandardCharsets.US_ASCII), new byte[0], new CommitAuthor("Ana", "ana@example.com"), TrustedKeys.none());
        assertThat(s).isInstanceOf(CommitSignature.Invalid.class);
        assertThat(s.verified()).isFalse();
        CommitSignature ssh = CommitSignatures.checkSsh("-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----",
                new byte[0], new CommitAuthor("Ana", "ana@example.com"), TrustedKeys.none());
        assertThat(ssh.describe()).startsWith("ssh signature not accepted: ");
    }
}
