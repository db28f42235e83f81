package dev.stepwise.spec;

import java.util.List;

/**
 * Everything read from one spec repository (or folder): the documents of kinds Stepwise reads, in file order, and
 * the findings of reading them (unreadable files, syntax errors, documents without a kind, kinds that were ignored).
 */
public record SpecSet(List<SpecDocument> documents, List<Finding> findings, int filesRead) {

    public SpecSet {
        documents = List.copyOf(documents);
        findings = List.copyOf(findings);
    }

    public List<SpecDocument> ofKind(SpecKind kind) {
        return documents.stream().filter(d -> d.kind().orElse(null) == kind).toList();
    }

    /** Argo Rollouts and Flagger Canaries: everything that can be rolled out. */
    public List<SpecDocument> rollouts() {
        return documents.stream().filter(d -> d.kind().map(SpecKind::isRollout).orElse(false)).toList();
    }
}
