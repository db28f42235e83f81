package dev.stepwise.git;

import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.transport.URIish;

/**
 * The URL of a remote repository, checked to carry no credentials: Stepwise takes those from {@link GitCredentials}
 * only, so that a URL can be logged, written into a status file and shown in an error as it is.
 *
 * @param value    the URL as given (trimmed)
 * @param protocol how Stepwise talks to it
 */
public record RemoteUrl(String value, Protocol protocol) {

    public enum Protocol { HTTP, SSH, GIT, FILE }

    /** {@code user@host:path}, the short form of ssh URLs. */
    private static final Pattern SCP_LIKE = Pattern.compile("^(?:([^@/:\\s]+)@)?([^/:\\s]+):(?!//)(.+)$");

    public RemoteUrl {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(protocol, "protocol");
    }

    /**
     * Checks a repository URL. http(s) URLs must have no user-info at all (a token is often pasted as the user name);
     * ssh URLs may name the login user ({@code git@host}) but never a password.
     *
     * @throws IllegalArgumentException with a message that shows the URL without its credentials
     */
    public static RemoteUrl parse(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new IllegalArgumentException("the repository URL is empty");
        }
        String url = raw.strip();
        Matcher scp = SCP_LIKE.matcher(url);
        if (!url.contains("://") && scp.matches() && !url.startsWith("/")) {
            if (scp.group(1) != null && scp.group(1).contains(":")) {
                throw credentialsInUrl(url);
            }
            return new RemoteUrl(url, Protocol.SSH);
        }
        if (url.startsWith("/")) {
            return new RemoteUrl(url, Protocol.FILE);
        }
        URIish uri;
        try {
            uri = new URIish(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a repository URL: " + Redactor.none().redact(url));
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        Protocol protocol = switch (scheme) {
            case "http", "https" -> Protocol.HTTP;
            case "ssh", "git+ssh", "ssh+git" -> Protocol.SSH;
            case "git" -> Protocol.GIT;
            case "file" -> Protocol.FILE;
            default -> throw new IllegalArgumentException("unsupported scheme '" + scheme + "' in repository URL "
                    + Redactor.none().redact(url) + "; use https://, ssh://, user@host:path or git://");
        };
        boolean hasUser = uri.getUser() != null && !uri.getUser().isEmpty();
        boolean hasPass = uri.getPass() != null && !uri.getPass().isEmpty();
        if (hasPass || (hasUser && protocol == Protocol.HTTP)) {
            throw credentialsInUrl(url);
        }
        return new RemoteUrl(url, protocol);
    }

    private static IllegalArgumentException credentialsInUrl(String url) {
        return new IllegalArgumentException("the repository URL " + Redactor.none().redact(url)
                + " contains credentials; remove them from the URL and set STEPWISE_GIT_TOKEN (or STEPWISE_GIT_USERNAME and"
                + " STEPWISE_GIT_PASSWORD, or their _FILE variants) instead, so they never show up in logs or status");
    }

    public URIish toUriish() {
        try {
            return new URIish(value);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("checked URL no longer parses", e);
        }
    }

    /**
     * What identifies the repository regardless of how it is reached: lower-case host and path without {@code .git},
     * port, user or scheme, so {@code git@github.com:Org/Repo.git} and {@code https://github.com/org/repo} match
     * (forges send both forms in webhook payloads).
     */
    public String key() {
        return key(value);
    }

    /** {@link #key()} of any URL-ish string (e.g. one found in a webhook payload); "" when it is not one. */
    public static String key(String url) {
        if (url == null || url.isBlank()) {
            return "";
        }
        String u = url.strip();
        String host;
        String path;
        Matcher scp = SCP_LIKE.matcher(u);
        if (!u.contains("://") && scp.matches() && !u.startsWith("/")) {
            host = scp.group(2);
            path = scp.group(3);
        } else if (u.startsWith("/")) {
            host = "";
            path = u;
        } else {
            try {
                URIish uri = new URIish(u);
                host = uri.getHost() == null ? "" : uri.getHost();
                path = uri.getPath() == null ? "" : uri.getPath();
            } catch (URISyntaxException e) {
                return "";
            }
        }
        path = path.replaceAll("/+$", "");
        if (path.endsWith(".git")) {
            path = path.substring(0, path.length() - 4);
        }
        path = path.replaceAll("^/+", "").replaceAll("/+$", "");
        return (host + "/" + path).toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return value;
    }
}
