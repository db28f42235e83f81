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
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = values.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(v != null ? v : m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }
}
