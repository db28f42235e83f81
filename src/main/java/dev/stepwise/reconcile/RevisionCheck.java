package dev.stepwise.reconcile;

import dev.stepwise.engine.RolloutEngine;
import dev.stepwise.git.RolloutKey;
import dev.stepwise.spec.Finding;
import dev.stepwise.spec.SpecDocument;
import dev.stepwise.spec.SpecKind;
import dev.stepwise.spec.SpecSet;
import dev.stepwise.spec.model.AnalysisTemplateSpec;
import dev.stepwise.spec.model.RolloutSpec;
import dev.stepwise.validate.RepositoryValidator;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which rollouts of one spec revision may be acted on. A revision's error findings (schema, cross-document, policy
 * deny) are charged to the rollouts they concern, so one bad rollout never holds up the others:
 * <ul>
 *   <li>an error in a rollout's own file holds that rollout;</li>
 *   <li>an error in an analysis template's file holds the rollouts that use the template (a template that fails
 *       its schema is missing from the model, which the cross-document checks report in each user's own file);</li>
 *   <li>an error anywhere else (a Policy that does not compile, a Cluster document) holds every rollout, because
 *       acting without the policies or clusters the repository declares could do what they forbid.</li>
 * </ul>
 * A held rollout keeps running its last good revision; the findings go to its status. Pure: no I/O.
 */
public final class RevisionCheck {

    /** One rollout at the revision: its spec and templates when it may be acted on, else the errors that hold it. */
    public record RolloutAtRevision(RolloutKey key, String file, Optional<RolloutSpec> spec,
                                    Map<String, AnalysisTemplateSpec> templates, List<Finding> errors) {
        public boolean actionable() {
            return spec.isPresent() && errors.isEmpty();
        }
    }

    private RevisionCheck() {
    }

    public static Map<RolloutKey, RolloutAtRevision> check(SpecSet read, RepositoryValidator.Outcome outcome) {
        Map<RolloutKey, String> declared = new LinkedHashMap<>();
        Set<String> rolloutFiles = new HashSet<>();
        for (SpecDocument doc : read.rollouts()) {
            declared.putIfAbsent(new RolloutKey(doc.namespace(), doc.name()), doc.file());
            rolloutFiles.add(doc.file());
        }
        // template files as read, not as modelled: a template that fails its schema is not in the model, and its
        // errors must hold only the rollouts that use it (they also get "template not found" in their own file)
        Set<String> templateFiles = new HashSet<>();
        for (SpecKind kind : List.of(SpecKind.ANALYSIS_TEMPLATE, SpecKind.CLUSTER_ANALYSIS_TEMPLATE, SpecKind.METRIC_TEMPLATE)) {
            read.ofKind(kind).forEach(d -> templateFiles.add(d.file()));
        }
        outcome.model().templates().values().forEach(t -> templateFiles.add(t.file()));
        outcome.model().clusterTemplates().values().forEach(t -> templateFiles.add(t.file()));

        List<Finding> errors = outcome.report().findings().stream().filter(Finding::isError).toList();
        List<Finding> global = new ArrayList<>();
        Map<String, List<Finding>> byFile = new LinkedHashMap<>();
        for (Finding f : errors) {
            String file = f.location().file();
            if (rolloutFiles.contains(file) || templateFiles.contains(file)) {
                byFile.computeIfAbsent(file, k -> new ArrayList<>()).add(f);
            } else {
                global.add(f);
            }
        }
        Map<RolloutKey, RolloutAtRevision> out = new LinkedHashMap<>();
        for (Map.Entry<RolloutKey, String> e : declared.entrySet()) {
            RolloutKey key = e.getKey();
            Optional<RolloutSpec> spec = outcome.model().rollout(key.namespace(), key.name());
            List<Finding> held = new ArrayList<>(global);
            held.addAll(byFile.getOrDefault(e.getValue(), List.of()));
            Map<String, AnalysisTemplateSpec> templates = Map.of();
            if (spec.isPresent()) {
                templates = RolloutEngine.templatesFor(outcome.model(), spec.get());
                for (AnalysisTemplateSpec t : templates.values()) {
                    held.addAll(byFile.getOrDefault(t.file(), List.of()));
                }
            } else if (held.isEmpty()) {
                // the document did not become a model (its schema errors are in its file, so this is rare): say so
                held.add(Finding.error(dev.stepwise.spec.Location.ofFile(e.getValue()), "", "reconcile.not-a-rollout",
                        key + " could not be read as a rollout"));
            }
            out.put(key, new RolloutAtRevision(key, e.getValue(), spec, templates, dedupe(held)));
        }
        return out;
    }

    private static List<Finding> dedupe(List<Finding> findings) {
        return List.copyOf(new java.util.LinkedHashSet<>(findings));
    }
}
