package dev.stepwise.cli;

import dev.stepwise.git.GitCredentials;
import dev.stepwise.git.GitSource;
import dev.stepwise.git.GitTransport;
import dev.stepwise.git.Mirror;
import dev.stepwise.git.RemoteUrl;
import dev.stepwise.git.RolloutKey;
import dev.stepwise.spec.SpecDocument;
import dev.stepwise.spec.SpecLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The repository a command talks to: a bare mirror of {@code --repo} in {@code --cache-dir}, or in a temporary folder
 * removed afterwards, with credentials from the environment ({@code STEPWISE_GIT_*}, as the reconciler takes them).
 */
final class RemoteRepository implements AutoCloseable {

    private final Mirror mirror;
    private final Optional<Path> temporary;

    private RemoteRepository(Mirror mirror, Optional<Path> temporary) {
        this.mirror = mirror;
        this.temporary = temporary;
    }

    /**
     * @throws IllegalArgumentException for a bad URL or contradictory credentials (messages name variables, never values)
     */
    static RemoteRepository open(String url, Map<String, String> env, Path cacheDir) throws IOException {
        RemoteUrl remote = RemoteUrl.parse(url);
        GitCredentials credentials = GitCredentials.fromEnvironment(env);
        Optional<Path> temporary = cacheDir == null ? Optional.of(Files.createTempDirectory("stepwise-cli")) : Optional.empty();
        Path dir = temporary.orElse(cacheDir);
        GitTransport transport = new GitTransport(remote, credentials, Duration.ofSeconds(60), dir.resolve("ssh"));
        return new RemoteRepository(Mirror.open(dir, transport), temporary);
    }

    Mirror mirror() {
        return mirror;
    }

    /**
     * {@code namespace/name} as given, or the one rollout named {@code name} at the head of {@code branch}.
     *
     * @throws IllegalArgumentException when no rollout or more than one has that name
     */
    RolloutKey resolve(String rollout, String branch) throws IOException {
        if (rollout.contains("/")) {
            return RolloutKey.parse(rollout);
        }
        if (mirror.remoteHeads(List.of(branch)).isEmpty()) {
            throw new IllegalArgumentException("branch " + branch + " does not exist in " + mirror.url());
        }
        mirror.fetch(List.of(branch));
        List<SpecDocument> matches = new SpecLoader().load(GitSource.filesAt(mirror.directory(), "refs/heads/" + branch, ""))
                .rollouts().stream().filter(d -> d.name().equals(rollout)).toList();
        if (matches.isEmpty()) {
            throw new IllegalArgumentException("no Rollout or Canary named '" + rollout + "' on " + branch + " of " + mirror.url());
        }
        List<String> namespaces = matches.stream().map(SpecDocument::namespace).distinct().sorted().toList();
        if (namespaces.size() > 1) {
            throw new IllegalArgumentException("'" + rollout + "' names rollouts in several namespaces (" + String.join(", ", namespaces)
                    + "); write NAMESPACE/" + rollout);
        }
        return new RolloutKey(namespaces.get(0), rollout);
    }

    @Override
    public void close() {
        mirror.close();
        temporary.ifPresent(RemoteRepository::deleteTree);
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind is harmless
        }
    }
}
