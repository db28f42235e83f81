package dev.stepwise.policy;

import dev.stepwise.spec.Finding;
import dev.stepwise.spec.JsonPointer;
import dev.stepwise.spec.Severity;
import dev.stepwise.spec.SpecDocument;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the rules and approver rules out of one Policy document. It checks only what it needs in order to use an
 * entry (a rule needs a name and an expression, an action must be deny or warn, match fields must be lists and maps
 * of strings); everything else about the document's shape is the JSON Schema's job. An entry it cannot use is
 * reported ({@code policy.invalid}) and skipped, and the other entries of the policy are still read.
 */
final class PolicyReader {

    static final String INVALID = "policy.invalid";

    /** What one Policy document says. */
    record ReadPolicy(String name, SpecDocument document, List<PolicyRule> rules, List<ApproverRule> approvers) {
    }

    private final SpecDocument doc;
    private final List<Finding> findings;

    private PolicyReader(SpecDocument doc, List<Finding> findings) {
        this.doc = doc;
        this.findings = findings;
    }

    static ReadPolicy read(SpecDocument doc, List<Finding> findings) {
        return new PolicyReader(doc, findings).read();
    }

    private ReadPolicy read() {
        String name = doc.name();
        if (name.isBlank()) {
            name = "(unnamed policy " + (doc.index() + 1) + " of " + doc.file() + ")";
            invalid(doc.metadata().isEmpty() ? "" : "/metadata",
                    "a Policy needs metadata.name: findings of its rules are reported as <policy>/<rule>");
        }
        Object spec = doc.content().get("spec");
        if (!(spec instanceof Map<?, ?> specMap)) {
            invalid(spec == null ? "" : "/spec", "a Policy needs a spec mapping with rules (and optionally approvers)");
            return new ReadPolicy(name, doc, List.of(), List.of());
        }
        List<PolicyRule> rules = readRules(name, specMap.get("rules"));
        List<ApproverRule> approvers = readApprovers(name, specMap.get("approvers"));
        return new ReadPolicy(name, doc, rules, approvers);
    }

