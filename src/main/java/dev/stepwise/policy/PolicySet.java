package dev.stepwise.policy;

import dev.stepwise.cel.CelMessages;

import dev.cel.bundle.Cel;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelSource;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.CelType;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelVariableResolver;
import dev.stepwise.spec.Finding;
import dev.stepwise.spec.Location;
import dev.stepwise.spec.Severity;
import dev.stepwise.spec.SpecDocument;
import dev.stepwise.spec.SpecKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The policy rules of a spec repository, compiled once and evaluated against any number of documents, at
 * validation time and again at reconcile time.
 *
 * <p>{@link #compile} reads every {@code kind: Policy} document it is given and compiles each rule's CEL expression;
 * what it finds wrong (a rule that does not parse or type-check, a result that cannot be a bool, duplicate names,
 * entries it cannot use) comes back in {@link #findings()}, located in the policy file. A broken rule is left out and
 * the policy's other rules still apply.
 *
 * <p>{@link #evaluate} runs every rule whose {@code match} selects the document, with {@code object} bound to the
 * whole document. It never throws for anything a document or a rule contains: a false rule is a {@code policy.deny}
 * error or {@code policy.warn} warning, a rule that fails to evaluate a {@code policy.eval} finding. All findings
 * about a document are located at its start (pointer {@code ""}), since a rule judges the document as a whole.
 *
 * <p>A PolicySet is immutable and safe to share between threads: compiled CEL programs hold no evaluation state.
 */
public final class PolicySet {

    public static final String COMPILE = "policy.compile";
    public static final String EVAL = "policy.eval";
    public static final String DUPLICATE = "policy.duplicate";
    public static final String INVALID = PolicyReader.INVALID;

    /** At most this many CEL issues are spelled out per rule; the first is usually the one that matters. */
    private static final int MAX_ISSUES = 3;

    public static final PolicySet EMPTY = new PolicySet(List.of(), List.of(), List.of());

    private record CompiledRule(PolicyRule rule, CelRuntime.Program program, CelSource source) {
    }

    private final List<CompiledRule> rules;
    private final List<ApproverRule> approvers;
    private final List<Finding> findings;

    private PolicySet(List<CompiledRule> rules, List<ApproverRule> approvers, List<Finding> findings) {
        this.rules = List.copyOf(rules);
        this.approvers = List.copyOf(approvers);
        this.findings = List.copyOf(findings);
    }

    /**
     * Compiles the rules of the Policy documents among {@code policyDocuments} (documents of other kinds are left
     * alone, so a whole {@code SpecSet}'s documents may be passed).
     */
    public static PolicySet compile(List<SpecDocument> policyDocuments) {
        List<Finding> findings = new ArrayList<>();
        List<CompiledRule> compiled = new ArrayList<>();
        List<ApproverRule> approvers = new ArrayList<>();
        Map<String, SpecDocument> policiesByName = new HashMap<>();
        for (SpecDocument doc : policyDocuments) {
            if (doc.kind().orElse(null) != SpecKind.POLICY) {
                continue;
            }
            PolicyReader.ReadPolicy policy = PolicyReader.read(doc, findings);
            SpecDocument first = policiesByName.putIfAbsent(policy.name(), doc);
            if (first != null) {
                findings.add(doc.finding(Severity.ERROR, "/metadata/name", DUPLICATE, "policy " + policy.name()
                        + " is defined twice (also in " + at(first.locate("/metadata/name"))
                        + "); policy names must be unique because findings name rules as <policy>/<rule>"));
            }
            Map<String, PolicyRule> rulesByName = new HashMap<>();
            for (PolicyRule rule : policy.rules()) {
                PolicyRule same = rulesByName.putIfAbsent(rule.name(), rule);
                if (same != null) {
                    findings.add(doc.finding(Severity.ERROR, rule.pointer() + "/name", DUPLICATE, rule.qualifiedName()
                            + ": a second rule named " + rule.name() + " in this policy (the first is at line "
                            + doc.locate(same.pointer() + "/name").line() + "); rule names must be unique within a policy"));
                }
                // Both rules of a duplicate pair stay in force: enforcing more is the safe side of a naming mistake.
                compileRule(doc, rule, findings).ifPresent(compiled::add);
            }
            approvers.addAll(policy.approvers());
        }
        return new PolicySet(compiled, approvers, findings);
    }

    private static Optional<CompiledRule> compileRule(SpecDocument doc, PolicyRule rule, List<Finding> findings) {
        String pointer = rule.pointer() + "/rule";
        Cel cel = CelPolicyEnvironment.cel();
        try {
            CelValidationResult result = cel.compile(rule.expression(), "rule");
            if (result.hasError()) {
                String issues = result.getErrors().stream().limit(MAX_ISSUES)
                        .map(issue -> CelMessages.compileIssue(issue, rule.expression()))
                        .distinct()
                        .collect(Collectors.joining("; "));
                int more = result.getErrors().size() - MAX_ISSUES;
                findings.add(doc.finding(Severity.ERROR, pointer, COMPILE, rule.qualifiedName()
                        + ": rule does not compile: " + issues + (more > 0 ? " (and " + more + " more)" : "")));
                return Optional.empty();
            }
            CelAbstractSyntaxTree ast = result.getAst();
            CelType type = ast.getResultType();
            if (type.kind() != CelKind.BOOL && type.kind() != CelKind.DYN) {
                findings.add(doc.finding(Severity.ERROR, pointer, COMPILE, rule.qualifiedName()
                        + ": a rule must evaluate to true or false, but this one evaluates to " + type.name()
                        + " (compare it, e.g. '… == …' or '… <= 10')"));
                return Optional.empty();
            }
            return Optional.of(new CompiledRule(rule, cel.createProgram(ast), ast.getSource()));
        } catch (Exception e) { // CelValidationException, CelEvaluationException, or a CEL internal failure
            findings.add(doc.finding(Severity.ERROR, pointer, COMPILE, rule.qualifiedName()
                    + ": rule does not compile: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())));
            return Optional.empty();
        }
    }

    /** What is wrong with the policies themselves (compile errors, duplicates, unusable entries). */
    public List<Finding> findings() {
        return findings;
    }

    /** The rules that compiled, in the order of their files and documents. */
    public List<PolicyRule> rules() {
        return rules.stream().map(CompiledRule::rule).toList();
    }

    /** Every approver rule of every policy, in file order. */
    public List<ApproverRule> approvers() {
        return approvers;
    }

    /** The approver rules whose match selects {@code target}, in file order: who may decide its promotions. */
    public List<ApproverRule> approversFor(SpecDocument target) {
        return approvers.stream().filter(a -> a.match().matches(target)).toList();
    }

    /** Runs every rule that matches {@code target}; one finding per rule that is false or cannot be evaluated. */
    public List<Finding> evaluate(SpecDocument target) {
        List<Finding> out = new ArrayList<>();
        CelVariableResolver variables = null;
        for (CompiledRule compiled : rules) {
            PolicyRule rule = compiled.rule();
            if (!rule.match().matches(target)) {
                continue;
            }
            if (variables == null) { // adapted once per document, only if some rule applies to it
                variables = objectResolver(CelDocumentValues.adapt(target.content()));
            }
            Object result;
            try {
                result = compiled.program().eval(variables);
            } catch (CelEvaluationException e) {
                CelMessages.EvalProblem problem = CelMessages.evaluation(e, compiled.source(), rule.expression());
                out.add(evalFinding(target, rule, problem.message() + "; " + problem.hint()));
                continue;
            } catch (RuntimeException e) { // a CEL internal failure must not stop the other rules or documents
                out.add(evalFinding(target, rule, (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                        + "; guard fields that may be absent with has()"));
                continue;
            }
            if (result instanceof Boolean passed) {
                if (!passed) {
                    out.add(new Finding(rule.action().severity(), target.locate(""), "", rule.action().code(),
                            rule.qualifiedName() + ": " + rule.message() + " (" + ruleAt(rule) + ")"));
                }
            } else {
                out.add(evalFinding(target, rule, "the rule evaluated to " + describeValue(result)
                        + ", not to true or false; compare the value (e.g. '… == true')"));
            }
        }
        return out;
    }

    /** {@link #evaluate} for each document, in order. */
    public List<Finding> evaluateAll(List<SpecDocument> targets) {
        List<Finding> out = new ArrayList<>();
        for (SpecDocument target : targets) {
            out.addAll(evaluate(target));
        }
        return out;
    }

    /** Binds {@code object}; a resolver rather than a map spares CEL copying the bindings on every evaluation. */
    private static CelVariableResolver objectResolver(Object document) {
        Optional<Object> bound = Optional.of(document);
        return name -> CelPolicyEnvironment.OBJECT.equals(name) ? bound : Optional.empty();
    }

    private static Finding evalFinding(SpecDocument target, PolicyRule rule, String problem) {
        return new Finding(rule.action().severity(), target.locate(""), "", EVAL, rule.qualifiedName()
                + ": could not evaluate the rule on " + target.describe() + ": " + problem + " (" + ruleAt(rule) + ")");
    }

    private static String ruleAt(PolicyRule rule) {
        return "rule at " + at(rule.location());
    }

    private static String at(Location location) {
        return location.hasLine() ? location.file() + ":" + location.line() : location.file();
    }

    private static String describeValue(Object value) {
        String text = String.valueOf(value);
        if (text.length() > 40) {
            text = text.substring(0, 40) + "…";
        }
        String type = value instanceof String ? "string" : value instanceof Long ? "int" : value instanceof Double ? "double"
                : value instanceof Map<?, ?> ? "map" : value instanceof List<?> ? "list" : "a value of another type";
        return (value instanceof String ? "'" + text + "'" : text) + " (" + type + ")";
    }
}
