package dev.stepwise.git;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.testing.LighttpdGitServer;
import dev.stepwise.testing.Person;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Status commits against C git's http-backend, with people pushing to the same repository at the same time. */
class GitStatusWriterIT {

    private static final String USER = "stepwise";
    private static final String PASSWORD = "status-pw-" + Long.toHexString(System.nanoTime());
    private static final RolloutKey CHECKOUT = new RolloutKey("shop", "checkout");
    private static final RolloutKey CART = new RolloutKey("shop", "cart");
    private static final Revision SOURCE = new Revision("main", "0123456789abcdef0123456789abcdef01234567");

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

    private Mirror mirror(String repo, Path cache) throws IOException {
        GitTransport t = new GitTransport(RemoteUrl.parse(http.url(repo)), GitCredentials.password(USER, PASSWORD),
                Duration.ofSeconds(20), cache.resolve("ssh"));
        return Mirror.open(cache, t);
    }

    private Person seed(String repo) {
        http.repos().create(repo);
        Person ada = new Person("Ada", http, tmp.resolve("ada-" + repo)).cloneFrom(http.url(repo));
        ada.write("deploy/checkout.yaml", Specs.rollout("checkout", 10)).commit("specs");
        ada.push();
        return ada;
    }

    private static String status(String phase, int step) {
        return "phase: " + phase + "\nstep: " + step + "\n";
    }

    @Test
    void writesOneCommitPerCycleOnTheStatusBranchAndReadsItBack() throws IOException {
        seed("status");
        try (Mirror mirror = mirror("status", tmp.resolve("cache"))) {
            StatusWriter writer = new StatusWriter(mirror, StatusWriter.Location.statusBranch());

            StatusWriteResult first = writer.write(StatusCommit.of("status: checkout step 1/3 weight 10%, cart started", SOURCE,
                    current -> StatusChanges.none().put(CHECKOUT, status("Progressing", 1)).put(CART, status("Progressing", 0))));

            assertThat(first).isInstanceOf(StatusWriteResult.Committed.class);
            StatusWriteResult.Committed c1 = (StatusWriteResult.Committed) first;
            assertThat(c1.changed()).containsExactly(CART, CHECKOUT);
            assertThat(http.repos().head("status", "stepwise/status")).isEqualTo(c1.commitId());
            assertThat(http.repos().show("status", "stepwise/status:status/shop/checkout.yaml")).isEqualTo(status("Progressing", 1));
            String message = http.repos().admin().run(http.repos().path("status"), "log", "-1", "--format=%an <%ae>%n%B", "stepwise/status");
            assertThat(message).startsWith("Stepwise <stepwise@localhost>\nstatus: checkout step 1/3 weight 10%, cart started\n\n")
                    .contains("Stepwise-Source: " + SOURCE.name());
            String trailer = http.repos().admin().run(http.repos().path("status"), "log", "-1",
                    "--format=%(trailers:key=Stepwise-Source,valueonly)", "stepwise/status").strip();
            assertThat(trailer).as("git itself reads the trailer").isEqualTo(SOURCE.name());
            assertThat(http.repos().log("status", "main")).as("the tracked branch is untouched").hasSize(1);

            StatusWriteResult same = writer.write(StatusCommit.of("status: nothing new", SOURCE,
                    current -> StatusChanges.none().put(CHECKOUT, status("Progressing", 1))));
            assertThat(same).isEqualTo(new StatusWriteResult.NothingToCommit(java.util.Optional.of(c1.commitId())));
            assertThat(http.repos().log("status", "stepwise/status")).hasSize(1);

            StatusWriteResult second = writer.write(StatusCommit.of("status: checkout step 2/3, cart removed", SOURCE,
                    current -> StatusChanges.none().put(CHECKOUT, status("Progressing", current.get(CHECKOUT).map(s -> 2).orElse(0)))
                            .delete(CART)));
            assertThat(((StatusWriteResult.Committed) second).changed()).containsExactly(CART, CHECKOUT);
            assertThat(http.repos().log("status", "stepwise/status")).hasSize(2);
        }

        // a restarted process, with an empty cache, continues from what is on the branch
        try (Mirror fresh = mirror("status", tmp.resolve("cache-after-restart"))) {
            StatusWriter.StatusRead read = new StatusWriter(fresh, StatusWriter.Location.statusBranch()).readStatus();
            assertThat(read).isInstanceOf(StatusWriter.StatusRead.Read.class);
            StatusFiles files = ((StatusWriter.StatusRead.Read) read).files();
            assertThat(files.files()).containsExactly(Map.entry(CHECKOUT, status("Progressing", 2)));
            assertThat(files.commitId()).contains(http.repos().head("status", "stepwise/status"));
        }
    }

