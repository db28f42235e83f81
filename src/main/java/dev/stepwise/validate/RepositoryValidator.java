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
        List<SpecDocument> wellFormed = new ArrayList<>();
        for (SpecDocument doc : set.documents()) {
            List<Finding> schemaFindings = schemas.validate(doc);
            findings.addAll(schemaFindings);
            if (schemaFindings.stream().noneMatch(Finding::isError)) {
                wellFormed.add(doc);
            }
        }
        SpecSet good = new SpecSet(wellFormed, List.of(), set.filesRead());
        for (SpecDocument doc : wellFormed) {
            findings.addAll(ConditionChecks.check(doc));
        }
        RepositoryModel model = RepositoryModel.of(good);
        findings.addAll(model.findings());
        findings.addAll(CrossDocumentChecks.check(good, model));
        PolicySet policies = PolicySet.compile(good.ofKind(SpecKind.POLICY));
        findings.addAll(policies.findings());
        for (SpecDocument doc : wellFormed) {
            if (doc.kind().orElseThrow() != SpecKind.POLICY) {
                findings.addAll(policies.evaluate(doc));
            }
        }
        // files refused before parsing (too large, unreadable) were still looked at: count them
        long refused = readFindings.stream().map(f -> f.location().file()).distinct().count();
        int files = set.filesRead() + (int) refused;
        return new Outcome(new ValidationReport(findings, files, set.documents().size()), good, model, policies);
    }
}
