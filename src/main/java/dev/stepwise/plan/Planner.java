package dev.stepwise.plan;

import dev.stepwise.spec.model.AnalysisStep;
import dev.stepwise.spec.model.AnalysisTemplateSpec;
import dev.stepwise.spec.model.Arg;
import dev.stepwise.spec.model.ArgoDuration;
import dev.stepwise.spec.model.BlueGreenStrategy;
import dev.stepwise.spec.model.CanaryStrategy;
import dev.stepwise.spec.model.DurationParam;
import dev.stepwise.spec.model.ExperimentStep;
import dev.stepwise.spec.model.FlaggerSource;
import dev.stepwise.spec.model.Gate;
import dev.stepwise.spec.model.MetricSpec;
import dev.stepwise.spec.model.Pause;
import dev.stepwise.spec.model.RepositoryModel;
import dev.stepwise.spec.model.RolloutAnalysis;
import dev.stepwise.spec.model.RolloutSpec;
import dev.stepwise.spec.model.SetWeight;
import dev.stepwise.spec.model.Step;
import dev.stepwise.spec.model.TemplateRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Turns a rollout into the plan a reviewer reads. Pure: the same model always gives the same plan.
 *
 * <p><b>Least total time</b> is what the steps themselves must take if every check passes at once and nobody keeps
 * anyone waiting: the sum of timed pauses, of each step analysis run's least duration (the longest of its metrics,
 * each {@code initialDelay + (count - 1) × interval}: the first measurement comes after the initial delay, then one per
 * interval), and of experiments (their duration, or their required analyses). For blue-green, the switch waits for
 * both the pre-promotion analysis and {@code autoPromotionSeconds}, which run side by side, so the longer of the two
 * counts; post-promotion analysis follows. Not counted: waits for people (listed as manual gates), analyses that
 * measure until stopped (background analyses run alongside the steps; a step analysis like that never completes on
 * its own and is called out), the time pods take to become ready, the time measurements take, and the scale-down
 * delay after promotion (the new version already serves everything by then).
 */
public final class Planner {

    private Planner() {
    }

    /** Plans for every rollout of the model, in file order. */
    public static List<RolloutPlan> planAll(RepositoryModel model) {
        return model.rollouts().stream().map(r -> plan(r, model)).toList();
    }

    public static RolloutPlan plan(RolloutSpec rollout, RepositoryModel model) {
        Builder b = new Builder(rollout, model);
        if (rollout.strategy() instanceof CanaryStrategy canary) {
            b.canary(canary);
        } else {
            b.blueGreen((BlueGreenStrategy) rollout.strategy());
        }
        return b.build();
    }

    /** Plans one analysis run of {@code rollout}: its templates resolved in {@code model}, placeholders filled in. */
    public static PlannedAnalysis analysis(RolloutSpec rollout, RolloutAnalysis analysis, RepositoryModel model) {
        return analysis(rollout, analysis.templates(), analysis.args(), analysis, model);
    }

    private static PlannedAnalysis analysis(RolloutSpec rollout, List<TemplateRef> refs, List<Arg> args,
                                            RolloutAnalysis dryRunFrom, RepositoryModel model) {
        List<String> names = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<PlannedMetric> metrics = new ArrayList<>();
        for (TemplateRef ref : refs) {
            names.add(ref.toString());
            Optional<AnalysisTemplateSpec> template = model.template(rollout, ref);
            if (template.isEmpty()) {
                missing.add(ref.toString());
                continue;
            }
            // template defaults first, then what the rollout passes: the rollout's value wins, as in Argo
            Map<String, String> values = new LinkedHashMap<>();
            template.get().args().forEach(a -> a.value().ifPresent(v -> values.put(a.name(), v)));
            args.forEach(a -> a.value().ifPresent(v -> values.put(a.name(), v)));
            for (MetricSpec metric : template.get().metrics()) {
                boolean dryRun = metric.dryRun() || (dryRunFrom != null && dryRunFrom.isDryRun(metric.name()));
                metrics.add(metric(ref.templateName(), metric.resolve(values), dryRun));
            }
        }
        Optional<Duration> least = Optional.empty();
        boolean endless = false;
        boolean unknown = false;
        for (PlannedMetric m : metrics) {
            if (m.untilStopped()) {
                endless = true;
            } else if (m.leastDuration().isEmpty()) {
                unknown = true;
            } else if (least.isEmpty() || m.leastDuration().get().compareTo(least.get()) > 0) {
                least = m.leastDuration();
            }
        }
        if (metrics.isEmpty() || (least.isEmpty() && !endless && !unknown)) {
            least = Optional.of(Duration.ZERO);
        }
        return new PlannedAnalysis(names, missing, metrics, least, endless, unknown);
    }

