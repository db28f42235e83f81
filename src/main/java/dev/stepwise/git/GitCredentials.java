package dev.stepwise.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How Stepwise proves who it is to a Git server: HTTP basic credentials (a token or a user and password) for https
 * URLs, a private key checked against a known_hosts file for ssh URLs, either or both. Read from environment variables
 * or from files they name (the {@code _FILE} form suits mounted Kubernetes secrets):
 *
 * <pre>
 * STEPWISE_GIT_TOKEN / STEPWISE_GIT_TOKEN_FILE          token, sent as the password of STEPWISE_GIT_USERNAME
 *                                                     (default user name "x-access-token")
 * STEPWISE_GIT_USERNAME                               user name for https
 * STEPWISE_GIT_PASSWORD / STEPWISE_GIT_PASSWORD_FILE    password for https (instead of a token)
 * STEPWISE_GIT_SSH_KEY_FILE                           private key (OpenSSH or PEM) for ssh URLs
 * STEPWISE_GIT_SSH_KNOWN_HOSTS_FILE                   known_hosts the server key must be in (required with a key)
 * STEPWISE_GIT_SSH_KEY_PASSPHRASE / ..._PASSPHRASE_FILE passphrase of an encrypted key
 * </pre>
 *
 * The values are held as {@link Secret}s; {@link #redactor()} knows them all.
 */
public record GitCredentials(Optional<Http> http, Optional<Ssh> ssh) {

    public static final String DEFAULT_PREFIX = "STEPWISE_GIT";
    public static final String DEFAULT_TOKEN_USER = "x-access-token";

    /** A user name and a password or token. */
    public record Http(String username, Secret password) {
        public Http {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
            if (username.isBlank()) {
                throw new IllegalArgumentException("the https user name is empty");
            }
        }
    }

    /**
     * A private key file and the known_hosts file that the server's host key must be listed in: Stepwise never
     * accepts an unknown or changed host key.
     */
    public record Ssh(Path privateKey, Path knownHosts, Optional<Secret> passphrase) {
        public Ssh {
            Objects.requireNonNull(privateKey, "privateKey");
            Objects.requireNonNull(knownHosts, "knownHosts");
            Objects.requireNonNull(passphrase, "passphrase");
        }
    }

    public GitCredentials {
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(ssh, "ssh");
    }

    public static GitCredentials none() {
        return new GitCredentials(Optional.empty(), Optional.empty());
    }

    public static GitCredentials token(String username, String token) {
        return new GitCredentials(Optional.of(new Http(username, Secret.of(token))), Optional.empty());
    }

    public static GitCredentials password(String username, String password) {
        return token(username, password);
    }

    public static GitCredentials sshKey(Path privateKey, Path knownHosts) {
        return new GitCredentials(Optional.empty(), Optional.of(new Ssh(privateKey, knownHosts, Optional.empty())));
    }

    public static GitCredentials fromEnvironment(Map<String, String> env) {
        return fromEnvironment(env, DEFAULT_PREFIX);
    }

    /**
     * Reads the variables named {@code <prefix>_TOKEN} etc. (see the class comment). A different prefix lets one
     * process hold credentials for several servers.
     *
     * @throws IllegalArgumentException naming the variable (never its value) when the configuration is contradictory
     *                                  or a file cannot be read
     */
    public static GitCredentials fromEnvironment(Map<String, String> env, String prefix) {
        Optional<Secret> token = secret(env, prefix + "_TOKEN");
        Optional<Secret> password = secret(env, prefix + "_PASSWORD");
        Optional<String> username = plain(env, prefix + "_USERNAME");
        if (token.isPresent() && password.isPresent()) {
            throw new IllegalArgumentException("set either " + prefix + "_TOKEN or " + prefix + "_PASSWORD, not both");
        }
        Optional<Http> http = Optional.empty();
        if (token.isPresent()) {
            http = Optional.of(new Http(username.orElse(DEFAULT_TOKEN_USER), token.get()));
        } else if (password.isPresent()) {
            http = Optional.of(new Http(username.orElseThrow(() -> new IllegalArgumentException(
                    prefix + "_PASSWORD is set but " + prefix + "_USERNAME is not")), password.get()));
        } else if (username.isPresent()) {
            throw new IllegalArgumentException(prefix + "_USERNAME is set but neither " + prefix + "_PASSWORD nor "
                    + prefix + "_TOKEN (or their _FILE variants) is");
        }

        Optional<String> key = plain(env, prefix + "_SSH_KEY_FILE");
        Optional<String> knownHosts = plain(env, prefix + "_SSH_KNOWN_HOSTS_FILE");
        Optional<Secret> passphrase = secret(env, prefix + "_SSH_KEY_PASSPHRASE");
        Optional<Ssh> ssh = Optional.empty();
        if (key.isPresent()) {
            Path keyPath = readableFile(prefix + "_SSH_KEY_FILE", key.get());
            Path hostsPath = readableFile(prefix + "_SSH_KNOWN_HOSTS_FILE", knownHosts.orElseThrow(() ->
                    new IllegalArgumentException(prefix + "_SSH_KEY_FILE is set but " + prefix + "_SSH_KNOWN_HOSTS_FILE is not;"
                            + " Stepwise only talks to ssh servers whose host key is listed in a known_hosts file")));
            ssh = Optional.of(new Ssh(keyPath, hostsPath, passphrase));
        } else if (knownHosts.isPresent() || passphrase.isPresent()) {
            throw new IllegalArgumentException(prefix + "_SSH_KNOWN_HOSTS_FILE or _SSH_KEY_PASSPHRASE is set but "
                    + prefix + "_SSH_KEY_FILE is not");
        }
        return new GitCredentials(http, ssh);
    }

    /** Every secret value (and the user:password pair, whose base64 form is what an HTTP header carries). */
    public List<String> secrets() {
        List<String> out = new ArrayList<>();
        http.ifPresent(h -> {
            out.add(h.password().reveal());
            out.add(h.username() + ":" + h.password().reveal());
        });
        ssh.flatMap(Ssh::passphrase).ifPresent(p -> out.add(p.reveal()));
        return out;
    }

    public Redactor redactor() {
        return Redactor.of(secrets());
    }

    /** What is configured, for a startup log line: kinds and user names, no secret. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        http.ifPresent(h -> parts.add("https as " + h.username()));
        ssh.ifPresent(s -> parts.add("ssh key " + s.privateKey() + " (known hosts " + s.knownHosts() + ")"));
        return parts.isEmpty() ? "no credentials" : String.join(", ", parts);
    }

    private static Optional<String> plain(Map<String, String> env, String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.strip());
    }

    /** {@code NAME} or {@code NAME_FILE}, not both; a file's trailing newline is not part of the secret. */
    private static Optional<Secret> secret(Map<String, String> env, String name) {
        Optional<String> direct = Optional.ofNullable(env.get(name)).filter(v -> !v.isEmpty());
        Optional<String> file = plain(env, name + "_FILE");
        if (direct.isPresent() && file.isPresent()) {
            throw new IllegalArgumentException("set either " + name + " or " + name + "_FILE, not both");
        }
        if (direct.isPresent()) {
            return Optional.of(Secret.of(direct.get()));
        }
        if (file.isEmpty()) {
            return Optional.empty();
        }
        Path path = readableFile(name + "_FILE", file.get());
        String content;
        try {
            content = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + name + "_FILE " + path + ": " + e.getClass().getSimpleName());
        }
        content = content.replaceAll("[\\r\\n]+$", "");
        if (content.isEmpty()) {
            throw new IllegalArgumentException(name + "_FILE " + path + " is empty");
        }
        return Optional.of(Secret.of(content));
    }

    private static Path readableFile(String variable, String value) {
        Path path = Path.of(value);
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new IllegalArgumentException(variable + " names " + path + ", which is not a readable file");
        }
        return path;
    }

    @Override
    public String toString() {
        return "GitCredentials[" + describe() + "]";
    }
}
