package dev.stepwise.git;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.spec.SpecDocument;
import dev.stepwise.testing.GitDaemonServer;
import dev.stepwise.testing.LighttpdGitServer;
import dev.stepwise.testing.Person;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading specs from real Git servers: C git's http-backend behind lighttpd (basic auth) and git daemon. */
class GitSourceIT {

    private static final String USER = "stepwise";
    private static final String PASSWORD = "correct-horse-" + Long.toHexString(System.nanoTime());

    @TempDir
    static Path serverDir;
    static LighttpdGitServer http;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startServer() {
        http = LighttpdGitServer.start(serverDir.resolve("http"), USER, PASSWORD);
    }

    @AfterAll
    static void stopServer() {
        if (http != null) {
            http.close();
        }
    }

    private GitSource source(String repo, String path, GitCredentials credentials) throws IOException {
        return GitSource.open(new GitSource.Config(RemoteUrl.parse(http.url(repo)), "main", path),
                tmp.resolve("cache"), credentials, Duration.ofSeconds(10));
    }

    private Person personWithSpecs(String repo) {
        http.repos().create(repo);
        Person ada = new Person("Ada", http, tmp.resolve("ada")).cloneFrom(http.url(repo));
        ada.write("deploy/checkout.yaml", Specs.rollout("checkout", 10))
                .write("deploy/nested/cart.yml", Specs.rollout("cart", 20))
                .write("deploy/notes.txt", "not yaml")
                .write("other/ignored.yaml", Specs.rollout("elsewhere", 5))
                .write("README.md", "# specs\n")
                .commit("Add checkout and cart rollouts");
        ada.push();
        return ada;
    }

    private static List<String> rolloutNames(Snapshot s) {
        return s.specs().rollouts().stream().map(SpecDocument::qualifiedName).toList();
    }

    @Test
    void firstPollClonesAndReadsTheFolderThenAnUnchangedPollFetchesNothing() throws IOException {
        Person ada = personWithSpecs("first");
        try (GitSource source = source("first", "deploy", GitCredentials.password(USER, PASSWORD))) {
            PollResult first = source.poll();

            assertThat(first).isInstanceOf(PollResult.Changed.class);
            PollResult.Changed changed = (PollResult.Changed) first;
            assertThat(changed.fetched()).isTrue();
            assertThat(changed.previous()).isEmpty();
            Snapshot s = changed.current();
            assertThat(s.revisionName()).isEqualTo("main@sha1:" + ada.head());
            assertThat(s.specs().filesRead()).isEqualTo(2);
            assertThat(rolloutNames(s)).containsExactly("shop/checkout", "shop/cart");
            assertThat(s.specs().rollouts()).extracting(SpecDocument::file)
                    .containsExactly("deploy/checkout.yaml", "deploy/nested/cart.yml");
            assertThat(source.stats().filesParsed()).isEqualTo(2);
            Mirror.Stats afterFirst = source.mirror().stats();
            long objectsAfterFirst = objectCount(source.mirror().directory());
            List<String> packsAfterFirst = packs(source.mirror().directory());

            PollResult second = source.poll();

            assertThat(second).isInstanceOf(PollResult.Unchanged.class);
            assertThat(second.snapshot()).contains(s);
            assertThat(source.mirror().stats().fetches()).isEqualTo(afterFirst.fetches()).isEqualTo(1);
            assertThat(source.mirror().stats().listings()).isEqualTo(afterFirst.listings() + 1);
            assertThat(source.stats().filesParsed()).isEqualTo(2);
            // and seen from the mirror itself, not only our counters: no new pack, no new object
            assertThat(packs(source.mirror().directory())).isEqualTo(packsAfterFirst);
            assertThat(objectCount(source.mirror().directory())).isEqualTo(objectsAfterFirst);
        }
    }

