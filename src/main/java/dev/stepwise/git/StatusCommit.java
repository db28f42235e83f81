package dev.stepwise.git;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One status commit: a subject a person can scan in {@code git log --oneline} (e.g. {@code status: checkout-api step
 * 3/7 weight 25% (analysis success-rate 0.997 ≥ 0.99)}), trailers machines can read ({@code Stepwise-Source:
 * main@sha1:…}), and the update computing the files.
 */
public record StatusCommit(String subject, Map<String, String> trailers, StatusUpdate update) {

    private static final Pattern TRAILER_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]*");

    public StatusCommit {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(update, "update");
        subject = subject.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
        if (subject.isEmpty()) {
            throw new IllegalArgumentException("a status commit needs a subject");
        }
        Map<String, String> t = new LinkedHashMap<>();
        trailers.forEach((k, v) -> {
            if (!TRAILER_KEY.matcher(k).matches()) {
                throw new IllegalArgumentException("not a trailer key: '" + k + "'");
            }
            t.put(k, v.replaceAll("[\\r\\n]+", " ").strip());
        });
        trailers = java.util.Collections.unmodifiableMap(t);
    }

    /** The commit recording which spec revision the status was computed from. */
    public static StatusCommit of(String subject, Revision source, StatusUpdate update) {
        return new StatusCommit(subject, Map.of("Stepwise-Source", source.name()), update);
    }

    /** Subject, blank line, trailers: the layout {@code git interpret-trailers} reads. */
    String message() {
        StringBuilder sb = new StringBuilder(subject).append("\n");
        if (!trailers.isEmpty()) {
            sb.append("\n");
            trailers.forEach((k, v) -> sb.append(k).append(": ").append(v).append("\n"));
        }
        return sb.toString();
    }
}
