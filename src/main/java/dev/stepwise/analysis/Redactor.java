package dev.stepwise.analysis;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Removes secret values from text that leaves a provider: the query shown to people, error messages, response
 * snippets (an API that echoes a key back). Values shorter than 4 characters are not redacted: they would mangle
 * ordinary text and cannot be credentials worth the name.
 */
public final class Redactor {
    public static final String MASK = "****";
    public static final Redactor NONE = new Redactor(List.of());

    private final List<String> secrets;

    public Redactor(Collection<String> secrets) {
        List<String> s = new ArrayList<>();
        for (String v : secrets) {
            if (v != null && v.length() >= 4) {
                s.add(v);
            }
        }
        s.sort(Comparator.comparingInt(String::length).reversed()); // a longer secret may contain a shorter one
        this.secrets = List.copyOf(s);
    }

    public Redactor plus(Collection<String> more) {
        List<String> all = new ArrayList<>(secrets);
        all.addAll(more);
        return new Redactor(all);
    }

    public String redact(String text) {
        if (text == null || secrets.isEmpty()) {
            return text;
        }
        String out = text;
        for (String s : secrets) {
            out = out.replace(s, MASK);
            // also the URL-encoded form, in case a secret was put into a query string
            String encoded = java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
            if (!encoded.equals(s)) {
                out = out.replace(encoded, MASK);
            }
        }
        return out;
    }
}
