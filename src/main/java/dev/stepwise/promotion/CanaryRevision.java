package dev.stepwise.promotion;

import java.util.Objects;
import java.util.Set;

/**
 * The version a rollout is rolling out now (also when paused or aborted, so that {@code retry} can name it): its
 * pod-template hash and its images. A gate decision that names a revision applies only while that revision is the
 * one rolling out.
 */
public record CanaryRevision(String podTemplateHash, Set<String> images) {

    public CanaryRevision {
        Objects.requireNonNull(podTemplateHash, "podTemplateHash");
        images = Set.copyOf(images);
    }

    /**
     * Whether a decision's {@code revision:} names this version: the pod-template hash, a full image reference, or an
     * image's tag or digest alone ({@code v2.1.0}, {@code sha256:…}).
     */
    public boolean isNamedBy(String revision) {
        String r = revision.strip();
        if (r.equals(podTemplateHash)) {
            return true;
        }
        for (String image : images) {
            if (image.equals(r) || ImageRef.tagOrDigest(image).filter(r::equals).isPresent()) {
                return true;
            }
        }
        return false;
    }

    public String describe() {
        return podTemplateHash + (images.isEmpty() ? "" : " " + String.join(", ", images.stream().sorted().toList()));
    }
}
