package dev.stepwise.engine.analysis;

import dev.cel.bundle.Cel;
import dev.stepwise.cel.CelMessages;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelRuntime;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code successCondition} or {@code failureCondition} of an analysis metric, compiled once and evaluated against
 * each measurement's {@code result}.
 *
 * <p>Conditions are CEL. Argo Rollouts writes them in the expr language, and the forms people actually use there
 * ({@code result[0] >= 0.99}, {@code result <= 500}, {@code result == "ok"}, {@code len(result) > 0},
 * {@code result[0] > 1 and result[0] < 5}, {@code not isNaN(result)}, {@code asInt(result) == 200}) are accepted
 * unchanged: the words {@code and}, {@code or}, {@code not} and {@code len(} are read as CEL's {@code &&}, {@code ||},
 * {@code !} and {@code size(} outside string literals, and Argo's helper functions {@code isNaN}, {@code isInf},
 * {@code asInt}, {@code asFloat} and {@code default} are defined. Numbers compare across int and double, as in Argo,
 * so {@code result <= 500} works whether the provider returned 480 or 480.0.
 */
public final class MetricCondition {

    /** A condition that compiled, or the reason it did not. */
    public sealed interface Compiled permits Ok, Invalid {
    }

    public record Ok(MetricCondition condition) implements Compiled {
    }

    /** {@code column} is 1-based within the expression, 0 when CEL gave none. */
    public record Invalid(String message, int column) implements Compiled {
    }

    private static final Cel CEL = CelFactory.standardCelBuilder()
            .setOptions(CelOptions.current()
                    .enableHeterogeneousNumericComparisons(true)
                    .maxParseRecursionDepth(64)
                    .comprehensionMaxIterations(10_000)
                    .build())
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar("result", SimpleType.DYN)
            .setResultType(SimpleType.BOOL)
            .addFunctionDeclarations(
                    CelFunctionDecl.newFunctionDeclaration("isNaN",
                            CelOverloadDecl.newGlobalOverload("isNaN_dyn", SimpleType.BOOL, SimpleType.DYN)),
                    CelFunctionDecl.newFunctionDeclaration("isInf",
                            CelOverloadDecl.newGlobalOverload("isInf_dyn", SimpleType.BOOL, SimpleType.DYN)),
                    CelFunctionDecl.newFunctionDeclaration("asInt",
                            CelOverloadDecl.newGlobalOverload("asInt_dyn", SimpleType.INT, SimpleType.DYN)),
                    CelFunctionDecl.newFunctionDeclaration("asFloat",
                            CelOverloadDecl.newGlobalOverload("asFloat_dyn", SimpleType.DOUBLE, SimpleType.DYN)),
                    CelFunctionDecl.newFunctionDeclaration("default",
                            CelOverloadDecl.newGlobalOverload("default_dyn_dyn", SimpleType.DYN, SimpleType.DYN, SimpleType.DYN)))
            .addFunctionBindings(
                    CelFunctionBinding.from("isNaN_dyn", Object.class, v -> v instanceof Double d && d.isNaN()),
                    CelFunctionBinding.from("isInf_dyn", Object.class, v -> v instanceof Double d && d.isInfinite()),
                    CelFunctionBinding.from("asInt_dyn", Object.class, MetricCondition::asInt),
                    CelFunctionBinding.from("asFloat_dyn", Object.class, MetricCondition::asFloat),
                    CelFunctionBinding.from("default_dyn_dyn", Object.class, Object.class,
                            (v, fallback) -> v == null || (v instanceof Double d && d.isNaN()) ? fallback : v))
            .build();

    private final String source;
    private final CelRuntime.Program program;

    private MetricCondition(String source, CelRuntime.Program program) {
        this.source = source;
        this.program = program;
    }

    public String source() {
        return source;
    }

    public static Compiled compile(String source) {
        if (source == null || source.isBlank()) {
            return new Invalid("the condition is empty", 0);
        }
        String cel = fromArgoSyntax(source);
        CelValidationResult result = CEL.compile(cel);
        if (result.hasError()) {
            CelIssue first = result.getErrors().get(0);
            int column = first.getSourceLocation().getColumn();
            String message = CelMessages.compileIssue(first, cel,
                    "a condition sees the measurement as 'result', e.g. result[0] >= 0.99");
            return new Invalid(message, column < 0 ? 0 : column + 1);
        }
        try {
            CelAbstractSyntaxTree ast = result.getAst();
            return new Ok(new MetricCondition(source, CEL.createProgram(ast)));
        } catch (CelValidationException | CelEvaluationException e) {
            return new Invalid(e.getMessage(), 0);
        }
    }

    /** True or false for this measurement's result, or the reason the condition could not be evaluated. */
    public Evaluation evaluate(Object result) {
        try {
            Object value = program.eval(Map.of("result", normalize(result)));
            if (value instanceof Boolean b) {
                return new Evaluation(Optional.of(b), "");
            }
            return new Evaluation(Optional.empty(), "the condition gave " + value + ", not true or false");
        } catch (CelEvaluationException | RuntimeException e) {
            return new Evaluation(Optional.empty(), firstLine(e.getMessage()));
        }
    }

    /** The outcome of one evaluation: a verdict, or an error message (never both). */
    public record Evaluation(Optional<Boolean> verdict, String error) {
        public boolean isError() {
            return verdict.isEmpty();
        }
    }

    /** CEL knows int (long) and double; providers may hand us Integer or Float. */
    private static Object normalize(Object v) {
        if (v instanceof Integer i) {
            return i.longValue();
        }
        if (v instanceof Float f) {
            return f.doubleValue();
        }
        if (v instanceof List<?> list) {
            return list.stream().map(MetricCondition::normalize).toList();
        }
        return v == null ? dev.cel.common.values.NullValue.NULL_VALUE : v;
    }

    private static Long asInt(Object v) {
        if (v instanceof Number n) {
            return n.longValue();
        }
        return Long.parseLong(String.valueOf(v).trim());
    }

    private static Double asFloat(Object v) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        return Double.parseDouble(String.valueOf(v).trim());
    }

    /** expr's predicate functions, which take a closure {@code {…}} over {@code #}, and how CEL writes each. */
    private static final java.util.Set<String> CLOSURE_FUNCTIONS = java.util.Set.of("all", "any", "none", "one", "filter", "map", "count");

    /**
     * Rewrites the expr-language forms Argo users write into CEL, leaving string literals alone: the words {@code and},
     * {@code or}, {@code not} and {@code len(}, and expr's predicate functions with a closure, such as
     * {@code all(result[0].Values, {# <= 0.01})} or {@code any(result, {.value > 5})}, which become CEL macros
     * ({@code (result[0].Values).all(it0, it0 <= 0.01)}). Inside a closure, {@code #} is the current element and a
     * leading {@code .field} is a field of it. Positions shift, so CEL's error columns are approximate after a rewrite.
     */
    static String fromArgoSyntax(String s) {
        return rewrite(s, 0);
    }

    private static String rewrite(String s, int depth) {
        StringBuilder out = new StringBuilder(s.length() + 8);
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '"' || c == '\'') {
                int end = endOfString(s, i);
                out.append(s, i, end);
                i = end;
                continue;
            }
            if (Character.isJavaIdentifierStart(c)) {
                int end = i;
                while (end < s.length() && Character.isJavaIdentifierPart(s.charAt(end))) {
                    end++;
                }
                String word = s.substring(i, end);
                boolean member = i > 0 && s.charAt(i - 1) == '.';
                int open = skipSpaces(s, end);
                if (!member && CLOSURE_FUNCTIONS.contains(word) && open < s.length() && s.charAt(open) == '(') {
                    int close = matching(s, open);
                    int comma = topLevelComma(s, open + 1, close);
                    String body = comma < 0 ? "" : s.substring(comma + 1, close).trim();
                    if (close > 0 && comma > 0 && body.startsWith("{") && body.endsWith("}")) {
                        String var = "it" + depth;
                        String list = "(" + rewrite(s.substring(open + 1, comma).trim(), depth) + ")";
                        String predicate = rewrite(closureBody(body.substring(1, body.length() - 1), var), depth + 1);
                        out.append(switch (word) {
                            case "all" -> list + ".all(" + var + ", " + predicate + ")";
                            case "any" -> list + ".exists(" + var + ", " + predicate + ")";
                            case "none" -> "!" + list + ".exists(" + var + ", " + predicate + ")";
                            case "one" -> list + ".exists_one(" + var + ", " + predicate + ")";
                            case "filter" -> list + ".filter(" + var + ", " + predicate + ")";
                            case "map" -> list + ".map(" + var + ", " + predicate + ")";
                            default -> "size(" + list + ".filter(" + var + ", " + predicate + "))";
                        });
                        i = close + 1;
                        continue;
                    }
                }
                out.append(member ? word : switch (word) {
                    case "and" -> "&&";
                    case "or" -> "||";
                    case "not" -> "!";
                    case "len" -> "size";
                    default -> word;
                });
                i = end;
                continue;
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    /**
     * A closure's body with {@code #} and a leading {@code .field} made into the named variable; inside a nested
     * closure ({@code {…}}) they belong to that closure and are left for its own rewrite.
     */
    private static String closureBody(String body, String var) {
        StringBuilder out = new StringBuilder();
        int nested = 0;
        int i = 0;
        while (i < body.length()) {
            char c = body.charAt(i);
            if (c == '"' || c == '\'') {
                int end = endOfString(body, i);
                out.append(body, i, end);
                i = end;
                continue;
            }
            if (c == '{' || c == '}') {
                nested += c == '{' ? 1 : -1;
                out.append(c);
            } else if (nested > 0) {
                out.append(c);
            } else if (c == '#') {
                out.append(var);
            } else if (c == '.' && i + 1 < body.length() && Character.isJavaIdentifierStart(body.charAt(i + 1))
                    && startsOperand(out)) {
                out.append(var).append('.');
            } else {
                out.append(c);
            }
            i++;
        }
        return out.toString();
    }

    /** True when what was written so far ends where an operand may start (so a '.' there is expr's field shorthand). */
    private static boolean startsOperand(StringBuilder written) {
        for (int k = written.length() - 1; k >= 0; k--) {
            char p = written.charAt(k);
            if (!Character.isWhitespace(p)) {
                return !(Character.isJavaIdentifierPart(p) || p == ')' || p == ']' || p == '"' || p == '\'');
            }
        }
        return true;
    }

    private static int endOfString(String s, int start) {
        char quote = s.charAt(start);
        int end = start + 1;
        while (end < s.length() && s.charAt(end) != quote) {
            end += s.charAt(end) == '\\' ? 2 : 1;
        }
        return Math.min(end + 1, s.length());
    }

    private static int skipSpaces(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /** The index of the bracket closing the one at {@code open}, or -1. */
    private static int matching(String s, int open) {
        int level = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\'') {
                i = endOfString(s, i) - 1;
            } else if (c == '(' || c == '[' || c == '{') {
                level++;
            } else if ((c == ')' || c == ']' || c == '}') && --level == 0) {
                return i;
            }
        }
        return -1;
    }

    private static int topLevelComma(String s, int from, int to) {
        int level = 0;
        for (int i = from; i < to && i >= 0; i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\'') {
                i = endOfString(s, i) - 1;
            } else if (c == '(' || c == '[' || c == '{') {
                level++;
            } else if (c == ')' || c == ']' || c == '}') {
                level--;
            } else if (c == ',' && level == 0) {
                return i;
            }
        }
        return -1;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "evaluation failed";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
