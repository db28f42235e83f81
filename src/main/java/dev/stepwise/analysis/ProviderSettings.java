package dev.stepwise.analysis;

import dev.stepwise.analysis.http.HttpLimits;
import dev.stepwise.spec.Finding;
import dev.stepwise.spec.SafeYamlReader;
import dev.stepwise.spec.SourceFile;
import dev.stepwise.spec.YamlLimits;
import dev.stepwise.spec.model.ArgoDuration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Stepwise's own provider configuration: how to reach and authenticate to each metrics provider, kept on the machine
 * Stepwise runs on (a mounted ConfigMap and Secrets), never in the Git repository the templates live in. A template
 * names a provider and a query; this file says which token to send to that address.
 *
 * <pre>
 * defaults: {connectTimeout: 5s, requestTimeout: 30s, maxResponseBytes: 4194304}
 * prometheus:
 *   - match: https://prometheus.example.com     # address prefix; an entry without match applies to any address
 *     auth:
 *       bearerToken: {file: /var/run/secrets/prometheus/token}
 *       headers: {X-Scope-OrgID: {value: team-a}}
 *     caFile: /etc/stepwise/ca.pem
 * datadog:
 *   - address: https://api.datadoghq.eu
 *     credentials: {apiKey: {env: DD_API_KEY}, appKey: {file: /var/run/secrets/datadog/app-key}}
 * </pre>
 *
 * Every credential is a {@link SecretRef} ({@code env}, {@code file} or, for non-secrets, {@code value}).
 */
public final class ProviderSettings {

    /** Settings for one provider at one address. */
    public record Endpoint(Optional<String> match, Optional<String> address, ProviderAuth auth,
                           Map<String, SecretRef> credentials, HttpLimits limits, Optional<String> caFile) {

        public Optional<SecretRef> credential(String name) {
            return Optional.ofNullable(credentials.get(name));
        }
    }

    /** The file could not be used; the message says where and why. */
    public static final class InvalidSettings extends Exception {
        private static final long serialVersionUID = 1L;

        public InvalidSettings(String message) {
            super(message);
        }
    }

    private final HttpLimits defaults;
    private final Map<String, List<Endpoint>> byType;
    private final Map<String, String> environment;

    public ProviderSettings(HttpLimits defaults, Map<String, List<Endpoint>> byType, Map<String, String> environment) {
        this.defaults = defaults;
        this.byType = Map.copyOf(byType);
        this.environment = Map.copyOf(environment);
    }

    /** No configuration file: defaults, and credentials only from the providers' conventional environment variables. */
    public static ProviderSettings defaults(Map<String, String> environment) {
        return new ProviderSettings(HttpLimits.DEFAULT, Map.of(), environment);
    }

    public HttpLimits defaultLimits() {
        return defaults;
    }

    public Map<String, String> environment() {
        return environment;
    }

    /** The entry for {@code type} whose {@code match} is the longest prefix of {@code address}, else a default. */
    public Endpoint endpoint(String type, String address) {
        Endpoint best = null;
        int bestLength = -1;
        for (Endpoint e : byType.getOrDefault(type, List.of())) {
            String m = e.match().orElse("");
            if ((address == null ? m.isEmpty() : address.startsWith(m)) && m.length() > bestLength) {
                best = e;
                bestLength = m.length();
            }
        }
        return best != null ? best
                : new Endpoint(Optional.empty(), Optional.empty(), ProviderAuth.NONE, Map.of(), defaults, Optional.empty());
    }

