package dev.stepwise.plan;

import dev.stepwise.spec.model.AnalysisStep;
import dev.stepwise.spec.model.AnalysisTemplateSpec;
import dev.stepwise.spec.model.BlueGreenStrategy;
import dev.stepwise.spec.model.CanaryStrategy;
import dev.stepwise.spec.model.ExperimentStep;
import dev.stepwise.spec.model.MetricSpec;
import dev.stepwise.spec.model.RepositoryModel;
import dev.stepwise.spec.model.RolloutAnalysis;
import dev.stepwise.spec.model.RolloutSpec;
import dev.stepwise.spec.model.Step;
import dev.stepwise.spec.model.TemplateRef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * What a change to the specs changes about each rollout, for {@code stepwise plan --base REF}: rollouts added and
 * removed, and for the others: images, replicas, pod template, strategy and routing, steps by index (with the old and
 * new description), and the analysis templates they use (metrics added or removed, conditions and limits changed).
 * Rollouts that did not change are left out.
 */
public record PlanDiff(List<RolloutChange> rollouts) {

    public PlanDiff {
        rollouts = List.copyOf(rollouts);
    }

    public boolean isEmpty() {
        return rollouts.isEmpty();
    }

    /** One rollout's change. */
    public record RolloutChange(String namespace, String name, Kind kind, List<Change> changes) {
        public RolloutChange {
            changes = List.copyOf(changes);
        }

        public String qualifiedName() {
            return namespace + "/" + name;
        }
    }

    public enum Kind { ADDED, REMOVED, CHANGED }

    /**
     * One change: {@code area} says what it is about ({@code image}, {@code replicas}, {@code template}, {@code strategy},
     * {@code setting}, {@code step}, {@code analysis}); {@code subject} names the thing ({@code checkout-api},
     * {@code step 3}, {@code success-rate/success-rate}); {@code before} and {@code after} are empty for additions and
     * removals.
     */
    public record Change(String area, String subject, Optional<String> before, Optional<String> after) {

        static Change of(String area, String subject, String before, String after) {
            return new Change(area, subject, Optional.ofNullable(before), Optional.ofNullable(after));
        }

        /** {@code checkout-api: your-org/checkout-api:v2.0.0 → v2.1.0}, {@code step 5 added: setWeight 80}. */
        public String describe() {
            if (before.isEmpty()) {
                return subject + " added: " + after.orElse("");
            }
            if (after.isEmpty()) {
                return subject + " removed: " + before.get();
            }
            // an image's repository is said once: checkout-api:v2.0.0 → v2.1.0; JSON keeps both in full
            String now = area.equals("image") ? Differ.shortNew(before.get(), after.get()) : after.get();
            return subject + ": " + before.get() + " → " + now;
        }
    }

    public static PlanDiff between(RepositoryModel base, RepositoryModel head) {
        Map<String, RolloutSpec> before = index(base);
        Map<String, RolloutSpec> after = index(head);
        Set<String> names = new LinkedHashSet<>(after.keySet());
        names.addAll(before.keySet());
        List<RolloutChange> out = new ArrayList<>();
        for (String key : names) {
            RolloutSpec b = before.get(key);
            RolloutSpec h = after.get(key);
            if (b == null) {
                out.add(new RolloutChange(h.namespace(), h.name(), Kind.ADDED, List.of()));
            } else if (h == null) {
                out.add(new RolloutChange(b.namespace(), b.name(), Kind.REMOVED, List.of()));
            } else {
                List<Change> changes = new Differ(base, head, b, h).changes();
                if (!changes.isEmpty()) {
                    out.add(new RolloutChange(h.namespace(), h.name(), Kind.CHANGED, changes));
                }
            }
        }
        return new PlanDiff(out);
    }

    private static Map<String, RolloutSpec> index(RepositoryModel model) {
        Map<String, RolloutSpec> out = new LinkedHashMap<>();
        model.rollouts().forEach(r -> out.putIfAbsent(r.qualifiedName(), r));
        return out;
    }

    /** Compares one rollout across the two revisions. */
    private static final class Differ {
        private final RepositoryModel baseModel;
        private final RepositoryModel headModel;
        private final RolloutSpec b;
        private final RolloutSpec h;
        private final List<Change> changes = new ArrayList<>();

        Differ(RepositoryModel baseModel, RepositoryModel headModel, RolloutSpec b, RolloutSpec h) {
            this.baseModel = baseModel;
            this.headModel = headModel;
            this.b = b;
            this.h = h;
        }

