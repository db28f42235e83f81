package dev.stepwise.promotion;

import dev.stepwise.git.Revision;
import dev.stepwise.git.RolloutKey;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The commit messages Stepwise writes for promotions and reverts: a subject a person can scan in
 * {@code git log --oneline}, a body saying what was verified (or what failed), and trailers machines read
 * ({@code git log --format='%(trailers:key=Stepwise-Source)'}).
 */
public final class PromotionMessages {

    public static final String SOURCE = "Stepwise-Source";
    public static final String PROMOTED_FROM = "Stepwise-Promoted-From";
    public static final String REVERT_OF = "Stepwise-Revert-Of";
    public static final String STABLE = "Stepwise-Stable-Revision";
    public static final String GATE = "Stepwise-Gate";

    private PromotionMessages() {
    }

    /** {@code promote: checkout-api v2.1.0 to rollouts/prod/checkout.yaml}, with the verification and trailers. */
    public static String environmentPromotion(RolloutKey from, String targetPath, Revision source, CanaryRevision verified,
                                              List<ImageRewriter.ImageChange> changes, String analysisSummary) {
        String versions = changes.stream().map(c -> ImageRef.tagOrDigest(c.to()).orElse(c.to())).distinct()
                .collect(Collectors.joining(", "));
        StringBuilder sb = new StringBuilder();
        sb.append("promote: ").append(from.name()).append(' ').append(versions).append(" to ").append(targetPath).append("\n\n");
        sb.append("Rollout ").append(from).append(" completed revision ").append(verified.podTemplateHash())
                .append(" from ").append(source.name()).append(".\n");
        if (!analysisSummary.isBlank()) {
            sb.append("\nVerified:\n").append(indent(analysisSummary.strip())).append('\n');
        }
        sb.append("\nImages carried over:\n");
        for (ImageRewriter.ImageChange c : changes) {
            sb.append("  ").append(c.container()).append(": ").append(c.from()).append(" -> ").append(c.to()).append('\n');
        }
        sb.append('\n').append(trailers(Map.of(SOURCE, source.name(), PROMOTED_FROM, from.toString())));
        return sb.toString();
    }

    /** {@code revert: checkout-api back to v2.0.3 (aborted)}, with the evidence and trailers. */
    public static String revert(RolloutKey rollout, String specPath, Revision source, String stableCommit,
                                Map<String, String> restoredImages, boolean wholeFile, String evidence) {
        String versions = restoredImages.values().stream().map(i -> ImageRef.tagOrDigest(i).orElse(i)).distinct()
                .collect(Collectors.joining(", "));
        StringBuilder sb = new StringBuilder();
        sb.append("revert: ").append(rollout.name()).append(versions.isEmpty() ? "" : " back to " + versions)
                .append(" (rollout aborted)\n\n");
        sb.append("Rollout ").append(rollout).append(" was aborted at ").append(source.name()).append(".\n");
        sb.append(wholeFile
                ? "This restores " + specPath + " as it was at the last stable revision " + stableCommit + ".\n"
                : "This restores the images in " + specPath + " to those of the last stable revision " + stableCommit
                  + "; nothing else in the file changes.\n");
        if (!restoredImages.isEmpty()) {
            sb.append("\nImages restored:\n");
            restoredImages.forEach((c, i) -> sb.append("  ").append(c).append(": ").append(i).append('\n'));
        }
        if (!evidence.isBlank()) {
            sb.append("\nAnalysis:\n").append(indent(evidence.strip())).append('\n');
        }
        sb.append('\n').append(trailers(new java.util.LinkedHashMap<>(Map.of(SOURCE, source.name(), REVERT_OF, rollout.toString(),
                STABLE, stableCommit))));
        return sb.toString();
    }

    /** {@code gate: promote production/checkout-api (step 3)}, the commit {@code stepwise promote} writes. */
    public static String gateDecision(GateRequest request, String by) {
        return "gate: " + request.describe() + "\n\nWritten with the stepwise command line by " + by + ".\n\n"
                + trailers(Map.of(GATE, request.action().value() + " " + request.rollout()));
    }

    private static String trailers(Map<String, String> trailers) {
        StringBuilder sb = new StringBuilder();
        // a fixed order, so messages are stable: the source first
        trailers.entrySet().stream()
                .sorted((a, b) -> a.getKey().equals(SOURCE) ? -1 : b.getKey().equals(SOURCE) ? 1 : a.getKey().compareTo(b.getKey()))
                .forEach(e -> sb.append(e.getKey()).append(": ").append(e.getValue().replaceAll("[\\r\\n]+", " ")).append('\n'));
        return sb.toString();
    }

    private static String indent(String text) {
        return text.lines().map(l -> "  " + l).collect(Collectors.joining("\n"));
    }
}
