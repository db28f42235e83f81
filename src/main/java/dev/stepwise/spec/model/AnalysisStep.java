package dev.stepwise.spec.model;

import java.util.List;

/** {@code analysis}: runs the templates as one AnalysisRun and moves on only when it succeeds. */
public record AnalysisStep(RolloutAnalysis analysis, boolean irreversible, String pointer) implements Step {

    public List<TemplateRef> templates() {
        return analysis.templates();
    }

    public List<Arg> args() {
        return analysis.args();
    }

    @Override
    public String kind() {
        return "analysis";
    }

    @Override
    public String describe() {
        return "analysis " + analysis.templateNames();
    }
}