        List<Change> changes() {
            images();
            if (b.replicas() != h.replicas()) {
                changes.add(Change.of("replicas", "replicas", String.valueOf(b.replicas()), String.valueOf(h.replicas())));
            }
            boolean imagesChanged = !b.images().equals(h.images());
            if (!imagesChanged && !b.podTemplateHash().equals(h.podTemplateHash())) {
                changes.add(Change.of("template", "pod template", "hash " + b.podTemplateHash(), "hash " + h.podTemplateHash()));
            }
            setting("progressDeadlineSeconds", RolloutSpec::progressDeadlineSeconds);
            setting("progressDeadlineAbort", RolloutSpec::progressDeadlineAbort);
            setting("waves", RolloutSpec::waves);
            setting("promoteTo", r -> r.promoteTo().map(p -> p.path() + " (" + p.mode().value() + ")").orElse("none"));
            setting("onAbort.revert", r -> r.onAbortRevert().value());
            if (!b.strategy().name().equals(h.strategy().name())) {
                changes.add(Change.of("strategy", "strategy", b.strategy().name(), h.strategy().name()));
            } else if (h.strategy() instanceof CanaryStrategy hc) {
                canary((CanaryStrategy) b.strategy(), hc);
            } else {
                blueGreen((BlueGreenStrategy) b.strategy(), (BlueGreenStrategy) h.strategy());
            }
            templates();
            return changes;
        }

        private void images() {
            Set<String> containers = new LinkedHashSet<>(h.images().keySet());
            containers.addAll(b.images().keySet());
            for (String c : containers) {
                String was = b.images().get(c);
                String now = h.images().get(c);
                if (!Objects.equals(was, now)) {
                    changes.add(Change.of("image", c, was, now));
                }
            }
        }

        /** {@code v2.1.0} for {@code your-org/checkout-api:v2.0.0 → your-org/checkout-api:v2.1.0}: the repository is said once. */
        static String shortNew(String was, String now) {
            int a = tagStart(was);
            int b = tagStart(now);
            if (a > 0 && b > 0 && was.substring(0, a).equals(now.substring(0, b))) {
                return now.substring(b + 1);
            }
            return now;
        }

        private static int tagStart(String image) {
            int at = image.indexOf('@');
            if (at > 0) {
                return at;
            }
            int colon = image.lastIndexOf(':');
            return colon > image.lastIndexOf('/') ? colon : -1;
        }

        private <T> void setting(String name, Function<RolloutSpec, T> get) {
            T was = get.apply(b);
            T now = get.apply(h);
            if (!Objects.equals(was, now)) {
                changes.add(Change.of("setting", name, String.valueOf(was), String.valueOf(now)));
            }
        }

        private void canary(CanaryStrategy bc, CanaryStrategy hc) {
            compare("strategy", "traffic routing", bc.trafficRouting().describe(), hc.trafficRouting().describe());
            compare("strategy", "canaryService", bc.canaryService().orElse("none"), hc.canaryService().orElse("none"));
            compare("strategy", "stableService", bc.stableService().orElse("none"), hc.stableService().orElse("none"));
            compare("strategy", "background analysis", background(bc), background(hc));
            int n = Math.max(bc.steps().size(), hc.steps().size());
            for (int i = 0; i < n; i++) {
                String was = i < bc.steps().size() ? step(bc.steps().get(i)) : null;
                String now = i < hc.steps().size() ? step(hc.steps().get(i)) : null;
                if (!Objects.equals(was, now)) {
                    changes.add(Change.of("step", "step " + (i + 1), was, now));
                }
            }
        }

        private static String step(Step s) {
            return s.describe() + (s.irreversible() ? " [irreversible]" : "");
        }

        private static String background(CanaryStrategy c) {
            return c.analysis().map(a -> a.analysis().templateNames() + " from step " + (a.startingStep() + 1)).orElse("none");
        }

        private void blueGreen(BlueGreenStrategy bb, BlueGreenStrategy hb) {
            compare("strategy", "activeService", bb.activeService(), hb.activeService());
            compare("strategy", "previewService", bb.previewService().orElse("none"), hb.previewService().orElse("none"));
            compare("strategy", "previewReplicaCount", bb.previewReplicaCount().map(String::valueOf).orElse("all"),
                    hb.previewReplicaCount().map(String::valueOf).orElse("all"));
            compare("strategy", "autoPromotionEnabled", String.valueOf(bb.autoPromotionEnabled()), String.valueOf(hb.autoPromotionEnabled()));
            compare("strategy", "autoPromotionSeconds", String.valueOf(bb.autoPromotionSeconds()), String.valueOf(hb.autoPromotionSeconds()));
            compare("strategy", "prePromotionAnalysis", names(bb.prePromotionAnalysis()), names(hb.prePromotionAnalysis()));
            compare("strategy", "postPromotionAnalysis", names(bb.postPromotionAnalysis()), names(hb.postPromotionAnalysis()));
            compare("strategy", "scaleDownDelaySeconds", String.valueOf(bb.scaleDownDelaySeconds()), String.valueOf(hb.scaleDownDelaySeconds()));
        }

