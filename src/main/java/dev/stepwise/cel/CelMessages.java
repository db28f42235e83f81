package dev.stepwise.cel;

import dev.cel.common.CelErrorCode;
import dev.cel.common.CelIssue;
import dev.cel.common.CelSource;
import dev.cel.common.CelSourceLocation;
import dev.cel.runtime.CelEvaluationException;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns CEL's messages into ones a policy author can act on: parser jargon ({@code mismatched input '<EOF>'
 * expecting {'[', '{', …}}) becomes "the expression ends too early", operator overloads are named by their operator
 * ({@code '+'}, not {@code '_+_'}), and every message says where in the expression the problem is (CEL counts from
 * 0, we say "column" counting from 1, as editors do) with the text found there.
 */
public final class CelMessages {

    /** CEL's internal names of operators, as the author wrote them. */
    private static final Map<String, String> OPERATORS = Map.ofEntries(
            Map.entry("_+_", "+"), Map.entry("_-_", "-"), Map.entry("_*_", "*"), Map.entry("_/_", "/"),
            Map.entry("_%_", "%"), Map.entry("_==_", "=="), Map.entry("_!=_", "!="), Map.entry("_<_", "<"),
            Map.entry("_<=_", "<="), Map.entry("_>_", ">"), Map.entry("_>=_", ">="), Map.entry("_&&_", "&&"),
            Map.entry("_||_", "||"), Map.entry("!_", "!"), Map.entry("-_", "-"), Map.entry("_[_]", "[]"),
            Map.entry("_?_:_", "?:"), Map.entry("@in", "in"));

    private static final Pattern MISMATCHED = Pattern.compile("(?:mismatched|extraneous) input '(.*)' expecting (.*)", Pattern.DOTALL);
    private static final Pattern NO_VIABLE = Pattern.compile("no viable alternative at input '(.*)'", Pattern.DOTALL);
    private static final Pattern TOKEN = Pattern.compile("token recognition error at: '(.*)'", Pattern.DOTALL);
    private static final Pattern UNDECLARED = Pattern.compile("undeclared reference to '([^']*)'.*");
    private static final Pattern OVERLOAD = Pattern.compile(
            "found no matching overload for '([^']*)' applied to '([^']*)'(?: \\(candidates: (.*)\\))?", Pattern.DOTALL);
    private static final Pattern NOT_A_MAP = Pattern.compile(
            "Error resolving field '([^']*)'\\. Field selections must be performed on messages or maps\\.?");
    private static final Pattern NO_OVERLOAD = Pattern.compile("No matching overload for function '([^']*)'.*", Pattern.DOTALL);
    private static final Pattern EVAL_AT = Pattern.compile("evaluation error(?: at [^:]*:(\\d+))?: ?(.*)", Pattern.DOTALL);

    private CelMessages() {
    }

    /** One compile issue of a policy rule (where the document under test is {@code object}). */
    public static String compileIssue(CelIssue issue, String expression) {
        return compileIssue(issue, expression, "the document under test is called 'object', e.g. object.spec");
    }

    /**
     * One compile issue: what is wrong, then where in the expression. {@code variableHint} tells the author what the
     * expression may refer to, for an unknown name.
     */
    public static String compileIssue(CelIssue issue, String expression, String variableHint) {
        CelSourceLocation at = issue.getSourceLocation();
        String message = readableCompileMessage(issue.getMessage(), expression, at, variableHint);
        return message + where(expression, at.getLine(), at.getColumn());
    }

    private static String readableCompileMessage(String raw, String expression, CelSourceLocation at, String variableHint) {
        String msg = raw == null ? "" : raw.trim();
        Matcher m;
        if ((m = MISMATCHED.matcher(msg)).matches()) {
            String found = m.group(1);
            if (found.equals("<EOF>")) {
                return "the expression ends too early (an operand or a closing bracket is missing)";
            }
            String expecting = m.group(2).trim();
            return "unexpected '" + found + "'" + (expecting.length() <= 40 ? " (expected " + expecting + ")" : "");
        }
        if ((m = NO_VIABLE.matcher(msg)).matches()) {
            return "cannot parse '" + m.group(1) + "'";
        }
        if ((m = TOKEN.matcher(msg)).matches()) {
            String text = m.group(1);
            if (text.startsWith("\"") || text.startsWith("'")) {
                return "unterminated string " + text;
            }
            return "unexpected character '" + text + "'";
        }
        if ((m = UNDECLARED.matcher(msg)).matches()) {
            String name = m.group(1);
            if (isCall(expression, at)) {
                return "unknown function '" + name + "'";
            }
            return "unknown name '" + name + "' (" + variableHint + ")";
        }
        if ((m = OVERLOAD.matcher(msg)).matches()) {
            String function = OPERATORS.getOrDefault(m.group(1), m.group(1));
            String args = m.group(2);
            String candidates = m.group(3);
            String text = "'" + function + "' cannot be applied to " + args;
            if (candidates != null && candidates.length() <= 60) {
                text += " (it takes " + candidates + ")";
            }
            return text;
        }
        return msg.isEmpty() ? "invalid expression" : msg;
    }

