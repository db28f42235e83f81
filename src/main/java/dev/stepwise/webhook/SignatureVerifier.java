package dev.stepwise.webhook;

import dev.stepwise.git.Secret;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks that a delivery comes from someone who knows the shared secret, in the form its forge uses. Every comparison
 * is constant-time ({@link MessageDigest#isEqual}) so the response time tells an attacker nothing about how much of
 * a guess was right; GitLab's plain token is hashed first so not even its length leaks.
 */
public final class SignatureVerifier {

    /** The outcome: which forge's signature checked out, or why none did (said to the log, not to the caller). */
    public sealed interface Result permits Verified, Rejected {
    }

    public record Verified(Forge forge) implements Result {
    }

    public record Rejected(String reason) implements Result {
    }

    public static final String GITHUB_SIGNATURE = "X-Hub-Signature-256";
    public static final String GITLAB_TOKEN = "X-Gitlab-Token";
    public static final String GITEA_SIGNATURE = "X-Gitea-Signature";
    public static final String FORGEJO_SIGNATURE = "X-Forgejo-Signature";
    public static final String STEPWISE_SIGNATURE = "X-Stepwise-Signature";

    private final Secret secret;

    public SignatureVerifier(Secret secret) {
        this.secret = Objects.requireNonNull(secret, "secret");
    }

    /**
     * Which forge sent it is read from its event headers (Gitea also sends GitHub's headers, so it is asked first);
     * the signature must then be in that forge's form.
     */
    public static Forge forgeOf(Headers headers) {
        if (headers.has("X-Gitea-Event") || headers.has("X-Forgejo-Event") || headers.has(GITEA_SIGNATURE)
                || headers.has(FORGEJO_SIGNATURE)) {
            return Forge.GITEA;
        }
        if (headers.has("X-Gitlab-Event") || headers.has(GITLAB_TOKEN)) {
            return Forge.GITLAB;
        }
        if (headers.has("X-GitHub-Event") || headers.has(GITHUB_SIGNATURE)) {
            return Forge.GITHUB;
        }
        return Forge.GENERIC;
    }

    public Result verify(Headers headers, byte[] body) {
        Forge forge = forgeOf(headers);
        return switch (forge) {
            case GITHUB -> hmac(forge, headers.get(GITHUB_SIGNATURE), true, body);
            case GITEA -> hmac(forge, headers.get(GITEA_SIGNATURE).or(() -> headers.get(FORGEJO_SIGNATURE)), false, body);
            case GENERIC -> hmac(forge, headers.get(STEPWISE_SIGNATURE), true, body);
            case GITLAB -> token(headers.get(GITLAB_TOKEN));
        };
    }

    /** Hex HMAC-SHA256 of the raw body, with a {@code sha256=} prefix where the forge writes one. */
    private Result hmac(Forge forge, Optional<String> header, boolean prefixed, byte[] body) {
        if (header.isEmpty() || header.get().isEmpty()) {
            return new Rejected(forge + " delivery without its signature header");
        }
        String value = header.get();
        if (prefixed) {
            if (!value.regionMatches(true, 0, "sha256=", 0, 7)) {
                return new Rejected(forge + " signature is not of the form sha256=<hex>");
            }
            value = value.substring(7);
        }
        byte[] given;
        try {
            given = HexFormat.of().parseHex(value.toLowerCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return new Rejected(forge + " signature is not hex");
        }
        byte[] expected = hmacSha256(body);
        return MessageDigest.isEqual(expected, given) ? new Verified(forge) : new Rejected(forge + " signature does not match");
    }

    private Result token(Optional<String> header) {
        if (header.isEmpty() || header.get().isEmpty()) {
            return new Rejected("GitLab delivery without " + GITLAB_TOKEN);
        }
        byte[] given = sha256(header.get().getBytes(StandardCharsets.UTF_8));
        byte[] expected = sha256(secret.reveal().getBytes(StandardCharsets.UTF_8));
        return MessageDigest.isEqual(expected, given) ? new Verified(Forge.GITLAB) : new Rejected("GitLab token does not match");
    }

    /** The HMAC-SHA256 of {@code body} under the secret, as GitHub, Gitea and the generic form sign. */
    public byte[] hmacSha256(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.reveal().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** {@code sha256=<hex>}: what a sender puts in {@code X-Hub-Signature-256} or {@code X-Stepwise-Signature}. */
    public String signatureHeader(byte[] body) {
        return "sha256=" + HexFormat.of().formatHex(hmacSha256(body));
    }

    private static byte[] sha256(byte[] in) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(in);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