        private static String names(Optional<RolloutAnalysis> a) {
            return a.map(RolloutAnalysis::templateNames).orElse("none");
        }

        private void compare(String area, String subject, String was, String now) {
            if (!was.equals(now)) {
                changes.add(Change.of(area, subject, was, now));
            }
        }

        /** Templates used by the rollout in either revision, compared metric by metric. */
        private void templates() {
            Map<String, TemplateRef> refs = new LinkedHashMap<>();
            refs(b).forEach(r -> refs.putIfAbsent(key(r), r));
            refs(h).forEach(r -> refs.putIfAbsent(key(r), r));
            for (TemplateRef ref : refs.values()) {
                Optional<AnalysisTemplateSpec> was = baseModel.template(b, ref);
                Optional<AnalysisTemplateSpec> now = headModel.template(h, ref);
                if (was.isEmpty() || now.isEmpty() || was.get().equals(now.get())) {
                    continue; // a template appearing or disappearing shows as a step or strategy change already
                }
                metrics(ref.templateName(), was.get(), now.get());
            }
        }

        private void metrics(String template, AnalysisTemplateSpec was, AnalysisTemplateSpec now) {
            Set<String> names = new LinkedHashSet<>();
            now.metrics().forEach(m -> names.add(m.name()));
            was.metrics().forEach(m -> names.add(m.name()));
            for (String name : names) {
                Optional<MetricSpec> a = was.metric(name);
                Optional<MetricSpec> c = now.metric(name);
                String subject = template + "/" + name;
                if (a.isEmpty()) {
                    changes.add(Change.of("analysis", "metric " + subject, null, summary(c.get())));
                } else if (c.isEmpty()) {
                    changes.add(Change.of("analysis", "metric " + subject, summary(a.get()), null));
                } else {
                    field(subject, "successCondition", a.get().successCondition().orElse("none"), c.get().successCondition().orElse("none"));
                    field(subject, "failureCondition", a.get().failureCondition().orElse("none"), c.get().failureCondition().orElse("none"));
                    field(subject, "interval", a.get().interval().map(Object::toString).orElse("none"), c.get().interval().map(Object::toString).orElse("none"));
                    field(subject, "count", a.get().count().map(Object::toString).orElse("none"), c.get().count().map(Object::toString).orElse("none"));
                    field(subject, "initialDelay", a.get().initialDelay().map(Object::toString).orElse("none"), c.get().initialDelay().map(Object::toString).orElse("none"));
                    field(subject, "failureLimit", a.get().failureLimit().toString(), c.get().failureLimit().toString());
                    field(subject, "inconclusiveLimit", a.get().inconclusiveLimit().toString(), c.get().inconclusiveLimit().toString());
                    field(subject, "consecutiveErrorLimit", a.get().consecutiveErrorLimit().toString(), c.get().consecutiveErrorLimit().toString());
                    field(subject, "dryRun", String.valueOf(a.get().dryRun()), String.valueOf(c.get().dryRun()));
                    field(subject, "provider", a.get().provider().type(), c.get().provider().type());
                    field(subject, "query", a.get().provider().query().orElse("none"), c.get().provider().query().orElse("none"));
                }
            }
        }

        private void field(String subject, String field, String was, String now) {
            if (!was.equals(now)) {
                changes.add(Change.of("analysis", subject + " " + field, was, now));
            }
        }

        private static String summary(MetricSpec m) {
            return m.provider().type() + m.successCondition().map(s -> ", success when " + s).orElse("")
                    + m.failureCondition().map(s -> ", failure when " + s).orElse("");
        }

        private static String key(TemplateRef r) {
            return (r.inline() ? "inline:" : r.clusterScope() ? "cluster:" : "ns:") + r.templateName();
        }

        private static List<TemplateRef> refs(RolloutSpec r) {
            List<TemplateRef> out = new ArrayList<>();
            if (r.strategy() instanceof CanaryStrategy c) {
                for (Step s : c.steps()) {
                    if (s instanceof AnalysisStep a) {
                        out.addAll(a.templates());
                    } else if (s instanceof ExperimentStep e) {
                        e.analyses().forEach(a -> out.add(a.template()));
                    }
                }
                c.analysis().ifPresent(a -> out.addAll(a.analysis().templates()));
            } else if (r.strategy() instanceof BlueGreenStrategy bg) {
                bg.prePromotionAnalysis().ifPresent(a -> out.addAll(a.templates()));
                bg.postPromotionAnalysis().ifPresent(a -> out.addAll(a.templates()));
            }
            return out;
        }
    }
}
