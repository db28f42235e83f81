package dev.stepwise.analysis;

import java.util.regex.Pattern;

/**
 * The languages provider queries are written in, with what an argument may look like in each. Inside a string
 * literal, a value is escaped the way the language escapes (so {@code "} in a service name cannot end the literal and
 * append a matcher of its own); outside quotes, a value must be a plain word — a number, a duration, a metric or tag
 * name — because there is no escaping that makes arbitrary text safe there.
 */
public enum QueryLanguage {
    /** PromQL: Go-style string literals in double or single quotes, raw strings in backticks. */
    PROMQL("\"'`", Pattern.compile("[A-Za-z0-9_:.]+")),
    /** NRQL: single-quoted string literals with backslash escapes. */
    NRQL("'", Pattern.compile("[A-Za-z0-9_.]+")),
    /** Flux: double-quoted strings with backslash escapes and {@code ${} interpolation. */
    FLUX("\"", Pattern.compile("[A-Za-z0-9_.:+\\-]+")),
    /** Datadog metric queries: tag values are unquoted; a value may not contain query syntax. */
    DATADOG("", Pattern.compile("[A-Za-z0-9_.:/\\-]+")),
    /** Graphite targets: metric paths and function arguments; quotes have no escape sequences. */
    GRAPHITE("'\"", Pattern.compile("[A-Za-z0-9_.*\\-]+")),
    /** A JSON document written as text (a web metric's {@code body}). */
    JSON("\"", Pattern.compile("[A-Za-z0-9_.+\\-]+")),
    /** CloudWatch metric math and other text with no quoting rules Stepwise knows: values are used as written. */
    PLAIN("", null);

    private final String quotes;
    private final Pattern bare;

    QueryLanguage(String quotes, Pattern bare) {
        this.quotes = quotes;
        this.bare = bare;
    }

    /** The quote character open at {@code position} of {@code text}, or 0 when the position is outside quotes. */
    public char quoteAt(String text, int position) {
        if (quotes.isEmpty()) {
            return 0;
        }
        char open = 0;
        for (int i = 0; i < position && i < text.length(); i++) {
            char c = text.charAt(i);
            if (open == 0) {
                if (quotes.indexOf(c) >= 0) {
                    open = c;
                }
            } else if (c == '\\' && open != '`' && this != GRAPHITE) {
                i++; // the escaped character cannot close the literal
            } else if (c == open) {
                open = 0;
            }
        }
        return open;
    }

    /**
     * {@code value} made safe for where it is substituted.
     *
     * @throws IllegalArgumentException when no escaping can make it safe there
     */
    public String escape(String name, String value, char quote) {
        if (this == PLAIN) {
            return value;
        }
        if (quote == 0) {
            if (!value.isEmpty() && !bare.matcher(value).matches()) {
                throw new IllegalArgumentException("argument '" + name + "' is used outside quotes, where only "
                        + "plain words are allowed, and its value has other characters; put the placeholder inside a "
                        + "quoted string in the query");
            }
            return value;
        }
        return switch (this) {
            case PROMQL -> quote == '`' ? refuseIfContains(name, value, '`') : backslashEscape(value, quote);
            case NRQL, FLUX -> {
                String v = backslashEscape(value, quote);
                yield this == FLUX ? v.replace("${", "\\${") : v;
            }
            case GRAPHITE -> refuseIfContains(name, value, quote);
            case JSON -> jsonEscape(value);
            default -> value;
        };
    }

    private static String refuseIfContains(String name, String value, char quote) {
        if (value.indexOf(quote) >= 0 || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("argument '" + name + "' contains " + quote
                    + ", which cannot be escaped inside that kind of quotes");
        }
        return value;
    }

    private static String backslashEscape(String value, char quote) {
        StringBuilder out = new StringBuilder(value.length() + 4);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c == quote) {
                        out.append('\\');
                    }
                    out.append(c);
                }
            }
        }
        return out.toString();
    }

    static String jsonEscape(String value) {
        StringBuilder out = new StringBuilder(value.length() + 4);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
