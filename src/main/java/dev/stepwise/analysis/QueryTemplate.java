package dev.stepwise.analysis;

import dev.stepwise.spec.model.Args;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * Substitutes {@code {{args.name}}} placeholders in a provider's query, URL or body, escaping each value for the
 * language and the place it lands in ({@link QueryLanguage}). A template that still names an argument nobody gave,
 * or a value that cannot be made safe, is a {@link Rendered#problem()} — the measurement is then an error, never a
 * query sent with a literal {@code {{args.x}}} in it.
 */
public final class QueryTemplate {

    private QueryTemplate() {
    }

    /** The rendered text, or why it could not be rendered. */
    public record Rendered(String text, String problem) {
        public boolean isOk() {
            return problem == null;
        }
    }

    public static Rendered render(String template, Map<String, String> args, QueryLanguage language) {
        Set<String> missing = Args.unresolved(template, args);
        if (!missing.isEmpty()) {
            return new Rendered(null, "the query uses " + describe(missing) + " but no value was given");
        }
        try {
            String out = Args.substitute(template, args,
                    (name, value, position) -> language.escape(name, value, language.quoteAt(template, position)));
            return new Rendered(out, null);
        } catch (IllegalArgumentException e) {
            return new Rendered(null, e.getMessage());
        }
    }

    /**
     * A URL template: values in the query string ({@code ?a={{args.x}}}) are percent-encoded; values before it are
     * used as written (Argo templates pass whole base URLs, {@code {{args.preview-url}}/healthz}) and the result must
     * still parse as an http(s) URL.
     */
    public static Rendered renderUrl(String template, Map<String, String> args) {
        Set<String> missing = Args.unresolved(template, args);
        if (!missing.isEmpty()) {
            return new Rendered(null, "the URL uses " + describe(missing) + " but no value was given");
        }
        int query = template.indexOf('?');
        String out = Args.substitute(template, args, (name, value, position) ->
                query >= 0 && position > query ? URLEncoder.encode(value, StandardCharsets.UTF_8) : value);
        return new Rendered(out, null);
    }

    private static String describe(Set<String> names) {
        return names.size() == 1
                ? "argument '" + names.iterator().next() + "'"
                : "arguments " + String.join(", ", names.stream().map(n -> "'" + n + "'").toList());
    }
}
