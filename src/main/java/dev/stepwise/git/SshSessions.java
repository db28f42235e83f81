package dev.stepwise.git;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jgit.transport.SshConfigStore;
import org.eclipse.jgit.transport.SshConstants;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.sshd.JGitKeyCache;
import org.eclipse.jgit.transport.sshd.KeyPasswordProvider;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/**
 * SSH sessions through JGit's Apache MINA sshd transport, configured only from {@link GitCredentials.Ssh}: one key,
 * one known_hosts file, host keys checked strictly (an unknown or changed key fails the connection, nothing is ever
 * added to known_hosts), no ssh agent, no ~/.ssh/config, no password or keyboard-interactive login. What the process
 * user's ~/.ssh holds plays no part, so the same configuration behaves the same on a laptop and in a pod.
 */
public final class SshSessions {

    private SshSessions() {
    }

    /** The options every host gets; exposed so a unit test can check the policy without a server. */
    public static Map<String, String> hostOptions(GitCredentials.Ssh ssh) {
        Map<String, String> options = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        options.put(SshConstants.STRICT_HOST_KEY_CHECKING, "yes");
        options.put(SshConstants.USER_KNOWN_HOSTS_FILE, ssh.knownHosts().toAbsolutePath().toString());
        options.put(SshConstants.GLOBAL_KNOWN_HOSTS_FILE, "/dev/null");
        options.put(SshConstants.IDENTITY_FILE, ssh.privateKey().toAbsolutePath().toString());
        options.put(SshConstants.IDENTITIES_ONLY, "yes");
        options.put(SshConstants.IDENTITY_AGENT, "none");
        options.put(SshConstants.PREFERRED_AUTHENTICATIONS, "publickey");
        options.put(SshConstants.BATCH_MODE, "yes");
        options.put(SshConstants.HASH_KNOWN_HOSTS, "no");
        return options;
    }

    /**
     * A session factory for one credential set. {@code sshHome} is an empty directory Stepwise owns, handed to sshd as
     * "home" and ".ssh" so nothing is read from the real home directory.
     */
    public static SshdSessionFactory factory(GitCredentials.Ssh ssh, Path sshHome) {
        Map<String, String> options = hostOptions(ssh);
        SshConfigStore.HostConfig config = new FixedHostConfig(options);
        SshConfigStore store = new SshConfigStore() {
            @Override
            public HostConfig lookup(String hostName, int port, String userName) {
                return config;
            }

            @Override
            public HostConfig lookupDefault(String hostName, int port, String userName) {
                return config;
            }
        };
        File home = sshHome.toFile();
        return new SshdSessionFactoryBuilder()
                .setHomeDirectory(home)
                .setSshDirectory(home)
                .setConfigStoreFactory((h, configFile, localUser) -> store)
                .setDefaultIdentities(dir -> List.of(ssh.privateKey().toAbsolutePath()))
                .setDefaultKnownHostsFiles(dir -> List.of(ssh.knownHosts().toAbsolutePath()))
                .setPreferredAuthentications("publickey")
                .setKeyPasswordProvider(cp -> new Passphrase(ssh))
                .build(new JGitKeyCache());
    }

    /** Hands over the configured passphrase once; never asks anybody. */
    private static final class Passphrase implements KeyPasswordProvider {
        private final GitCredentials.Ssh ssh;

        Passphrase(GitCredentials.Ssh ssh) {
            this.ssh = ssh;
        }

        @Override
        public char[] getPassphrase(URIish uri, int attempt) {
            return attempt == 0 ? ssh.passphrase().map(Secret::revealChars).orElse(null) : null;
        }

        @Override
        public void setAttempts(int maxNumberOfAttempts) {
            // one attempt: the passphrase is configured, not typed
        }

        @Override
        public boolean keyLoaded(URIish uri, int attempt, Exception error) {
            return false; // a wrong passphrase will not become right on a second try
        }
    }

    /** Same options for every host: the configuration is Stepwise's, not an ssh_config file. */
    private record FixedHostConfig(Map<String, String> options) implements SshConfigStore.HostConfig {
        @Override
        public String getValue(String key) {
            return options.get(key);
        }

        @Override
        public List<String> getValues(String key) {
            String v = options.get(key);
            return v == null ? List.of() : List.of(v);
        }

        @Override
        public Map<String, String> getOptions() {
            return options;
        }

        @Override
        public Map<String, List<String>> getMultiValuedOptions() {
            Map<String, List<String>> m = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            m.put(SshConstants.IDENTITY_FILE, List.of(options.get(SshConstants.IDENTITY_FILE)));
            m.put(SshConstants.USER_KNOWN_HOSTS_FILE, List.of(options.get(SshConstants.USER_KNOWN_HOSTS_FILE)));
            m.put(SshConstants.GLOBAL_KNOWN_HOSTS_FILE, List.of(options.get(SshConstants.GLOBAL_KNOWN_HOSTS_FILE)));
            return m;
        }
    }

}
