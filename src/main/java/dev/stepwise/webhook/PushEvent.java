package dev.stepwise.webhook;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A push as a forge announced it: the repository under every URL the payload names (forges send the https, ssh and
 * web forms; any may be the one Stepwise tracks), the full ref pushed and the new commit.
 */
public record PushEvent(Forge forge, List<String> repositoryUrls, String ref, Optional<String> after, String deliveryId) {

    public PushEvent {
        Objects.requireNonNull(forge, "forge");
        repositoryUrls = List.copyOf(repositoryUrls);
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(after, "after");
        deliveryId = deliveryId == null ? "" : deliveryId;
    }

    /** The branch name when a branch was pushed ({@code refs/heads/main} → {@code main}). */
    public Optional<String> branch() {
        return ref.startsWith("refs/heads/") ? Optional.of(ref.substring("refs/heads/".length())) : Optional.empty();
    }
}
