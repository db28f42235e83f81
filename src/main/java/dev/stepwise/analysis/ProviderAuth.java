package dev.stepwise.analysis;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How Stepwise authenticates to a provider: a bearer token, HTTP basic credentials, and extra headers (a tenant id, a
 * vendor's API key header), each read from the environment or a mounted file when a request is made. Configured in
 * Stepwise's provider configuration ({@link ProviderSettings}), never in the templates kept in Git.
 */
public record ProviderAuth(Optional<SecretRef> bearerToken, Optional<SecretRef> basicUser,
                           Optional<SecretRef> basicPassword, Map<String, SecretRef> headers) {

    public static final ProviderAuth NONE = new ProviderAuth(Optional.empty(), Optional.empty(), Optional.empty(), Map.of());

    public ProviderAuth {
        headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    public boolean isEmpty() {
        return bearerToken.isEmpty() && basicUser.isEmpty() && headers.isEmpty();
    }

    /** The headers to add to a request, or the first credential that could not be read. */
    public Headers resolve(Map<String, String> environment) {
        Map<String, String> out = new LinkedHashMap<>();
        List<String> secrets = new ArrayList<>();
        if (bearerToken.isPresent()) {
            SecretRef.Resolved t = bearerToken.get().resolve(environment);
            if (!t.isOk()) {
                return Headers.problem("bearer token: " + t.problem());
            }
            out.put("Authorization", "Bearer " + t.value());
            secrets.add(t.value());
        } else if (basicUser.isPresent()) {
            SecretRef.Resolved u = basicUser.get().resolve(environment);
            SecretRef.Resolved p = basicPassword.map(ref -> ref.resolve(environment)).orElse(SecretRef.Resolved.ok(""));
            if (!u.isOk() || !p.isOk()) {
                return Headers.problem("basic auth: " + (u.isOk() ? p.problem() : u.problem()));
            }
            String pair = u.value() + ":" + p.value();
            String encoded = Base64.getEncoder().encodeToString(pair.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.put("Authorization", "Basic " + encoded);
            secrets.add(encoded);
            if (!p.value().isEmpty()) {
                secrets.add(p.value());
            }
        }
        for (Map.Entry<String, SecretRef> h : headers.entrySet()) {
            SecretRef.Resolved v = h.getValue().resolve(environment);
            if (!v.isOk()) {
                return Headers.problem("header " + h.getKey() + ": " + v.problem());
            }
            out.put(h.getKey(), v.value());
            if (h.getValue().isSecret()) {
                secrets.add(v.value());
            }
        }
        return new Headers(out, secrets, null);
    }

    /** Resolved headers plus the secret values in them (for {@link Redactor}), or a problem. */
    public record Headers(Map<String, String> values, List<String> secrets, String problem) {
        static Headers problem(String problem) {
            return new Headers(Map.of(), List.of(), problem);
        }

        public boolean isOk() {
            return problem == null;
        }

        @Override
        public String toString() {
            return isOk() ? "Headers" + values.keySet() : "Headers[" + problem + "]";
        }
    }
}
