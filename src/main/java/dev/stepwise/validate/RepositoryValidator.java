package dev.stepwise.validate;

import dev.stepwise.policy.PolicySet;
import dev.stepwise.spec.Finding;
import dev.stepwise.spec.SpecDocument;
import dev.stepwise.spec.SpecKind;
import dev.stepwise.spec.SpecSet;
import dev.stepwise.spec.model.RepositoryModel;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs every check on a spec repository, in the order that keeps messages useful: YAML reading (already done by the
 * loader), JSON Schema per document, then — only for documents whose shape is right, so a typo is reported once and
 * not again as a dozen follow-on errors — analysis conditions, cross-document references and policy rules.
 * The same validator serves {@code stepwise validate} in CI and the reconciler at run time.
 */
public final class RepositoryValidator {

    private final SchemaValidator schemas;

    public RepositoryValidator(SchemaValidator schemas) {
        this.schemas = schemas;
    }

    public static RepositoryValidator bundled() {
        return new RepositoryValidator(SchemaValidator.bundled());
    }

    /** The result of validating: the report, and the documents that passed their schema (what later checks used). */
    public record Outcome(ValidationReport report, SpecSet wellFormed, RepositoryModel model, PolicySet policies) {
    }

    public ValidationReport validate(SpecSet set, List<Finding> readFindings) {
        return check(set, readFindings).report();
    }

    public Outcome check(SpecSet set, List<Finding> readFindings) {
        List<Finding> findings = new ArrayList<>(readFindings);
        findings.addAll(set.findings());
        // Documents are checked independently, on all cores; results keep document order.
        List<List<Finding>> schemaFindings = set.documents().parallelStream().map(schemas::validate).toList();
        List<SpecDocument> wellFormed = new ArrayList<>();
        for (int i = 0; i < schemaFindings.size(); i++) {
            findings.addAll(schemaFindings.get(i));
            if (schemaFindings.get(i).stream().noneMatch(Finding::isError)) {
                wellFormed.add(set.documents().get(i));
            }
        }
        SpecSet good = new SpecSet(wellFormed, List.of(), set.filesRead());
        wellFormed.parallelStream().map(ConditionChecks::check).toList().forEach(findings::addAll);
        RepositoryModel model = RepositoryModel.of(good);
        findings.addAll(model.findings());
        findings.addAll(CrossDocumentChecks.check(good, model));
        PolicySet policies = PolicySet.compile(good.ofKind(SpecKind.POLICY));
        findings.addAll(policies.findings());
        wellFormed.parallelStream()
                .filter(doc -> doc.kind().orElseThrow() != SpecKind.POLICY)
                .map(policies::evaluate).toList().forEach(findings::addAll);
        // files refused before parsing (too large, unreadable) were still looked at: count them
        long refused = readFindings.stream().map(f -> f.location().file()).distinct().count();
        int files = set.filesRead() + (int) refused;
        return new Outcome(new ValidationReport(findings, files, set.documents().size()), good, model, policies);
    }
}
