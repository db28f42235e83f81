package dev.stepwise.git;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cleans every text that may carry a secret before it reaches a log line, an exception message, a poll error or a
 * commit: messages of JGit and of the remote server, URLs, HTTP headers echoed back. It removes the known secrets
 * themselves (and their URL-encoded and basic-auth forms, as a server or proxy may echo them), the user-info part of
 * URLs (where people paste tokens) and the values of Authorization headers.
 */
public final class Redactor {

    public static final String MASK = "****";

    /** scheme://userinfo@ — userinfo up to the first '@' that precedes any '/', whitespace or quote. */
    private static final Pattern URL_USERINFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)([^/\\s@'\"<>]+)@");
    private static final Pattern AUTH_HEADER = Pattern.compile("(?i)\\b((?:proxy-)?authorization:\\s*(?:[a-z]+\\s+)?)([^\\s,;'\"]+)");
    private static final Pattern TOKEN_PARAM = Pattern.compile("(?i)([?&](?:access_token|private_token|token)=)([^&\\s'\"]+)");

    private static final Redactor NONE = new Redactor(List.of());

    private final List<String> secrets;

    private Redactor(Collection<String> secrets) {
        Set<String> all = new LinkedHashSet<>();
        for (String s : secrets) {
            if (s == null || s.isBlank()) {
                continue;
            }
            all.add(s);
            all.add(URLEncoder.encode(s, StandardCharsets.UTF_8));
            all.add(Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8)));
        }
        List<String> sorted = new ArrayList<>(all);
        // longest first, so a secret that contains another is masked whole
        sorted.sort(Comparator.comparingInt(String::length).reversed());
        this.secrets = List.copyOf(sorted);
    }

    /** A redactor that knows no secrets yet still strips URL credentials and auth headers. */
    public static Redactor none() {
        return NONE;
    }

    public static Redactor of(Collection<String> secrets) {
        return new Redactor(secrets);
    }

    /** This redactor plus more secrets (e.g. a webhook secret next to the Git credentials). */
    public Redactor with(Collection<String> more) {
        List<String> all = new ArrayList<>(secrets);
        all.addAll(more);
        return new Redactor(all);
    }

    public String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text == null ? "" : text;
        }
        String out = text;
        for (String s : secrets) {
            out = out.replace(s, MASK);
        }
        out = stripUserInfo(out);
        out = AUTH_HEADER.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK));
        out = TOKEN_PARAM.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK));
        return out;
    }

    /**
     * The messages of an exception and its causes, joined with ": " and redacted; never a stack trace, which can hold
     * arguments. Repeated messages (JGit often wraps a cause and repeats its text) are said once.
     */
    public String describe(Throwable error) {
        List<String> parts = new ArrayList<>();
        Set<Throwable> seen = new java.util.HashSet<>();
        for (Throwable t = error; t != null && seen.add(t); t = t.getCause()) {
            String m = t.getMessage();
            String part = m == null || m.isBlank() ? t.getClass().getSimpleName() : m.strip();
            if (parts.stream().noneMatch(p -> p.contains(part))) {
                parts.add(part);
            }
        }
        return redact(String.join(": ", parts));
    }

    /**
     * http(s) user-info goes whole (a token is often pasted as the user name); for ssh and other schemes the user
     * name is kept, as it is no secret ({@code git@}), and only a password after ':' goes.
     */
    private static String stripUserInfo(String text) {
        Matcher m = URL_USERINFO.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String scheme = m.group(1).toLowerCase(java.util.Locale.ROOT);
            String userInfo = m.group(2);
            String replacement;
            if (scheme.startsWith("http") || scheme.startsWith("ftp")) {
                replacement = m.group(1) + MASK + "@";
            } else {
                int colon = userInfo.indexOf(':');
                replacement = m.group(1) + (colon < 0 ? userInfo : userInfo.substring(0, colon) + ":" + MASK) + "@";
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