    /** Reads a settings file; {@code environment} is where {@code env} references are looked up. */
    public static ProviderSettings load(Path file, Map<String, String> environment) throws InvalidSettings {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new InvalidSettings("cannot read provider configuration " + file + " (" + e.getClass().getSimpleName() + ")");
        }
        SafeYamlReader.Result read = new SafeYamlReader(YamlLimits.DEFAULT).read(new SourceFile(file.toString(), bytes));
        Optional<Finding> error = read.findings().stream().filter(Finding::isError).findFirst();
        if (error.isPresent()) {
            throw new InvalidSettings(error.get().toLine());
        }
        if (read.documents().isEmpty() || !(read.documents().get(0).root() instanceof Map<?, ?> root)) {
            return defaults(environment);
        }
        String where = file.toString();
        HttpLimits limits = limits(root.get("defaults"), HttpLimits.DEFAULT, where + ": defaults");
        Map<String, List<Endpoint>> byType = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : root.entrySet()) {
            String type = String.valueOf(e.getKey());
            if (type.equals("defaults") || type.equals("apiVersion") || type.equals("kind")) {
                continue;
            }
            List<?> entries = e.getValue() instanceof List<?> l ? l : e.getValue() instanceof Map<?, ?> ? List.of(e.getValue()) : null;
            if (entries == null) {
                throw new InvalidSettings(where + ": " + type + " must be a list of endpoint entries");
            }
            List<Endpoint> list = new ArrayList<>();
            for (int i = 0; i < entries.size(); i++) {
                list.add(endpoint(entries.get(i), limits, where + ": " + type + "[" + i + "]"));
            }
            byType.put(type, list);
        }
        return new ProviderSettings(limits, byType, environment);
    }

    private static Endpoint endpoint(Object raw, HttpLimits defaults, String where) throws InvalidSettings {
        if (!(raw instanceof Map<?, ?> m)) {
            throw new InvalidSettings(where + " must be a mapping");
        }
        Map<String, SecretRef> credentials = new LinkedHashMap<>();
        if (m.get("credentials") instanceof Map<?, ?> c) {
            for (Map.Entry<?, ?> e : c.entrySet()) {
                credentials.put(String.valueOf(e.getKey()), secret(e.getValue(), where + ".credentials." + e.getKey()));
            }
        }
        return new Endpoint(text(m.get("match")), text(m.get("address")), auth(m.get("auth"), where + ".auth"),
                credentials, limits(m, defaults, where), text(m.get("caFile")));
    }

    private static ProviderAuth auth(Object raw, String where) throws InvalidSettings {
        if (raw == null) {
            return ProviderAuth.NONE;
        }
        if (!(raw instanceof Map<?, ?> m)) {
            throw new InvalidSettings(where + " must be a mapping");
        }
        Optional<SecretRef> bearer = m.get("bearerToken") == null ? Optional.empty()
                : Optional.of(secret(m.get("bearerToken"), where + ".bearerToken"));
        Optional<SecretRef> user = Optional.empty();
        Optional<SecretRef> password = Optional.empty();
        if (m.get("basic") instanceof Map<?, ?> b) {
            user = Optional.of(secret(b.get("username"), where + ".basic.username"));
            password = b.get("password") == null ? Optional.empty() : Optional.of(secret(b.get("password"), where + ".basic.password"));
        }
        Map<String, SecretRef> headers = new LinkedHashMap<>();
        if (m.get("headers") instanceof Map<?, ?> h) {
            for (Map.Entry<?, ?> e : h.entrySet()) {
                headers.put(String.valueOf(e.getKey()), secret(e.getValue(), where + ".headers." + e.getKey()));
            }
        }
        return new ProviderAuth(bearer, user, password, headers);
    }

    /** {@code {env: NAME}}, {@code {file: /path}} or {@code {value: text}}; a bare string is refused (is it a secret?). */
    private static SecretRef secret(Object raw, String where) throws InvalidSettings {
        if (raw instanceof Map<?, ?> m && m.size() == 1) {
            Map.Entry<?, ?> e = m.entrySet().iterator().next();
            String v = String.valueOf(e.getValue());
            switch (String.valueOf(e.getKey())) {
                case "env":
                    return SecretRef.env(v);
                case "file":
                    return SecretRef.file(v);
                case "value":
                    return SecretRef.value(v);
                default:
                    break;
            }
        }
        throw new InvalidSettings(where + " must be {env: VARIABLE}, {file: /path} or {value: text}; credentials are "
                + "never written into this file directly");
    }

    private static HttpLimits limits(Object raw, HttpLimits base, String where) throws InvalidSettings {
        if (!(raw instanceof Map<?, ?> m)) {
            return base;
        }
        try {
            Duration connect = m.get("connectTimeout") == null ? base.connectTimeout() : ArgoDuration.parse(m.get("connectTimeout"));
            Duration request = m.get("requestTimeout") == null ? base.requestTimeout() : ArgoDuration.parse(m.get("requestTimeout"));
            long bytes = m.get("maxResponseBytes") instanceof Number n ? n.longValue() : base.maxResponseBytes();
            return new HttpLimits(connect, request, bytes);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettings(where + ": " + e.getMessage());
        }
    }

    private static Optional<String> text(Object o) {
        return o instanceof String s && !s.isBlank() ? Optional.of(s) : Optional.empty();
    }
}
