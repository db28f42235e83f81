package dev.stepwise.spec.model;

import dev.stepwise.spec.Finding;
import dev.stepwise.spec.Severity;
import dev.stepwise.spec.SpecDocument;
import java.util.ArrayList;
import java.util.List;

/** The state of mapping one document: the document (to locate findings) and what was found on the way. */
final class Mapping {
    private final SpecDocument doc;
    private final List<Finding> findings = new ArrayList<>();

    Mapping(SpecDocument doc) {
        this.doc = doc;
    }

    SpecDocument doc() {
        return doc;
    }

    Node root() {
        return new Node(doc.content(), "", this);
    }

    Node at(String pointer) {
        return new Node(doc.at(pointer).orElse(null), pointer, this);
    }

    List<Finding> findings() {
        return findings;
    }

    boolean hasErrors() {
        return findings.stream().anyMatch(Finding::isError);
    }

    /** A value of the wrong shape: schema validation reports it precisely; the model only notes that it skipped it. */
    void odd(String pointer, String message) {
        findings.add(doc.finding(Severity.WARNING, pointer, "model.unreadable", message));
    }

    void error(String pointer, String code, String message) {
        findings.add(doc.finding(Severity.ERROR, pointer, code, message));
    }

    void warning(String pointer, String code, String message) {
        findings.add(doc.finding(Severity.WARNING, pointer, code, message));
    }

    void info(String pointer, String code, String message) {
        findings.add(doc.finding(Severity.INFO, pointer, code, message));
    }
}
