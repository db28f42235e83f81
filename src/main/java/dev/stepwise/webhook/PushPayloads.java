package dev.stepwise.webhook;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads what matters to Stepwise from a (verified) delivery: is it a push, of which repository and ref. Only the few
 * fields needed are looked at, so new fields in a forge's payload never break it.
 */
public final class PushPayloads {

    /** What a delivery turned out to be. */
    public sealed interface Parsed permits Push, Ping, OtherEvent, Invalid {
    }

    public record Push(PushEvent event) implements Parsed {
    }

    /** GitHub's hello when a webhook is created. */
    public record Ping() implements Parsed {
    }

    /** An event Stepwise does not act on (issues, tag pushes, …). */
    public record OtherEvent(String name) implements Parsed {
    }

    public record Invalid(String reason) implements Parsed {
    }

    /** Every field under repository/project that forges put a URL of the repository in. */
    private static final List<String> URL_FIELDS = List.of("clone_url", "ssh_url", "git_url", "html_url", "url",
            "git_http_url", "git_ssh_url", "http_url", "ssh_url_to_repo", "http_url_to_repo", "web_url", "homepage");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private PushPayloads() {
    }

    public static Parsed parse(Forge forge, Headers headers, byte[] body) {
        String event = eventName(forge, headers);
        if (event.equals("ping")) {
            return new Ping();
        }
        if (!event.equals("push")) {
            return new OtherEvent(event);
        }
        JsonNode root;
        try {
            root = JSON.readTree(json(headers, body));
        } catch (JacksonException e) {
            return new Invalid("payload is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            return new Invalid("payload is not a JSON object");
        }
        if (forge == Forge.GITLAB && root.path("object_kind").isString() && !"push".equals(root.path("object_kind").asString())) {
            return new OtherEvent(root.path("object_kind").asString());
        }
        String ref = root.path("ref").asString("");
        if (ref.isEmpty()) {
            return new Invalid("push payload has no ref");
        }
        if (!ref.startsWith("refs/")) {
            ref = "refs/heads/" + ref; // a generic sender may give just the branch name
        }
        Set<String> urls = new LinkedHashSet<>();
        JsonNode repository = root.path("repository");
        if (repository.isString()) {
            urls.add(repository.asString());
        }
        collectUrls(repository, urls);
        collectUrls(root.path("project"), urls);
        if (urls.isEmpty()) {
            return new Invalid("push payload names no repository URL");
        }
        Optional<String> after = Optional.of(root.path("after").asString("")).filter(s -> !s.isEmpty());
        return new Push(new PushEvent(forge, new ArrayList<>(urls), ref, after, deliveryId(headers)));
    }

    private static void collectUrls(JsonNode node, Set<String> into) {
        if (!node.isObject()) {
            return;
        }
        for (String f : URL_FIELDS) {
            JsonNode v = node.get(f);
            if (v != null && v.isString() && !v.asString().isBlank()) {
                into.add(v.asString().strip());
            }
        }
    }

    /** GitHub can be set to send form-encoded {@code payload=<json>}; the signature covers the raw body either way. */
    private static byte[] json(Headers headers, byte[] body) {
        String type = headers.lower("Content-Type").orElse("");
        if (type.startsWith("application/x-www-form-urlencoded")) {
            String form = new String(body, StandardCharsets.US_ASCII);
            for (String pair : form.split("&")) {
                if (pair.startsWith("payload=")) {
                    return URLDecoder.decode(pair.substring(8), StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
                }
            }
            return new byte[0];
        }
        return body;
    }

    static String eventName(Forge forge, Headers headers) {
        return switch (forge) {
            case GITHUB -> headers.lower("X-GitHub-Event").orElse("push");
            case GITEA -> headers.lower("X-Gitea-Event").or(() -> headers.lower("X-Forgejo-Event")).orElse("push");
            case GITLAB -> {
                String e = headers.lower("X-Gitlab-Event").orElse("push hook");
                // a system hook carries pushes of every project; its object_kind says which kind it is
                yield e.equals("push hook") || e.equals("system hook") ? "push" : e.replace(" hook", "").replace(' ', '-');
            }
            case GENERIC -> headers.lower("X-Stepwise-Event").orElse("push");
        };
    }

    static String deliveryId(Headers headers) {
        return headers.get("X-GitHub-Delivery").or(() -> headers.get("X-Gitea-Delivery"))
                .or(() -> headers.get("X-Forgejo-Delivery")).or(() -> headers.get("X-Gitlab-Event-UUID"))
                .or(() -> headers.get("X-Stepwise-Delivery")).map(s -> s.length() > 80 ? s.substring(0, 80) : s)
                .map(s -> s.replaceAll("[^A-Za-z0-9._:-]", "_").toLowerCase(Locale.ROOT)).orElse("");
    }
}
