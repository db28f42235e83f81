package dev.stepwise.webhook;

/** Who sent a webhook, known from its headers; each signs deliveries its own way. */
public enum Forge {
    /** {@code X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>}. */
    GITHUB,
    /** {@code X-Gitlab-Token: <the secret itself>}: GitLab does not sign, it sends the shared token. */
    GITLAB,
    /** Gitea and Forgejo: {@code X-Gitea-Signature} / {@code X-Forgejo-Signature: <hex HMAC-SHA256>}. */
    GITEA,
    /** Anything else that can sign: {@code X-Stepwise-Signature: sha256=<hex HMAC-SHA256>}. */
    GENERIC
}