    @Test
    void aPersonsPushIsFetchedIncrementallyAndOnlyTheChangedFileIsParsed() throws Exception {
        Person ada = personWithSpecs("incremental");
        try (GitSource source = source("incremental", "deploy", GitCredentials.password(USER, PASSWORD))) {
            Snapshot first = source.poll().snapshot().orElseThrow();
            long objectsBefore = objectCount(source.mirror().directory());

            String sha = ada.write("deploy/checkout.yaml", Specs.rollout("checkout", 50)).commit("checkout: 50%");
            ada.push();
            PollResult result = source.poll();

            assertThat(result).isInstanceOf(PollResult.Changed.class);
            PollResult.Changed changed = (PollResult.Changed) result;
            assertThat(changed.previous()).contains(first.revision());
            assertThat(changed.specsChanged()).isTrue();
            assertThat(changed.current().revisionName()).isEqualTo("main@sha1:" + sha);
            SpecDocument checkout = changed.current().specs().rollouts().get(0);
            assertThat(checkout.at("/spec/strategy/canary/steps/0/setWeight")).contains(50L);
            assertThat(source.stats().filesParsed()).as("only checkout.yaml parsed again").isEqualTo(3);
            assertThat(source.stats().cacheHits()).as("cart.yml served from the cache").isEqualTo(1);
            // incremental: a commit, two trees (root, deploy) and one blob, not the whole history again
            assertThat(objectCount(source.mirror().directory()) - objectsBefore).isBetween(4L, 5L);
            assertThat(source.mirror().stats().fetches()).isEqualTo(2);
        }
    }

    @Test
    void aCommitOutsideTheSpecFolderIsANewRevisionWithTheSameSpecs() throws IOException {
        Person ada = personWithSpecs("readme");
        try (GitSource source = source("readme", "deploy", GitCredentials.password(USER, PASSWORD))) {
            Snapshot first = source.poll().snapshot().orElseThrow();
            ada.write("README.md", "# specs\nmore words\n").commit("docs");
            ada.push();

            PollResult.Changed changed = (PollResult.Changed) source.poll();

            assertThat(changed.specsChanged()).isFalse();
            assertThat(changed.current().treeId()).isEqualTo(first.treeId());
            assertThat(changed.current().revision()).isNotEqualTo(first.revision());
            assertThat(source.stats().filesParsed()).isEqualTo(2);
        }
    }

    @Test
    void aMissingFolderIsAFindingNotAFailure() throws IOException {
        personWithSpecs("nofolder");
        try (GitSource source = source("nofolder", "k8s/prod", GitCredentials.password(USER, PASSWORD))) {
            Snapshot s = source.poll().snapshot().orElseThrow();
            assertThat(s.specs().documents()).isEmpty();
            assertThat(s.specs().findings()).singleElement().satisfies(f -> {
                assertThat(f.code()).isEqualTo("git.path-missing");
                assertThat(f.message()).contains("'k8s/prod'", s.revisionName());
            });
        }
    }

    @Test
    void aWrongPasswordIsAnAuthErrorThatNeverShowsThePassword() throws IOException {
        personWithSpecs("auth");
        String wrong = "wrong-" + PASSWORD;
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs = new ch.qos.logback.core.read.ListAppender<>();
        logs.start();
        root.addAppender(logs);
        try (GitSource source = source("auth", "deploy", GitCredentials.password(USER, wrong))) {
            PollResult result = source.poll();
            root.detachAppender(logs);
            assertThat(logs.list).as("every log line while polling, JGit's debug lines included")
                    .isNotEmpty().noneMatch(e -> e.getFormattedMessage().contains(wrong));
            assertThat(logs.list).anyMatch(e -> e.getFormattedMessage().contains("AUTH_FAILED"));

            assertThat(result).isInstanceOf(PollResult.Failed.class);
            GitError error = ((PollResult.Failed) result).error();
            assertThat(error.kind()).isEqualTo(GitError.Kind.AUTH_FAILED);
            assertThat(error.message()).contains(http.url("auth")).doesNotContain(wrong).doesNotContain(PASSWORD)
                    .doesNotContain(java.util.Base64.getEncoder().encodeToString((USER + ":" + wrong).getBytes()));
            assertThat(error.toString()).doesNotContain(wrong);
            assertThat(error.retryAfter()).isGreaterThanOrEqualTo(Duration.ofSeconds(20));
            assertThat(source.stats().failures()).isEqualTo(1);
        }
        try (GitSource anonymous = source("auth", "deploy", GitCredentials.none())) {
            assertThat(((PollResult.Failed) anonymous.poll()).error().kind()).isEqualTo(GitError.Kind.AUTH_FAILED);
        }
    }

