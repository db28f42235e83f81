package dev.stepwise.spec.model;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code experiment}: runs extra ReplicaSets from the stable or canary pod template next to the rollout, with
 * analyses, for {@code duration} (or, without one, until the analyses marked requiredForCompletion finish).
 */
public record ExperimentStep(Optional<Duration> duration, List<Template> templates, List<Analysis> analyses,
                             boolean irreversible, String pointer) implements Step {

    public ExperimentStep {
        templates = List.copyOf(templates);
        analyses = List.copyOf(analyses);
    }

    /** Which pod template an experiment ReplicaSet copies. */
    public enum SpecRef {
        STABLE("stable"), CANARY("canary");

        private final String value;

        SpecRef(String value) {
            this.value = value;
        }

        public String value() {
            return value;
        }
    }

    /** {@code experiment.templates[]}: a ReplicaSet of {@code replicas} pods, optionally given {@code weight}% of traffic. */
    public record Template(String name, SpecRef specRef, Optional<Integer> replicas, Optional<Integer> weight) {
        @Override
        public String toString() {
            return name + " (" + specRef.value() + ", " + replicas.orElse(1) + " replica" + (replicas.orElse(1) == 1 ? "" : "s")
                    + weight.map(w -> ", weight " + w + "%").orElse("") + ")";
        }
    }

    /** {@code experiment.analyses[]}: an analysis run named {@code name} from {@code template}. */
    public record Analysis(String name, TemplateRef template, List<Arg> args, boolean requiredForCompletion) {
        public Analysis {
            args = List.copyOf(args);
        }
    }

    @Override
    public String kind() {
        return "experiment";
    }

    @Override
    public String describe() {
        StringBuilder s = new StringBuilder("experiment");
        duration.ifPresent(d -> s.append(' ').append(ArgoDuration.format(d)));
        s.append(": ").append(templates.stream().map(Template::toString).collect(Collectors.joining(", ")));
        if (!analyses.isEmpty()) {
            s.append("; analyses ").append(analyses.stream()
                    .map(a -> a.name() + (a.template().templateName().equals(a.name()) ? "" : "=" + a.template().templateName()))
                    .collect(Collectors.joining(", ")));
        }
        return s.toString();
    }
}
