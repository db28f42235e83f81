package dev.stepwise.analysis;

/**
 * Something wrong with a provider's configuration, found before any request is sent. {@code pointer} is relative to
 * the provider's own block ({@code /address}, {@code /query}); {@link MetricProviders#validate} turns it into a
 * located {@link dev.stepwise.spec.Finding} at the metric's provider block.
 */
public record ConfigProblem(String pointer, String code, String message) {
}