    @Test
    void aMissingRepositoryOrBranchIsNotFound() throws IOException {
        personWithSpecs("branchless");
        try (GitSource none = source("does-not-exist", "", GitCredentials.password(USER, PASSWORD));
             GitSource noBranch = GitSource.open(new GitSource.Config(RemoteUrl.parse(http.url("branchless")), "release", ""),
                     tmp.resolve("cache"), GitCredentials.password(USER, PASSWORD), Duration.ofSeconds(10))) {
            GitError missingRepo = ((PollResult.Failed) none.poll()).error();
            GitError missingBranch = ((PollResult.Failed) noBranch.poll()).error();

            assertThat(missingRepo.kind()).isEqualTo(GitError.Kind.NOT_FOUND);
            assertThat(missingBranch.kind()).isEqualTo(GitError.Kind.NOT_FOUND);
            assertThat(missingBranch.message()).contains("release");
        }
    }

    @Test
    void whileTheServerIsDownPollsFailAsUnreachableAndResumeWhenItIsBack() throws IOException {
        try (LighttpdGitServer own = LighttpdGitServer.start(tmp.resolve("own"), USER, PASSWORD)) {
            own.repos().create("outage");
            Person bob = new Person("Bob", own, tmp.resolve("bob")).cloneFrom(own.url("outage"));
            bob.write("a.yaml", Specs.rollout("a", 10)).commit("a");
            bob.push();
            try (GitSource source = GitSource.open(new GitSource.Config(RemoteUrl.parse(own.url("outage")), "main", ""),
                    tmp.resolve("cache"), GitCredentials.password(USER, PASSWORD), Duration.ofSeconds(5))) {
                Snapshot before = source.poll().snapshot().orElseThrow();

                own.stop();
                PollResult down1 = source.poll();
                PollResult down2 = source.poll();

                assertThat(down1).isInstanceOf(PollResult.Failed.class);
                GitError e1 = ((PollResult.Failed) down1).error();
                GitError e2 = ((PollResult.Failed) down2).error();
                assertThat(e1.kind()).isEqualTo(GitError.Kind.UNREACHABLE);
                assertThat(e1.message()).contains("127.0.0.1:" + own.port()).doesNotContain(PASSWORD);
                assertThat(e2.failuresInRow()).isEqualTo(2);
                assertThat(down2.snapshot()).as("the last good snapshot stays usable").contains(before);

                own.start();
                bob.write("b.yaml", Specs.rollout("b", 10)).commit("b");
                bob.push();
                PollResult back = source.poll();

                assertThat(back).isInstanceOf(PollResult.Changed.class);
                assertThat(rolloutNames(back.snapshot().orElseThrow())).containsExactly("shop/a", "shop/b");
            }
        }
    }

    @Test
    void readsOverGitDaemonToo() throws IOException {
        try (GitDaemonServer daemon = GitDaemonServer.start(tmp.resolve("daemon"))) {
            daemon.repos().create("plain");
            Person cy = new Person("Cy", daemon, tmp.resolve("cy")).cloneFrom(daemon.url("plain"));
            cy.write("r.yaml", Specs.rollout("r", 30)).commit("r");
            cy.push();
            try (GitSource source = GitSource.open(new GitSource.Config(RemoteUrl.parse(daemon.url("plain")), "main", "/"),
                    tmp.resolve("cache"), GitCredentials.none(), Duration.ofSeconds(10))) {
                assertThat(source.poll().snapshot().map(GitSourceIT::rolloutNames)).contains(List.of("shop/r"));
                String sha = cy.write("r.yaml", Specs.rollout("r", 60)).commit("r 60");
                cy.push();
                assertThat(source.poll().snapshot().map(Snapshot::revisionName)).contains("main@sha1:" + sha);
                assertThat(source.poll()).isInstanceOf(PollResult.Unchanged.class);
                assertThat(source.mirror().stats().fetches()).isEqualTo(2);
            }
        }
    }

    private static List<String> packs(Path gitDir) throws IOException {
        try (var files = Files.list(gitDir.resolve("objects/pack"))) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Objects in the mirror, loose and packed, as {@code git count-objects -v} counts them. */
    private long objectCount(Path gitDir) {
        String out = new dev.stepwise.testing.GitCli(tmp.resolve("counter")).run(gitDir, "count-objects", "-v");
        long n = 0;
        for (String line : out.lines().toList()) {
            if (line.startsWith("count:") || line.startsWith("in-pack:")) {
                n += Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
            }
        }
        return n;
    }

}
