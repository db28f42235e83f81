package dev.stepwise.promotion;

import java.util.Optional;

/** The parts of a container image reference that people name versions by. */
final class ImageRef {

    private ImageRef() {
    }

    /**
     * The tag ({@code v2.1.0} of {@code registry:5000/app:v2.1.0}) or digest ({@code sha256:…} of {@code app@sha256:…});
     * a digest wins when both are given. A registry port is not a tag.
     */
    static Optional<String> tagOrDigest(String image) {
        int at = image.indexOf('@');
        if (at >= 0) {
            return Optional.of(image.substring(at + 1));
        }
        int slash = image.lastIndexOf('/');
        int colon = image.lastIndexOf(':');
        return colon > slash ? Optional.of(image.substring(colon + 1)) : Optional.empty();
    }
}
