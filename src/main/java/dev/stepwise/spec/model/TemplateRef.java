package dev.stepwise.spec.model;

/**
 * A reference to an analysis template: {@code templateName} with Argo's {@code clusterScope} flag. {@code inline}
 * names a template that travels with the rollout itself ({@link RolloutSpec#inlineTemplates()}): Stepwise builds one
 * from a Flagger Canary's metrics, which are written inside the Canary rather than in a template of their own.
 */
public record TemplateRef(String templateName, boolean clusterScope, boolean inline, String pointer) {

    public static TemplateRef named(String templateName, boolean clusterScope, String pointer) {
        return new TemplateRef(templateName, clusterScope, false, pointer);
    }

    public static TemplateRef inline(String templateName, String pointer) {
        return new TemplateRef(templateName, false, true, pointer);
    }

    @Override
    public String toString() {
        return clusterScope ? templateName + " (cluster)" : templateName;
    }
}
