package dev.stepwise.git;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.SplittableRandom;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.transport.URIish;
import org.junit.jupiter.api.Test;

class GitErrorsTest {

    private static GitError classify(Throwable t, int inRow) {
        return GitErrors.classify(t, "polling", Redactor.of(java.util.List.of("pw-123")), inRow, new SplittableRandom(1));
    }

    @Test
    void sortsTransportFailures() throws Exception {
        URIish uri = new URIish("https://host/r.git");
        assertThat(classify(new TransportException(uri, "not authorized"), 1).kind()).isEqualTo(GitError.Kind.AUTH_FAILED);
        assertThat(classify(new NoRemoteRepositoryException(uri, "not found."), 1).kind()).isEqualTo(GitError.Kind.NOT_FOUND);
        assertThat(classify(new TransportException(uri, "cannot open git-upload-pack", new ConnectException("Connection refused")), 1).kind())
                .isEqualTo(GitError.Kind.UNREACHABLE);
        assertThat(classify(new TransportException(uri, "unknown host", new UnknownHostException("host")), 1).kind())
                .isEqualTo(GitError.Kind.UNREACHABLE);
        assertThat(classify(new TransportException(uri, "Server key did not validate"), 1).kind())
                .isEqualTo(GitError.Kind.HOST_KEY_REJECTED);
        assertThat(classify(new TransportException(uri, "HTTP 503 Service Unavailable"), 1).kind()).isEqualTo(GitError.Kind.UNREACHABLE);
    }

    @Test
    void anObjectIdContainingStatusDigitsIsNotAStatus() throws Exception {
        TransportException e = new TransportException(new URIish("https://host/r.git"), "protocol error near 3a401fe404");
        assertThat(classify(e, 1).kind()).isEqualTo(GitError.Kind.REJECTED);
    }

    @Test
    void waitsLongerWhenAPersonMustActAndGrowsWithFailuresInARow() throws Exception {
        URIish uri = new URIish("https://host/r.git");
        GitError auth = classify(new TransportException(uri, "not authorized"), 1);
        GitError down1 = classify(new ConnectException("refused"), 1);
        GitError down5 = classify(new ConnectException("refused"), 5);
        assertThat(auth.retryAfter()).isGreaterThanOrEqualTo(Duration.ofSeconds(24));
        assertThat(down1.retryAfter()).isLessThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(down5.retryAfter()).isGreaterThan(Duration.ofSeconds(20));
        assertThat(down5.retry()).isTrue();
    }

    @Test
    void theMessageSaysWhatWasBeingDoneAndIsRedacted() throws Exception {
        GitError e = classify(new TransportException(new URIish("https://host/r.git"), "not authorized for pw-123"), 1);
        assertThat(e.message()).startsWith("polling: authentication failed").doesNotContain("pw-123").contains("****");
    }
}