    static PlannedMetric metric(String template, MetricSpec m, boolean dryRun) {
        Optional<Duration> interval = m.interval().flatMap(DurationParam::value);
        Optional<Duration> initialDelay = m.initialDelay().flatMap(DurationParam::value);
        boolean untilStopped = m.runsUntilStopped();
        Optional<Integer> measurements = untilStopped ? Optional.empty() : m.effectiveCount();
        String count = untilStopped ? "until stopped" : m.count().map(Object::toString).orElse(measurements.map(String::valueOf).orElse("?"));
        Optional<Duration> least = Optional.empty();
        boolean intervalKnown = m.interval().isEmpty() || interval.isPresent();
        boolean delayKnown = m.initialDelay().isEmpty() || initialDelay.isPresent();
        if (measurements.isPresent() && intervalKnown && delayKnown) {
            int n = measurements.get();
            least = Optional.of(initialDelay.orElse(Duration.ZERO).plus(interval.orElse(Duration.ZERO).multipliedBy(Math.max(0, n - 1))));
        }
        return new PlannedMetric(template, m.name(), m.provider().type(), interval, count, measurements, untilStopped,
                initialDelay, m.successCondition(), m.failureCondition(), m.failureLimit().toString(), dryRun,
                m.minSamples(), least);
    }

    /** Collects a plan step by step. */
    private static final class Builder {
        private final RolloutSpec r;
        private final RepositoryModel model;
        private final List<PlanStep> steps = new ArrayList<>();
        private final List<BackgroundPlan> background = new ArrayList<>();
        private final List<Integer> gates = new ArrayList<>();
        private final List<String> notes = new ArrayList<>();
        private final Map<String, String> settings = new LinkedHashMap<>();
        private Duration pauses = Duration.ZERO;
        private Duration analyses = Duration.ZERO;
        private int maxWeight = 100;

        Builder(RolloutSpec r, RepositoryModel model) {
            this.r = r;
            this.model = model;
        }

        void canary(CanaryStrategy c) {
            settings.put("replicas", replicas());
            r.workloadRef().ifPresent(w -> settings.put("workload", workload()));
            settings.put("traffic", c.trafficRouting().describe());
            String services = (c.canaryService().map(s -> "canary " + s).orElse("") + c.stableService()
                    .map(s -> (c.canaryService().isPresent() ? ", " : "") + "stable " + s).orElse(""));
            if (!services.isEmpty()) {
                settings.put("services", services);
            }
            if (!c.trafficRouting().managedRoutes().isEmpty()) {
                settings.put("managed routes", String.join(", ", c.trafficRouting().managedRoutes()));
            }
            if (r.flagger().isEmpty()) {
                settings.put("surge", "maxSurge " + c.maxSurge() + ", maxUnavailable " + c.maxUnavailable());
            }
            common();
            maxWeight = c.trafficRouting().maxTrafficWeight();
            int weight = 0;
            for (int i = 0; i < c.steps().size(); i++) {
                Step s = c.steps().get(i);
                int number = i + 1;
                if (s instanceof SetWeight w) {
                    weight = w.weight();
                }
                Optional<Duration> least = Optional.of(Duration.ZERO);
                boolean manual = false;
                List<PlannedAnalysis> runs = new ArrayList<>();
                if (s instanceof Pause p) {
                    if (p.isIndefinite()) {
                        manual = true;
                        gates.add(number);
                    } else {
                        least = p.duration();
                        pauses = pauses.plus(p.duration().get());
                    }
                } else if (s instanceof AnalysisStep a) {
                    PlannedAnalysis run = analysis(r, a.analysis(), model);
                    runs.add(run);
                    least = stepAnalysis(number, run);
                } else if (s instanceof ExperimentStep e) {
                    least = experiment(number, e, runs);
                }
                steps.add(new PlanStep(number, s.kind(), s.describe(), weight, least, manual, s.irreversible(), runs));
            }
            c.analysis().ifPresent(bg -> {
                PlannedAnalysis run = analysis(r, bg.analysis(), model);
                missing(run);
                background.add(new BackgroundPlan(Math.min(bg.startingStep(), c.steps().size()) + 1, run));
            });
            steps.add(new PlanStep(steps.size() + 1, "promote", promoteText(c), maxWeight, Optional.of(Duration.ZERO),
                    false, false, List.of()));
            if (maxWeight != 100) {
                notes.add("weights are out of maxTrafficWeight " + maxWeight + ", not 100");
            }
            flaggerNotes();
        }

