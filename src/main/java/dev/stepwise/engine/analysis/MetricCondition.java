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

    /**
     * Rewrites the expr-language words Argo users write into CEL, leaving string literals alone. Positions shift by at
     * most a character or two, so CEL's error columns still point at the right place in practice.
     */
    static String fromArgoSyntax(String s) {
        StringBuilder out = new StringBuilder(s.length() + 8);
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '"' || c == '\'') {
                int end = i + 1;
                while (end < s.length() && s.charAt(end) != c) {
                    end += s.charAt(end) == '\\' ? 2 : 1;
                }
                end = Math.min(end + 1, s.length());
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
                boolean preceededByDot = i > 0 && s.charAt(i - 1) == '.';
                String replaced = preceededByDot ? word : switch (word) {
                    case "and" -> "&&";
                    case "or" -> "||";
                    case "not" -> "!";
                    case "len" -> "size";
                    default -> word;
                };
                out.append(replaced);
                i = end;
                continue;
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "evaluation failed";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
