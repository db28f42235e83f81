package dev.stepwise.cli;

import dev.stepwise.spec.Finding;
import dev.stepwise.spec.Severity;
import dev.stepwise.validate.ValidationReport;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Prints a {@link ValidationReport} as text, JSON or GitHub Actions annotations. */
final class FindingsRenderer {

    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private FindingsRenderer() {
    }

    static void render(ValidationReport report, OutputFormat format, PrintWriter out) {
        switch (format) {
            case text -> text(report, out);
            case json -> json(report, out);
            case github -> github(report, out);
        }
        out.flush();
    }

    /** One line per finding, {@code path:line:col: severity: message}, a blank line between files, then a summary. */
    private static void text(ValidationReport report, PrintWriter out) {
        Map<String, List<Finding>> byFile = new LinkedHashMap<>();
        for (Finding f : report.findings()) {
            byFile.computeIfAbsent(f.location().file(), k -> new java.util.ArrayList<>()).add(f);
        }
        boolean first = true;
        for (List<Finding> group : byFile.values()) {
            if (!first) {
                out.println();
            }
            first = false;
            group.forEach(f -> out.println(f.toLine()));
        }
        if (!byFile.isEmpty()) {
            out.println();
        }
        out.println(summary(report));
    }

    static String summary(ValidationReport report) {
        long errors = report.count(Severity.ERROR);
        long warnings = report.count(Severity.WARNING);
        String verdict = errors == 0 ? "valid" : "invalid";
        return String.format("%s: %d %s, %d %s in %d %s (%d %s)", verdict,
                errors, plural(errors, "error"), warnings, plural(warnings, "warning"),
                report.filesRead(), plural(report.filesRead(), "file"),
                report.documentsRead(), plural(report.documentsRead(), "document"));
    }

    private static String plural(long n, String word) {
        return n == 1 ? word : word + "s";
    }

    private static void json(ValidationReport report, PrintWriter out) {
        ObjectNode root = JSON.createObjectNode();
        root.put("valid", report.valid());
        ObjectNode summary = root.putObject("summary");
        summary.put("errors", report.count(Severity.ERROR));
        summary.put("warnings", report.count(Severity.WARNING));
        summary.put("infos", report.count(Severity.INFO));
        summary.put("files", report.filesRead());
        summary.put("documents", report.documentsRead());
        ArrayNode findings = root.putArray("findings");
        for (Finding f : report.findings()) {
            ObjectNode n = findings.addObject();
            n.put("file", f.location().file());
            n.put("line", f.location().line());
            n.put("column", f.location().column());
            n.put("pointer", f.pointer());
            n.put("severity", f.severity().label());
            n.put("code", f.code());
            n.put("message", f.message());
        }
        out.println(JSON.writeValueAsString(root));
    }

    /**
     * GitHub Actions workflow commands ({@code ::error file=…,line=…,col=…,title=…::message}), which GitHub shows as
     * annotations on the pull request's diff. Informational findings (ignored kinds) are left out: they would clutter
     * every pull request.
     */
    private static void github(ValidationReport report, PrintWriter out) {
        for (Finding f : report.findings()) {
            if (f.severity() == Severity.INFO) {
                continue;
            }
            String command = f.severity() == Severity.ERROR ? "error" : "warning";
            StringBuilder props = new StringBuilder("file=").append(property(f.location().file()));
            if (f.location().hasLine()) {
                props.append(",line=").append(f.location().line()).append(",col=").append(f.location().column());
            }
            props.append(",title=").append(property("stepwise " + f.code()));
            String message = f.pointer().isEmpty() ? f.message() : f.message() + " (at " + f.pointer() + ")";
            out.println("::" + command + " " + props + "::" + data(message));
        }
        out.println(summary(report));
    }

    /** Escaping of a workflow command's message, as GitHub's toolkit does it. */
    static String data(String s) {
        return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
    }

    /** Escaping of a workflow command's property value: the message escapes plus ':' and ','. */
    static String property(String s) {
        return data(s).replace(":", "%3A").replace(",", "%2C");
    }

}