    @Test
    void aPersonsCommitOnTheStatusBranchIsKeptAndBuiltUpon() throws IOException {
        Person ada = seed("handedit");
        try (Mirror mirror = mirror("handedit", tmp.resolve("cache"))) {
            StatusWriter writer = new StatusWriter(mirror, StatusWriter.Location.statusBranch());
            writer.write(StatusCommit.of("status: start", SOURCE, c -> StatusChanges.none().put(CHECKOUT, status("Progressing", 1))));

            // someone pushes to the status branch by hand between two cycles: a note and a manual status edit
            ada.git().run(ada.workDir(), "fetch", "--quiet", "origin", "stepwise/status");
            ada.git().run(ada.workDir(), "checkout", "--quiet", "-b", "stepwise/status", "origin/stepwise/status");
            ada.write("status/README.md", "Status is written by Stepwise.\n")
                    .write("status/shop/cart.yaml", status("Paused", 0));
            String adas = ada.commit("status: note, and pause cart by hand");
            ada.git().run(ada.workDir(), "push", "--quiet", "origin", "stepwise/status");

            StatusWriteResult r = writer.write(StatusCommit.of("status: checkout step 2", SOURCE,
                    current -> StatusChanges.none().put(CHECKOUT, status("Progressing", 2))));

            assertThat(r).isInstanceOf(StatusWriteResult.Committed.class);
            String head = http.repos().head("handedit", "stepwise/status");
            assertThat(http.repos().admin().isAncestor(http.repos().path("handedit"), adas, head)).isTrue();
            assertThat(http.repos().show("handedit", head + ":status/README.md")).isEqualTo("Status is written by Stepwise.\n");
            assertThat(http.repos().show("handedit", head + ":status/shop/cart.yaml")).isEqualTo(status("Paused", 0));
            assertThat(http.repos().show("handedit", head + ":status/shop/checkout.yaml")).isEqualTo(status("Progressing", 2));
            assertThat(http.repos().nonFastForwardUpdates("handedit", "stepwise/status")).isEmpty();
        }
    }

