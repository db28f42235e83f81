package dev.stepwise.validate;

import dev.stepwise.spec.Finding;
import dev.stepwise.spec.Severity;
import java.util.List;

/** What {@code stepwise validate} found in a spec repository: every finding in file order, and what was read. */
public record ValidationReport(List<Finding> findings, int filesRead, int documentsRead) {

    public ValidationReport {
        findings = findings.stream().sorted(Finding.BY_PLACE).toList();
    }

    public long count(Severity severity) {
        return findings.stream().filter(f -> f.severity() == severity).count();
    }

    /** Valid means no errors and no denying policy; warnings are allowed. */
    public boolean valid() {
        return count(Severity.ERROR) == 0;
    }
}
