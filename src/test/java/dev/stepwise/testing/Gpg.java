package dev.stepwise.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * GnuPG with a keyring of its own (a temporary GNUPGHOME), holding one signing key without a passphrase, so that a
 * {@link Person} can sign commits with {@code git commit -S} as people do. {@link #close()} stops its gpg-agent.
 */
public final class Gpg implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Path home;
    private final String fingerprint;

    private Gpg(Path home, String fingerprint) {
        this.home = home;
        this.fingerprint = fingerprint;
    }

    /** Generates an ed25519 signing key for {@code "Name <email>"} in a new keyring under {@code dir}. */
    public static Gpg generate(Path dir, String userId) {
        try {
            Path home = Files.createDirectories(dir.resolve("gnupg"));
            Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
            Map<String, String> env = Map.of("GNUPGHOME", home.toString());
            Processes.run(List.of("gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "",
                    "--quick-generate-key", userId, "ed25519", "sign", "never"), dir, env, TIMEOUT).orThrow();
            String colons = Processes.run(List.of("gpg", "--batch", "--with-colons", "--list-keys"), dir, env, TIMEOUT)
                    .orThrow().output();
            String fpr = colons.lines().filter(l -> l.startsWith("fpr:")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("gpg listed no key:\n" + colons)).split(":")[9];
            return new Gpg(home, fpr);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path home() {
        return home;
    }

    public String fingerprint() {
        return fingerprint;
    }

    /** The public key, ASCII-armoured, as it goes into the repository's {@code keys/} folder. */
    public String exportPublic() {
        return Processes.run(List.of("gpg", "--batch", "--armor", "--export", fingerprint), home,
                Map.of("GNUPGHOME", home.toString()), TIMEOUT).orThrow().output();
    }

    /** Lets {@code git} (run by that client) sign with this key. */
    public GitCli configure(GitCli git) {
        git.env("GNUPGHOME", home.toString());
        git.configGlobal("user.signingkey", fingerprint);
        git.configGlobal("gpg.program", "gpg");
        return git;
    }

    @Override
    public void close() {
        Processes.run(List.of("gpgconf", "--kill", "gpg-agent"), home, Map.of("GNUPGHOME", home.toString()), TIMEOUT);
    }
}