    /** An undeclared reference that is followed by '(' names a function, not a variable. */
    private static boolean isCall(String expression, CelSourceLocation at) {
        String line = line(expression, at.getLine());
        int i = charIndex(line, at.getColumn());
        if (i < 0 || i >= line.length()) {
            return false;
        }
        if (line.charAt(i) == '(') {
            return true; // CEL points receiver-style calls (x.f()) at the parenthesis
        }
        while (i < line.length() && (Character.isLetterOrDigit(line.charAt(i)) || line.charAt(i) == '_')) {
            i++;
        }
        return i < line.length() && line.charAt(i) == '(';
    }

    /** What went wrong while evaluating, where in the expression, and what usually fixes it. */
    public record EvalProblem(String message, String hint) {
    }

    public static EvalProblem evaluation(CelEvaluationException e, CelSource source, String expression) {
        String raw = e.getMessage() == null ? "" : e.getMessage();
        String message = raw;
        String place = "";
        Matcher m = EVAL_AT.matcher(raw);
        if (m.matches()) {
            message = m.group(2).trim();
            if (m.group(1) != null) {
                Optional<CelSourceLocation> at = source.getOffsetLocation(Integer.parseInt(m.group(1)));
                place = at.map(l -> where(expression, l.getLine(), l.getColumn())).orElse("");
            }
        }
        if (message.isEmpty() && e.getCause() != null && e.getCause().getMessage() != null) {
            message = e.getCause().getMessage();
        }
        if (message.endsWith(".")) {
            message = message.substring(0, message.length() - 1);
        }
        if (message.isEmpty()) {
            message = "evaluation failed";
        }
        Matcher specific;
        if ((specific = NOT_A_MAP.matcher(message)).matches()) {
            return new EvalProblem("cannot select field '" + specific.group(1) + "': the value there is not a map" + place,
                    "check the value's type first, e.g. 'type(object.spec.x) == map && …'");
        }
        if ((specific = NO_OVERLOAD.matcher(message)).matches()) {
            String function = OPERATORS.getOrDefault(specific.group(1), specific.group(1));
            return new EvalProblem("'" + function + "' cannot be applied to the values found" + place,
                    "a field has another type than the rule expects; check it with type(), e.g. "
                            + "'type(object.spec.x) == int && …'");
        }
        return new EvalProblem(message + place, hint(e.getErrorCode()));
    }

    private static String hint(CelErrorCode code) {
        return switch (code) {
            case ATTRIBUTE_NOT_FOUND -> "guard fields that may be absent with has(), e.g. "
                    + "'!has(object.spec.strategy.canary) || …'";
            case INDEX_OUT_OF_BOUNDS -> "check the list's size() before indexing it, or use all()/exists()";
            case ITERATION_BUDGET_EXCEEDED -> "the expression iterates more than its budget of iterations"
                    + "; avoid nesting comprehensions over large lists";
            case DIVIDE_BY_ZERO -> "guard the divisor against zero";
            default -> "guard fields that may be absent or of another type with has() and type(), "
                    + "e.g. '!has(object.spec.x) || …'";
        };
    }

    /**
     * " at column 12 ("startsWith(1)")", or " at line 2, column 12 (…)" for an expression written on several lines.
     * {@code line} counts from 1 and {@code column} from 0, as CEL reports them.
     */
    public static String where(String expression, int line, int column) {
        if (line < 1 || column < 0) {
            return "";
        }
        boolean multiLine = expression.strip().indexOf('\n') >= 0;
        String text = line(expression, line);
        String position = multiLine ? " at line " + line + ", column " + (column + 1) : " at column " + (column + 1);
        if (charIndex(text, column) >= text.stripTrailing().length()) {
            return position + " (at the end of " + (multiLine ? "the line" : "the expression") + ")";
        }
        String excerpt = text.substring(charIndex(text, column)).strip();
        if (excerpt.length() > 30) {
            excerpt = excerpt.substring(0, 30) + "…";
        }
        return position + " (\"" + excerpt + "\")";
    }

    /** CEL counts columns in code points, Java indexes strings in UTF-16 units. */
    private static int charIndex(String line, int codePoints) {
        if (codePoints < 0) {
            return -1;
        }
        int count = line.codePointCount(0, line.length());
        return codePoints >= count ? line.length() : line.offsetByCodePoints(0, codePoints);
    }

    private static String line(String expression, int line) {
        String[] lines = expression.split("\n", -1);
        return line >= 1 && line <= lines.length ? lines[line - 1] : "";
    }
}