    private List<PolicyRule> readRules(String policy, Object value) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            invalid("/spec/rules", "spec.rules must be a list of rules");
            return List.of();
        }
        List<PolicyRule> rules = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            readRule(policy, list.get(i), "/spec/rules/" + i).ifPresent(rules::add);
        }
        return rules;
    }

    private Optional<PolicyRule> readRule(String policy, Object value, String at) {
        if (!(value instanceof Map<?, ?> map)) {
            invalid(at, "a rule must be a mapping with name and rule; skipped");
            return Optional.empty();
        }
        Optional<String> name = requiredString(map, "name", at, "a rule needs a name; this one is skipped");
        String label = name.map(n -> "rule '" + n + "'").orElse("this rule");
        Optional<String> expression = requiredString(map, "rule", at,
                label + " needs a rule: a CEL expression that is true when the document is acceptable; skipped");
        String message = optionalString(map, "message", at).orElse("");
        PolicyAction action = PolicyAction.DENY;
        Object rawAction = map.get("action");
        if (rawAction != null) {
            Optional<PolicyAction> parsed = rawAction instanceof String s ? PolicyAction.parse(s) : Optional.empty();
            if (parsed.isEmpty()) {
                invalid(at + "/action", "action must be deny or warn, not '" + rawAction + "'; " + label + " is skipped");
                return Optional.empty();
            }
            action = parsed.get();
        }
        Optional<PolicyMatch> match = readMatch(map.get("match"), at + "/match");
        if (name.isEmpty() || expression.isEmpty() || match.isEmpty()) {
            return Optional.empty();
        }
        if (message.isBlank()) {
            message = "rule is false: " + expression.get().strip().replaceAll("\\s+", " ");
        }
        return Optional.of(new PolicyRule(policy, name.get(), expression.get(), message.strip(), action, match.get(),
                at, doc.locate(at + "/rule")));
    }

    private List<ApproverRule> readApprovers(String policy, Object value) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            invalid("/spec/approvers", "spec.approvers must be a list of {match, emails, requireSignedCommits}");
            return List.of();
        }
        List<ApproverRule> approvers = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String at = "/spec/approvers/" + i;
            if (!(list.get(i) instanceof Map<?, ?> map)) {
                invalid(at, "an approver rule must be a mapping with emails (and optionally match and requireSignedCommits); skipped");
                continue;
            }
            Optional<PolicyMatch> match = readMatch(map.get("match"), at + "/match");
            Optional<List<String>> emails = readEmails(map.get("emails"), at + "/emails");
            boolean signed = false;
            Object rawSigned = map.get("requireSignedCommits");
            if (rawSigned instanceof Boolean b) {
                signed = b;
            } else if (rawSigned != null) {
                invalid(at + "/requireSignedCommits", "requireSignedCommits must be true or false; this approver rule is skipped");
                continue;
            }
            if (match.isPresent() && emails.isPresent()) {
                approvers.add(new ApproverRule(policy, match.get(), emails.get(), signed, doc.locate(at)));
            }
        }
        return approvers;
    }

    private Optional<List<String>> readEmails(Object value, String at) {
        if (!(value instanceof List<?> list) || list.isEmpty()) {
            invalid(value == null ? JsonPointer.parent(at) : at,
                    "an approver rule needs emails: a non-empty list of e-mail addresses; skipped");
            return Optional.empty();
        }
        List<String> emails = new ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < list.size(); i++) {
            Object e = list.get(i);
            if (e instanceof String s && looksLikeEmail(s)) {
                emails.add(s.strip());
            } else {
                invalid(at + "/" + i, "'" + e + "' is not an e-mail address; this approver rule is skipped");
                ok = false;
            }
        }
        return ok ? Optional.of(emails) : Optional.empty();
    }

    private static boolean looksLikeEmail(String s) {
        String t = s.strip();
        int at = t.indexOf('@');
        return at > 0 && at == t.lastIndexOf('@') && at < t.length() - 1 && t.chars().noneMatch(Character::isWhitespace);
    }

    private Optional<PolicyMatch> readMatch(Object value, String at) {
        if (value == null) {
            return Optional.of(PolicyMatch.ALL);
        }
        if (!(value instanceof Map<?, ?> map)) {
            invalid(at, "match must be a mapping of kinds, namespaces, names and labels; the entry is skipped");
            return Optional.empty();
        }
        Optional<List<String>> kinds = stringList(map.get("kinds"), at + "/kinds");
        Optional<List<String>> namespaces = stringList(map.get("namespaces"), at + "/namespaces");
        Optional<List<String>> names = stringList(map.get("names"), at + "/names");
        Optional<Map<String, String>> labels = labels(map.get("labels"), at + "/labels");
        if (kinds.isEmpty() || namespaces.isEmpty() || names.isEmpty() || labels.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new PolicyMatch(kinds.get(), namespaces.get(), names.get(), labels.get()));
    }

    private Optional<List<String>> stringList(Object value, String at) {
        if (value == null) {
            return Optional.of(List.of());
        }
        if (value instanceof List<?> list && list.stream().allMatch(v -> v instanceof String)) {
            return Optional.of(list.stream().map(v -> (String) v).toList());
        }
        invalid(at, JsonPointer.lastToken(at) + " must be a list of strings; the entry is skipped");
        return Optional.empty();
    }

    private Optional<Map<String, String>> labels(Object value, String at) {
        if (value == null) {
            return Optional.of(Map.of());
        }
        if (!(value instanceof Map<?, ?> map)) {
            invalid(at, "labels must be a mapping of label names to values; the entry is skipped");
            return Optional.empty();
        }
        Map<String, String> labels = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            Object v = e.getValue();
            if (v instanceof Map<?, ?> || v instanceof List<?>) {
                invalid(JsonPointer.child(at, String.valueOf(e.getKey())), "a label value must be a string; the entry is skipped");
                return Optional.empty();
            }
            // Same reading as SpecDocument.labels(): an unquoted `version: 2` compares as "2".
            labels.put(String.valueOf(e.getKey()), v == null ? "" : String.valueOf(v));
        }
        return Optional.of(labels);
    }

    private Optional<String> requiredString(Map<?, ?> map, String key, String at, String missing) {
        Object v = map.get(key);
        if (v instanceof String s && !s.isBlank()) {
            return Optional.of(s);
        }
        if (v == null || (v instanceof String)) {
            invalid(v == null ? at : at + "/" + key, missing);
        } else {
            invalid(at + "/" + key, key + " must be a string, not " + describe(v));
        }
        return Optional.empty();
    }

    private Optional<String> optionalString(Map<?, ?> map, String key, String at) {
        Object v = map.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof String s) {
            return Optional.of(s);
        }
        if (v instanceof Map<?, ?> || v instanceof List<?>) {
            invalid(at + "/" + key, key + " must be a string, not " + describe(v));
            return Optional.empty();
        }
        return Optional.of(String.valueOf(v));
    }

    private static String describe(Object v) {
        if (v instanceof Map<?, ?>) {
            return "a mapping";
        }
        if (v instanceof List<?>) {
            return "a list";
        }
        return "'" + v + "'";
    }

    private void invalid(String pointer, String message) {
        String policy = doc.name().isBlank() ? doc.describe() : "policy " + doc.name();
        findings.add(doc.finding(Severity.ERROR, pointer, INVALID, policy + ": " + message));
    }
}
