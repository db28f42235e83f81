package dev.stepwise.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * OpenSSH's sshd on a loopback port, with a host key made for the test and one authorized client key, serving the
 * bare repositories by absolute path ({@code ssh://user@127.0.0.1:port/<root>/<name>.git}) the way a plain Git host
 * over ssh does: the client runs git-upload-pack / git-receive-pack through the login shell.
 */
public final class SshGitServer extends GitTestServer {

    private final Path hostKey;
    private final Path clientKey;
    private final Path knownHosts;
    private final String user = System.getProperty("user.name");

    private SshGitServer(Path workDir) {
        super(workDir);
        this.hostKey = workDir.resolve("ssh_host_ed25519_key");
        this.clientKey = workDir.resolve("id_ed25519");
        this.knownHosts = workDir.resolve("known_hosts");
        keygen(hostKey, "");
        keygen(clientKey, "");
        try {
            Files.copy(clientKey.resolveSibling("id_ed25519.pub"), workDir.resolve("authorized_keys"));
            Files.writeString(knownHosts, knownHostsLine(hostKey));
            Files.writeString(workDir.resolve("sshd_config"), config());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts sshd in {@code workDir}. sshd insists on its privilege-separation directory existing, which a test
     * running as root can create.
     */
    public static SshGitServer start(Path workDir) {
        try {
            Files.createDirectories(Path.of("/run/sshd"));
        } catch (IOException e) {
            // not root: sshd may still run without privilege separation for the same user
        }
        SshGitServer server = new SshGitServer(workDir);
        server.start();
        return server;
    }

    /** Makes an ed25519 key pair at {@code path} (and {@code path.pub}), encrypted when {@code passphrase} is not empty. */
    public static void keygen(Path path, String passphrase) {
        Processes.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-C", "stepwise-test", "-f", path.toString()),
                path.getParent(), Map.of(), Duration.ofSeconds(30)).orThrow();
    }

    /** A known_hosts line for this server's port and the public half of {@code hostKey}. */
    public String knownHostsLine(Path key) {
        try {
            String[] pub = Files.readString(key.resolveSibling(key.getFileName() + ".pub")).strip().split(" ");
            return "[127.0.0.1]:" + port + " " + pub[0] + " " + pub[1] + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path clientKey() {
        return clientKey;
    }

    public Path knownHosts() {
        return knownHosts;
    }

    /** Authorizes one more client key (its {@code .pub} next to it). */
    public void authorize(Path key) {
        try {
            Files.writeString(workDir.resolve("authorized_keys"),
                    Files.readString(key.resolveSibling(key.getFileName() + ".pub")), java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String url(String repo) {
        return "ssh://" + user + "@127.0.0.1:" + port + repos.root().toAbsolutePath() + "/" + repo + ".git";
    }

    /** The command-line client with the test key and known_hosts, checking the host key strictly. */
    @Override
    public GitCli client(Path home) {
        return new GitCli(home).env("GIT_SSH_COMMAND", "ssh -F /dev/null -i " + clientKey + " -o IdentitiesOnly=yes"
                + " -o UserKnownHostsFile=" + knownHosts + " -o StrictHostKeyChecking=yes -o BatchMode=yes");
    }

    @Override
    protected Process launch() {
        return Processes.start(List.of("/usr/sbin/sshd", "-D", "-e", "-f", workDir.resolve("sshd_config").toString()),
                workDir, Map.of(), workDir.resolve("sshd.log"));
    }

    private String config() {
        return """
                Port %2$d
                ListenAddress 127.0.0.1
                HostKey %3$s
                PidFile %1$s/sshd.pid
                AuthorizedKeysFile %1$s/authorized_keys
                StrictModes no
                UsePAM no
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                PubkeyAuthentication yes
                PermitRootLogin prohibit-password
                AllowUsers %4$s
                LogLevel VERBOSE
                """.formatted(workDir.toAbsolutePath(), port, hostKey.toAbsolutePath(), user);
    }
}
