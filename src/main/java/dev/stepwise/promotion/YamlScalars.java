package dev.stepwise.promotion;

import java.util.regex.Pattern;

/** Writing a string as a YAML scalar that reads back as the same string. */
final class YamlScalars {

    /**
     * Characters that are safe in a plain scalar anywhere: image references ({@code registry:5000/app@sha256:…}),
     * hashes, tags. Anything else is double-quoted.
     */
    private static final Pattern SAFE_PLAIN = Pattern.compile("[A-Za-z0-9_./@+-][A-Za-z0-9_./@:+-]*");
    /** Plain scalars the YAML 1.2 core schema would read as something other than a string. */
    private static final Pattern NOT_A_STRING = Pattern.compile(
            "(?i)(true|false|null|~|[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?|0x[0-9a-f]+|0o[0-7]+|[-+]?\\.inf|\\.nan)");

    private YamlScalars() {
    }

    static String quoteIfNeeded(String value) {
        if (!value.isEmpty() && SAFE_PLAIN.matcher(value).matches() && !NOT_A_STRING.matcher(value).matches()
                && !value.endsWith(":")) {
            return value;
        }
        return doubleQuoted(value);
    }

    static String doubleQuoted(String value) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    static String singleQuoted(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
