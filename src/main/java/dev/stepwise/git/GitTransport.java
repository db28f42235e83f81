package dev.stepwise.git;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.eclipse.jgit.errors.NotSupportedException;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.TransportHttp;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;

/**
 * Opens JGit transports to one remote with the right credentials for its protocol and a network timeout, so that a
 * hung server turns into an error instead of a stuck poll. Credentials travel only through JGit's
 * {@link CredentialsProvider} and SSH session factory, never in the URL.
 */
public final class GitTransport implements AutoCloseable {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final RemoteUrl url;
    private final GitCredentials credentials;
    private final Duration timeout;
    private final Redactor redactor;
    private final SshdSessionFactory sshFactory;

    /**
     * @param sshHome a directory Stepwise owns for the ssh client's state (used only for ssh URLs)
     * @throws IllegalArgumentException when the URL needs credentials of a kind that are not configured
     */
    public GitTransport(RemoteUrl url, GitCredentials credentials, Duration timeout, Path sshHome) {
        this.url = Objects.requireNonNull(url, "url");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.redactor = credentials.redactor();
        if (url.protocol() == RemoteUrl.Protocol.SSH) {
            GitCredentials.Ssh ssh = credentials.ssh().orElseThrow(() -> new IllegalArgumentException(
                    "the repository " + url + " is reached over ssh but no SSH key is configured: set"
                            + " STEPWISE_GIT_SSH_KEY_FILE and STEPWISE_GIT_SSH_KNOWN_HOSTS_FILE"));
            try {
                Files.createDirectories(sshHome);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + sshHome, e);
            }
            this.sshFactory = SshSessions.factory(ssh, sshHome);
        } else {
            this.sshFactory = null;
        }
    }

    public RemoteUrl url() {
        return url;
    }

    public Redactor redactor() {
        return redactor;
    }

    public Duration timeout() {
        return timeout;
    }

    /** A transport for {@code local} talking to the remote; the caller closes it. */
    public Transport open(Repository local) throws NotSupportedException, TransportException {
        Transport transport = Transport.open(local, url.toUriish());
        transport.setTimeout((int) Math.max(1, timeout.toSeconds()));
        credentials.http().ifPresent(h -> {
            transport.setCredentialsProvider(new UsernamePasswordCredentialsProvider(h.username(), h.password().revealChars()));
            if (transport instanceof TransportHttp http) {
                // sent with the first request rather than after a 401: every poll opens a new transport, and the
                // challenge round trip would otherwise be paid on each (credentials go to that URL either way)
                http.setPreemptiveBasicAuthentication(h.username(), h.password().reveal());
            }
        });
        if (transport instanceof SshTransport ssh && sshFactory != null) {
            ssh.setSshSessionFactory(sshFactory);
        }
        return transport;
    }

    @Override
    public void close() {
        if (sshFactory != null) {
            sshFactory.close();
        }
    }
}
