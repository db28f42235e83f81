package dev.stepwise.spec.model;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Argo's {@code {{args.name}}} placeholders, substituted in analysis templates when a run starts. */
public final class Args {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*args\\.([A-Za-z0-9_.-]+)\\s*}}");

    private Args() {
    }

    public static boolean hasPlaceholder(String s) {
        return s != null && s.contains("{{");
    }

    /** {@code text} with every {@code {{args.x}}} whose value is known replaced; unknown ones are left as written. */
    public static String substitute(String text, Map<String, String> values) {
        return substitute(text, values, (name, value, position) -> value);
    }

    /**
     * Escapes an argument's value for the place it is substituted at: a query language's string literal, a JSON
     * string, a URL. {@code position} is the placeholder's offset in the original text, so an escaper can tell
     * whether it sits inside quotes. An escaper may throw {@link IllegalArgumentException} to refuse a value.
     */
    @FunctionalInterface
    public interface Escaper {
        String escape(String name, String value, int position);
    }

    /** Like {@link #substitute(String, Map)}, with each known value passed through {@code escaper} first. */
    public static String substitute(String text, Map<String, String> values, Escaper escaper) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = values.get(m.group(1));
            String replacement = v != null ? escaper.escape(m.group(1), v, m.start()) : m.group();
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Names of the {@code {{args.x}}} placeholders in {@code text} that {@code values} does not know. */
    public static java.util.Set<String> unresolved(String text, Map<String, String> values) {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) {
            if (!values.containsKey(m.group(1))) {
                out.add(m.group(1));
            }
        }
        return out;
    }
}