        void blueGreen(BlueGreenStrategy b) {
            settings.put("replicas", replicas());
            r.workloadRef().ifPresent(w -> settings.put("workload", workload()));
            settings.put("services", "active " + b.activeService() + b.previewService().map(p -> ", preview " + p).orElse(""));
            common();
            for (Gate g : b.previewGates()) {
                add("gate", "wait for " + g, Optional.of(Duration.ZERO), true, List.of());
            }
            String pods = b.previewReplicaCount().map(n -> n + " pod" + (n == 1 ? "" : "s")).orElse(r.replicasKnown()
                    ? "all " + r.replicas() + " pod" + (r.replicas() == 1 ? "" : "s") : "all pods");
            add("preview", "scale up the new version" + b.previewService().map(p -> " behind " + p).orElse("") + ": " + pods,
                    Optional.of(Duration.ZERO), false, List.of());
            Duration pre = Duration.ZERO;
            if (b.prePromotionAnalysis().isPresent()) {
                PlannedAnalysis run = analysis(r, b.prePromotionAnalysis().get(), model);
                pre = stepAnalysis(steps.size() + 1, run).orElse(Duration.ZERO);
                add("prePromotionAnalysis", "prePromotionAnalysis " + run.templateNames(), run.leastDuration(), false, List.of(run));
            }
            Duration auto = Duration.ofSeconds(b.autoPromotionSeconds());
            if (b.autoPromotionEnabled()) {
                String when = b.autoPromotionSeconds() > 0 ? "promote automatically " + ArgoDuration.format(auto)
                        + " after the preview is ready (autoPromotionSeconds)" : "promote automatically once the preview is ready";
                add("promotion", when, Optional.of(auto), false, List.of());
            } else if (b.promotionGates().isEmpty()) {
                add("promotion", "wait for a person to promote (autoPromotionEnabled: false)", Optional.of(Duration.ZERO), true, List.of());
                auto = Duration.ZERO;
            } else {
                for (Gate g : b.promotionGates()) {
                    add("gate", "wait for " + g, Optional.of(Duration.ZERO), true, List.of());
                }
                auto = Duration.ZERO;
            }
            // the pre-promotion analysis and the auto-promotion countdown run side by side: the longer one counts
            if (auto.compareTo(pre) >= 0) {
                pauses = pauses.plus(auto);
                analyses = analyses.minus(pre);
            }
            if (r.flagger().isPresent()) {
                add("switch", "promote: copy " + r.workloadRef().map(w -> w.name()).orElse("the target") + " to "
                        + r.flagger().get().primaryName() + ", which " + b.activeService() + " serves", Optional.of(Duration.ZERO), false, List.of());
            } else {
                add("switch", "switch " + b.activeService() + " to the new version", Optional.of(Duration.ZERO), false, List.of());
            }
            if (b.postPromotionAnalysis().isPresent()) {
                PlannedAnalysis run = analysis(r, b.postPromotionAnalysis().get(), model);
                stepAnalysis(steps.size() + 1, run);
                add("postPromotionAnalysis", "postPromotionAnalysis " + run.templateNames(), run.leastDuration(), false, List.of(run));
            }
            if (r.flagger().isPresent()) {
                add("scaleDown", "scale " + r.workloadRef().map(w -> w.name()).orElse("the canary") + " to zero", Optional.of(Duration.ZERO), false, List.of());
                flaggerNotes();
                return;
            }
            String scaleDown = b.scaleDownDelaySeconds() > 0
                    ? "scale down the old version after " + ArgoDuration.format(Duration.ofSeconds(b.scaleDownDelaySeconds())) + " (scaleDownDelaySeconds)"
                    : "scale down the old version";
            add("scaleDown", scaleDown, Optional.of(Duration.ZERO), false, List.of());
            flaggerNotes();
        }

        private void add(String kind, String description, Optional<Duration> least, boolean manual, List<PlannedAnalysis> runs) {
            int number = steps.size() + 1;
            if (manual) {
                gates.add(number);
            }
            steps.add(new PlanStep(number, kind, description, -1, least, manual, false, runs));
        }

        /** Adds a step analysis run's least time, and says why it might not have one. */
        private Optional<Duration> stepAnalysis(int number, PlannedAnalysis run) {
            missing(run);
            if (run.endless()) {
                String metrics = run.metrics().stream().filter(PlannedMetric::untilStopped).map(PlannedMetric::name)
                        .collect(Collectors.joining(", "));
                notes.add("the analysis at step " + number + " never completes on its own: " + metrics
                        + " measure" + (metrics.contains(",") ? "" : "s") + " until stopped (an interval without a count)");
            }
            if (run.unknownLength()) {
                notes.add("the analysis at step " + number + " has a count or interval that stays a placeholder; its time is not counted");
            }
            run.leastDuration().ifPresent(d -> analyses = analyses.plus(d));
            return run.leastDuration();
        }