    /**
     * Status on the tracked branch itself while three people push ten commits each to it: Stepwise loses races, reads
     * their commits, computes its files again on top and retries; nobody's commit is lost and nothing is forced.
     */
    @Test
    void statusCommitsRaceWithThirtyCommitsByPeopleWithoutLosingAny() throws Exception {
        seed("race");
        int people = 3;
        int commitsEach = 10;
        int cycles = 10;
        List<Person> team = new ArrayList<>();
        for (int p = 0; p < people; p++) {
            team.add(new Person("Person " + p, http, tmp.resolve("p" + p)).cloneFrom(http.url("race")));
        }
        ConcurrentLinkedQueue<String> pushedSubjects = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<StatusWriteResult> results = new ConcurrentLinkedQueue<>();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(people + 1);
        try (Mirror mirror = mirror("race", tmp.resolve("cache"))) {
            StatusWriter writer = new StatusWriter(mirror, StatusWriter.Location.folderOn("main", ".stepwise/status"),
                    StatusWriter.Identity.DEFAULT, new StatusWriter.Retry(40, new Backoff(Duration.ofMillis(20),
                    Duration.ofMillis(500), 2.0, 0.5)), java.time.Clock.systemUTC());
            List<Future<?>> futures = new ArrayList<>();
            for (int p = 0; p < people; p++) {
                Person person = team.get(p);
                int id = p;
                futures.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < commitsEach; i++) {
                        String subject = "person " + id + " commit " + i;
                        person.write("deploy/p" + id + ".yaml", Specs.rollout("p" + id, i)).commit(subject);
                        person.push(60);
                        pushedSubjects.add(subject);
                    }
                    return null;
                }));
            }
            futures.add(pool.submit(() -> {
                go.await();
                for (int cycle = 1; cycle <= cycles; cycle++) {
                    int step = cycle;
                    results.add(writer.write(StatusCommit.of("status: checkout step " + step + "/" + cycles, SOURCE,
                            current -> StatusChanges.none().put(CHECKOUT, status("Progressing", step)))));
                }
                return null;
            }));
            go.countDown();
            for (Future<?> f : futures) {
                f.get(150, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        List<String> log = http.repos().log("race", "main");
        for (int p = 0; p < people; p++) {
            for (int i = 0; i < commitsEach; i++) {
                String line = "Person " + p + ": person " + p + " commit " + i;
                assertThat(log).as("%s survives", line).anyMatch(l -> l.endsWith(line));
            }
        }
        assertThat(pushedSubjects).hasSize(people * commitsEach);
        assertThat(results).hasSize(cycles).allMatch(r -> r instanceof StatusWriteResult.Committed);
        assertThat(log).filteredOn(l -> l.contains("Stepwise: status: checkout step")).hasSize(cycles);
        assertThat(http.repos().show("race", "main:.stepwise/status/shop/checkout.yaml")).isEqualTo(status("Progressing", cycles));
        for (int p = 0; p < people; p++) {
            assertThat(http.repos().show("race", "main:deploy/p" + p + ".yaml")).contains("setWeight: " + (commitsEach - 1));
        }
        assertThat(http.repos().nonFastForwardUpdates("race", "main")).as("no update replaced anyone's commit").isEmpty();
        assertThat(http.repos().updateCount("race", "main")).isEqualTo(1 + people * commitsEach + cycles);
        int attempts = results.stream().mapToInt(r -> ((StatusWriteResult.Committed) r).attempts()).sum();
        long personPushes = http.accessLog().stream().filter(l -> l.contains("POST /git/race.git/git-receive-pack")).count();
        System.out.println("status pushes needed " + attempts + " attempts for " + cycles + " commits; receive-pack requests "
                + personPushes + ", requests in all " + http.accessLog().stream().filter(l -> l.contains("/race.git/")).count());
    }

    @Test
    void aRefusalThatIsNotARaceFailsAtOnceWithoutRetrying() throws IOException {
        seed("hook");
        // a server-side hook refusing every push to the status branch (a "protected branch")
        Path hook = http.repos().path("hook").resolve("hooks/pre-receive");
        java.nio.file.Files.writeString(hook, "#!/bin/sh\necho 'status branch is protected' >&2\nexit 1\n");
        hook.toFile().setExecutable(true);
        try (Mirror mirror = mirror("hook", tmp.resolve("cache"))) {
            StatusWriteResult r = new StatusWriter(mirror, StatusWriter.Location.statusBranch())
                    .write(StatusCommit.of("status: x", SOURCE, c -> StatusChanges.none().put(CHECKOUT, "a: 1\n")));

            assertThat(r).isInstanceOf(StatusWriteResult.Failed.class);
            StatusWriteResult.Failed f = (StatusWriteResult.Failed) r;
            assertThat(f.attempts()).isEqualTo(1);
            assertThat(f.error().kind()).isEqualTo(GitError.Kind.REJECTED);
            assertThat(f.error().message()).contains("stepwise/status").doesNotContain(PASSWORD);
            assertThat(http.repos().head("hook", "stepwise/status")).isEmpty();
        }
    }
}