        private Optional<Duration> experiment(int number, ExperimentStep e, List<PlannedAnalysis> runs) {
            Duration required = Duration.ZERO;
            for (ExperimentStep.Analysis a : e.analyses()) {
                PlannedAnalysis run = analysis(r, List.of(a.template()), a.args(), null, model);
                runs.add(run);
                missing(run);
                if (a.requiredForCompletion() && run.leastDuration().isPresent() && run.leastDuration().get().compareTo(required) > 0) {
                    required = run.leastDuration().get();
                }
            }
            if (e.duration().isPresent()) {
                analyses = analyses.plus(e.duration().get());
                return e.duration();
            }
            if (e.analyses().stream().noneMatch(ExperimentStep.Analysis::requiredForCompletion)) {
                notes.add("the experiment at step " + number + " has no duration and no analysis requiredForCompletion: it runs until stopped");
                return Optional.empty();
            }
            analyses = analyses.plus(required);
            return Optional.of(required);
        }

        private void missing(PlannedAnalysis run) {
            for (String t : run.missingTemplates()) {
                String note = "analysis template " + t + " is not in the repository: its metrics are unknown";
                if (!notes.contains(note)) {
                    notes.add(note);
                }
            }
        }

        private void common() {
            settings.put("progress deadline", ArgoDuration.format(Duration.ofSeconds(r.progressDeadlineSeconds()))
                    + (r.progressDeadlineAbort() ? ", then abort" : ", then report"));
            if (!r.waves().isEmpty()) {
                settings.put("waves", r.waves().stream().map(w -> String.join(", ", w)).collect(Collectors.joining(" → ")));
            }
            r.promoteTo().ifPresent(p -> settings.put("promote to", p.path() + " (" + p.mode().value() + ")"));
            if (r.onAbortRevert() != dev.stepwise.spec.model.RevertMode.NONE) {
                settings.put("on abort", r.onAbortRevert().value());
            }
            r.flagger().ifPresent(f -> settings.put("flagger", f.mode().label() + ", checks every "
                    + ArgoDuration.format(f.interval()) + ", rollback after " + f.threshold() + " failed check"
                    + (f.threshold() == 1 ? "" : "s")));
        }

        private String replicas() {
            if (r.replicasKnown()) {
                return String.valueOf(r.replicas());
            }
            return "as " + r.workloadRef().map(w -> w.kind() + " " + w.name()).orElse("the target") + " says";
        }

        private String workload() {
            var w = r.workloadRef().get();
            return w.kind() + " " + w.name() + (r.flagger().isPresent() ? " (Flagger target; "
                    + r.flagger().get().primaryName() + " is the stable copy)" : " (scaleDown " + w.scaleDown().value() + ")");
        }

        private String promoteText(CanaryStrategy c) {
            if (r.flagger().isPresent()) {
                FlaggerSource f = r.flagger().get();
                return "promote: copy " + r.workloadRef().map(w -> w.name()).orElse("the target") + " to " + f.primaryName()
                        + ", route all traffic to it, scale the canary to zero";
            }
            String delay = c.trafficRouting().isReplicaRatio() ? ""
                    : ", old version scaled down after " + ArgoDuration.format(Duration.ofSeconds(c.scaleDownDelaySeconds()));
            return "promote: the new version becomes stable" + delay;
        }

        private void flaggerNotes() {
            if (r.flagger().isEmpty()) {
                return;
            }
            FlaggerSource f = r.flagger().get();
            if (f.skipAnalysis()) {
                notes.add("Flagger skips the analysis (skipAnalysis, or no analysis): the new version is promoted at once");
                return;
            }
            notes.add("Flagger holds the weight when a check fails and rolls back after " + f.threshold()
                    + " failed check" + (f.threshold() == 1 ? "" : "s") + "; each failed check adds " + ArgoDuration.format(f.interval()));
            f.stepWeightPromotion().ifPresent(w -> notes.add("promotion shifts traffic back to " + f.primaryName() + " "
                    + w + "% per interval (stepWeightPromotion)"));
            if (f.mirror() && f.mode() == FlaggerSource.Mode.BLUE_GREEN) {
                notes.add("traffic is mirrored to the new version during the blue/green iterations (mirror: true)");
            }
            for (FlaggerSource.Webhook w : f.webhooks()) {
                if (List.of("post-rollout", "rollback", "event").contains(w.type())) {
                    notes.add(w + (w.type().equals("post-rollout") ? " runs after the promotion"
                            : w.type().equals("rollback") ? " can roll back the canary while it waits" : " receives Flagger's events"));
                }
            }
        }

        RolloutPlan build() {
            Duration total = pauses.plus(analyses);
            String mode = r.flagger().map(f -> f.mode().label()).orElse("");
            return new RolloutPlan(r.namespace(), r.name(), r.origin(), r.file(), r.strategy().name(), mode, r.images(),
                    r.podTemplateHash(), settings, steps, maxWeight, background, total, pauses, analyses, gates, notes);
        }
    }
}
