package dev.stepwise.git.promotion;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.git.GitCredentials;
import dev.stepwise.git.GitSource;
import dev.stepwise.git.GitTransport;
import dev.stepwise.git.Mirror;
import dev.stepwise.git.PollResult;
import dev.stepwise.git.RemoteUrl;
import dev.stepwise.git.Revision;
import dev.stepwise.git.RolloutKey;
import dev.stepwise.git.Snapshot;
import dev.stepwise.policy.PolicySet;
import dev.stepwise.promotion.CanaryRevision;
import dev.stepwise.promotion.CommitSignature;
import dev.stepwise.promotion.GateAction;
import dev.stepwise.promotion.GateDecisionCommit;
import dev.stepwise.promotion.GateJudge;
import dev.stepwise.spec.model.PromoteTo;
import dev.stepwise.spec.model.RevertMode;
import dev.stepwise.testing.Gpg;
import dev.stepwise.testing.LighttpdGitServer;
import dev.stepwise.testing.Person;
import dev.stepwise.testing.SshGitServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gate decisions, environment promotions and revert proposals against C git's http-backend, with people committing
 * (and signing) with the git command line.
 */
class GitPromotionIT {

    static final String USER = "stepwise";
    static final String PASSWORD = "promo-pw-" + Long.toHexString(System.nanoTime());
    static final RolloutKey CHECKOUT = new RolloutKey("production", "checkout-api");
    static final RolloutKey PAYMENTS = new RolloutKey("payments", "payments-api");
    static final CanaryRevision RUNNING = new CanaryRevision("6d8f9c7b5d", Set.of("registry.example.com/checkout-api:v2.1.0"));

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

    static String rollout(String namespace, String name, String image) {
        return """
                # %2$s in %1$s: owned by the %2$s team
                apiVersion: argoproj.io/v1alpha1
                kind: Rollout
                metadata:
                  name: %2$s
                  namespace: %1$s
                spec:
                  replicas: 4
                  template:
                    spec:
                      containers:
                        - name: %2$s
                          image: %3$s   # bumped by CI
                          env:
                            - {name: MODE, value: "fast"}
                  strategy:
                    canary:
                      steps:
                        - setWeight: 10
                        - pause: {}
                """.formatted(namespace, name, image);
    }

    static final String POLICY = """
            apiVersion: stepwise.dev/v1alpha1
            kind: Policy
            metadata:
              name: approvers
            spec:
              approvers:
                - match: {namespaces: [production]}
                  emails: [ana@example.com]
                - match: {namespaces: [payments]}
                  emails: [ana@example.com]
                  requireSignedCommits: true
            """;

    private Person seed(String repo) {
        http.repos().create(repo);
        Person ana = new Person("Ana", http, tmp.resolve("ana-" + repo)).cloneFrom(http.url(repo));
        ana.write("deploy/checkout.yaml", rollout("production", "checkout-api", "registry.example.com/checkout-api:v2.1.0"))
                .write("deploy/payments.yaml", rollout("payments", "payments-api", "registry.example.com/payments-api:v1.0.0"))
                .write("deploy/policies/approvers.yaml", POLICY)
                .commit("specs and approvers");
        ana.push();
        return ana;
    }

    private GitSource source(String repo) throws IOException {
        return GitSource.open(new GitSource.Config(RemoteUrl.parse(http.url(repo)), "main", "deploy"), tmp.resolve("cache-" + repo),
                GitCredentials.password(USER, PASSWORD), Duration.ofSeconds(20));
    }

    private Mirror mirror(String repo) throws IOException {
        Path cache = tmp.resolve("writer-" + repo);
        return Mirror.open(cache, new GitTransport(RemoteUrl.parse(http.url(repo)), GitCredentials.password(USER, PASSWORD),
                Duration.ofSeconds(20), cache.resolve("ssh")));
    }

    private static Snapshot changed(PollResult r) {
        assertThat(r).isInstanceOf(PollResult.Changed.class);
        return ((PollResult.Changed) r).current();
    }

    private static GateJudge.Judged decisions(GitSource source, Snapshot since, Snapshot head, Set<String> applied) throws IOException {
        return new GateDecisionReader().poll(source.mirror().repository(), Optional.ofNullable(since).map(s -> s.revision().commitId()),
                head.revision().commitId(), head.specs().documents(), PolicySet.compile(head.specs().documents()),
                k -> Optional.of(RUNNING), applied);
    }

    private static void commitSigned(Person p, String message, String... extraConfig) {
        p.git().run(p.workDir(), "add", "--all");
        List<String> args = new java.util.ArrayList<>();
        for (String c : extraConfig) {
            args.add("-c");
            args.add(c);
        }
        args.addAll(List.of("commit", "--quiet", "-S", "-m", message));
        p.git().run(p.workDir(), args.toArray(String[]::new));
    }

    @Test
    void aDecisionFromAnApproverIsAcceptedOnceAndOneFromSomeoneElseIsRefusedWithAFinding() throws IOException {
        Person ana = seed("gates");
        try (GitSource source = source("gates")) {
            Snapshot s0 = changed(source.poll());
            assertThat(s0.specs().findings()).isEmpty();

            ana.write("promotions/production/checkout-api.yaml", "action: promote\nrevision: v2.1.0\n").commit("promote checkout");
            ana.push();
            String anas = ana.head();
            Snapshot s1 = changed(source.poll());

            GateJudge.Judged first = decisions(source, s0, s1, Set.of());
            assertThat(first.findings()).isEmpty();
            assertThat(first.accepted()).singleElement().satisfies(d -> {
                assertThat(d.id()).isEqualTo(anas);
                assertThat(d.rollout()).isEqualTo(CHECKOUT);
                assertThat(d.action()).isEqualTo(GateAction.PROMOTE);
                assertThat(d.author().email()).isEqualTo("ana@example.com");
                assertThat(d.signature()).isInstanceOf(CommitSignature.Unsigned.class);
                assertThat(d.approval()).hasValueSatisfying(a -> assertThat(a.describe())
                        .startsWith("ana@example.com (approver per policy approvers at deploy/policies/approvers.yaml:7:"));
            });

            // the next poll sees no new revision, and the same revision read again with the id recorded gives nothing
            assertThat(source.poll()).isInstanceOf(PollResult.Unchanged.class);
            assertThat(decisions(source, s1, s1, Set.of()).accepted()).isEmpty();
            assertThat(decisions(source, null, s1, Set.of(anas)).accepted()).as("after a restart, applied ids are skipped").isEmpty();

            Person eve = new Person("Eve", http, tmp.resolve("eve")).cloneFrom(http.url("gates"));
            eve.write("promotions/production/checkout-api.yaml", "action: abort\n").commit("abort checkout");
            eve.push();
            Snapshot s2 = changed(source.poll());
            GateJudge.Judged second = decisions(source, s1, s2, Set.of(anas));
            assertThat(second.accepted()).isEmpty();
            assertThat(second.findings()).singleElement().satisfies(f -> {
                assertThat(f.code()).isEqualTo(GateJudge.NOT_APPROVER);
                assertThat(f.location().file()).isEqualTo("promotions/production/checkout-api.yaml");
                assertThat(f.message()).contains("abort production/checkout-api by eve@example.com")
                        .contains("eve@example.com is not an approver of Rollout production/checkout-api")
                        .contains("policy approvers (deploy/policies/approvers.yaml:7:7) allows ana@example.com");
            });

            // a decision written on a branch and merged with a merge commit by someone else counts as its author's, and
            // a decision committed on main while the branch was open is not missed
            ana.pull();
            ana.git().run(ana.workDir(), "checkout", "--quiet", "-b", "gate");
            String onBranch = ana.write("promotions/production/checkout-api.yaml", "action: promote-full\n").commit("promote-full, on a branch");
            ana.git().run(ana.workDir(), "push", "--quiet", "origin", "gate");
            eve.pull();
            String evesAbort = eve.write("promotions/payments/payments-api.yaml", "action: abort\n").commit("abort payments");
            eve.push();
            eve.git().run(eve.workDir(), "fetch", "--quiet", "origin", "gate");
            eve.git().run(eve.workDir(), "merge", "--quiet", "--no-ff", "-m", "merge gate", "origin/gate");
            eve.push();
            Snapshot s3 = changed(source.poll());
            GateJudge.Judged third = decisions(source, s2, s3, Set.of());
            assertThat(third.accepted()).singleElement().satisfies(d -> {
                assertThat(d.id()).isEqualTo(onBranch);
                assertThat(d.action()).isEqualTo(GateAction.PROMOTE_FULL);
                assertThat(d.author().email()).isEqualTo("ana@example.com");
            });
            assertThat(third.findings()).singleElement().satisfies(f -> {
                assertThat(f.code()).isEqualTo(GateJudge.NOT_APPROVER);
                assertThat(f.message()).contains("abort payments/payments-api by eve@example.com in " + evesAbort.substring(0, 12));
            });
        }
    }

    @Test
    void whereSignaturesAreRequiredOnlyAGoodSignatureByTheAuthorsTrustedKeyCounts() throws Exception {
        Person ana = seed("signed");
        try (Gpg anasKey = Gpg.generate(tmp.resolve("ana-gpg"), "Ana <ana@example.com>");
             Gpg strayKey = Gpg.generate(tmp.resolve("stray-gpg"), "Ana <ana@example.com>");
             GitSource source = source("signed")) {
            Path sshKey = tmp.resolve("ana-ssh/id_ed25519");
            Files.createDirectories(sshKey.getParent());
            SshGitServer.keygen(sshKey, "");
            String sshPublic = Files.readString(sshKey.resolveSibling("id_ed25519.pub")).strip();
            ana.write("keys/ana.asc", anasKey.exportPublic())
                    .write("keys/allowed_signers", "# who may sign with ssh\nana@example.com " + sshPublic + "\n")
                    .commit("trust Ana's keys");
            ana.push();
            Snapshot s0 = changed(source.poll());
            String file = "promotions/payments/payments-api.yaml";

            ana.write(file, "action: promote\nstep: 1\n").commit("unsigned promote");
            ana.push();
            Snapshot s1 = changed(source.poll());
            GateJudge.Judged unsigned = decisions(source, s0, s1, Set.of());
            assertThat(unsigned.accepted()).isEmpty();
            assertThat(unsigned.findings()).singleElement().satisfies(f -> {
                assertThat(f.code()).isEqualTo(GateJudge.UNSIGNED);
                assertThat(f.message()).contains("requires signed commits for Rollout payments/payments-api")
                        .contains("this commit is unsigned");
            });

            strayKey.configure(ana.git());
            ana.write(file, "action: promote\nstep: 2\n");
            commitSigned(ana, "promote signed with an untrusted key");
            ana.push();
            Snapshot s2 = changed(source.poll());
            GateJudge.Judged stray = decisions(source, s1, s2, Set.of());
            assertThat(stray.accepted()).isEmpty();
            assertThat(stray.findings()).singleElement().satisfies(f -> {
                assertThat(f.code()).isEqualTo(GateJudge.BAD_SIGNATURE);
                assertThat(f.message()).contains("not among the trusted keys");
            });

            anasKey.configure(ana.git());
            ana.write(file, "action: promote\nstep: 3\n");
            commitSigned(ana, "promote, signed");
            ana.push();
            Snapshot s3 = changed(source.poll());
            GateJudge.Judged good = decisions(source, s2, s3, Set.of());
            assertThat(good.findings()).isEmpty();
            GateDecisionCommit d = good.accepted().get(0);
            assertThat(d.step()).contains(3);
            assertThat(d.signature()).isEqualTo(new CommitSignature.Verified("openpgp", anasKey.fingerprint(), "Ana <ana@example.com>"));
            assertThat(d.approval()).hasValueSatisfying(a -> assertThat(a.signed()).isTrue());

            ana.write(file, "action: promote-full\n");
            commitSigned(ana, "promote all the way, ssh-signed", "gpg.format=ssh", "user.signingkey=" + sshKey.resolveSibling("id_ed25519.pub"));
            ana.push();
            Snapshot s4 = changed(source.poll());
            GateJudge.Judged ssh = decisions(source, s3, s4, Set.of());
            assertThat(ssh.findings()).isEmpty();
            assertThat(ssh.accepted()).singleElement().satisfies(x -> {
                assertThat(x.action()).isEqualTo(GateAction.PROMOTE_FULL);
                assertThat(x.signature()).isInstanceOf(CommitSignature.Verified.class);
                assertThat(((CommitSignature.Verified) x.signature()).format()).isEqualTo("ssh");
                assertThat(((CommitSignature.Verified) x.signature()).key()).startsWith("SHA256:");
            });
        }
    }

    /** The lines a diff adds and removes, without the file headers. */
    private static List<String> changedLines(String diff) {
        return diff.lines().filter(l -> (l.startsWith("+") || l.startsWith("-")) && !l.startsWith("+++") && !l.startsWith("---")).toList();
    }

    @Test
    void environmentPromotionRewritesOnlyTheImageLineDirectlyOrOnAProposalBranch() throws IOException {
        Person ana = seed("envs");
        ana.write("deploy/prod/checkout.yaml", rollout("production", "checkout-api", "registry.example.com/checkout-api:v2.0.0"))
                .commit("prod checkout");
        ana.push();
        String head = http.repos().head("envs", "main");
        Revision source = new Revision("main", head);
        CanaryRevision verified = new CanaryRevision("abc123", Set.of("registry.example.com/checkout-api:v2.1.0"));
        try (Mirror mirror = mirror("envs")) {
            EnvironmentPromoter promoter = new EnvironmentPromoter(mirror, "main");
            WriteResult direct = promoter.promote(new EnvironmentPromoter.Request(new RolloutKey("staging", "checkout-api"), source,
                    verified, Map.of("checkout-api", "registry.example.com/checkout-api:v2.1.0"),
                    new PromoteTo("deploy/prod/checkout.yaml", PromoteTo.Mode.DIRECT), "success-rate 0.998 >= 0.99 (12 of 12)"));

            assertThat(direct).isInstanceOf(WriteResult.Committed.class);
            WriteResult.Committed c = (WriteResult.Committed) direct;
            assertThat(c.branch()).isEqualTo("main");
            assertThat(http.repos().head("envs", "main")).isEqualTo(c.commitId());
            String diff = http.repos().admin().run(http.repos().path("envs"), "diff", head, c.commitId());
            assertThat(changedLines(diff)).containsExactly(
                    "-          image: registry.example.com/checkout-api:v2.0.0   # bumped by CI",
                    "+          image: registry.example.com/checkout-api:v2.1.0   # bumped by CI");
            String message = http.repos().admin().run(http.repos().path("envs"), "log", "-1", "--format=%B", c.commitId());
            assertThat(message).startsWith("promote: checkout-api v2.1.0 to deploy/prod/checkout.yaml\n")
                    .contains("success-rate 0.998 >= 0.99 (12 of 12)")
                    .contains("Stepwise-Source: " + source.name()).contains("Stepwise-Promoted-From: staging/checkout-api");
            assertThat(http.repos().admin().run(http.repos().path("envs"), "log", "-1",
                    "--format=%(trailers:key=Stepwise-Promoted-From,valueonly)", c.commitId()).strip()).isEqualTo("staging/checkout-api");

            EnvironmentPromoter.Request next = new EnvironmentPromoter.Request(new RolloutKey("staging", "checkout-api"),
                    new Revision("main", c.commitId()), verified, Map.of("checkout-api", "registry.example.com/checkout-api:v2.2.0"),
                    new PromoteTo("deploy/prod/checkout.yaml", PromoteTo.Mode.PULL_REQUEST), "");
            WriteResult proposed = promoter.promote(next);
            assertThat(proposed).isInstanceOf(WriteResult.Committed.class);
            String branch = "stepwise/promote/staging/checkout-api/" + c.commitId().substring(0, 12);
            assertThat(((WriteResult.Committed) proposed).branch()).isEqualTo(branch);
            assertThat(http.repos().head("envs", "main")).as("main is untouched").isEqualTo(c.commitId());
            assertThat(changedLines(http.repos().admin().run(http.repos().path("envs"), "diff", "main", branch))).containsExactly(
                    "-          image: registry.example.com/checkout-api:v2.1.0   # bumped by CI",
                    "+          image: registry.example.com/checkout-api:v2.2.0   # bumped by CI");
            assertThat(promoter.promote(next)).isEqualTo(new WriteResult.NothingToDo("the promotion is already proposed on branch " + branch));

            WriteResult missing = promoter.promote(new EnvironmentPromoter.Request(new RolloutKey("staging", "checkout-api"), source,
                    verified, Map.of("worker", "w:1"), new PromoteTo("deploy/prod/checkout.yaml", PromoteTo.Mode.DIRECT), ""));
            assertThat(missing).isInstanceOf(WriteResult.Refused.class);
            assertThat(((WriteResult.Refused) missing).findings()).extracting(f -> f.code()).containsExactly("promotion.no-matching-container");
        }
    }

    @Test
    void anAbortedRolloutGetsItsRevertProposedOnABranchOrCommitted() throws IOException {
        Person ana = seed("revert");
        String stable = http.repos().head("revert", "main");
        ana.write("deploy/checkout.yaml", rollout("production", "checkout-api", "registry.example.com/checkout-api:v2.2.0"))
                .commit("checkout v2.2.0");
        ana.push();
        // someone tunes a step afterwards: a revert of the image must keep it
        ana.write("deploy/checkout.yaml", rollout("production", "checkout-api", "registry.example.com/checkout-api:v2.2.0")
                .replace("setWeight: 10", "setWeight: 5")).commit("smaller first step");
        ana.push();
        String aborted = http.repos().head("revert", "main");
        Revision abortedAt = new Revision("main", aborted);
        try (Mirror mirror = mirror("revert")) {
            RevertProposer proposer = new RevertProposer(mirror, "main");
            WriteResult branch = proposer.propose(new RevertProposer.Request(CHECKOUT, "deploy/checkout.yaml", abortedAt, stable,
                    RevertMode.REVERT_BRANCH, "success-rate 0.91 < 0.99 (3 of 5 measurements failed)"));
            assertThat(branch).isInstanceOf(WriteResult.Committed.class);
            String name = "stepwise/revert/production/checkout-api/" + aborted.substring(0, 12);
            assertThat(((WriteResult.Committed) branch).branch()).isEqualTo(name);
            assertThat(http.repos().head("revert", "main")).isEqualTo(aborted);
            assertThat(changedLines(http.repos().admin().run(http.repos().path("revert"), "diff", "main", name))).containsExactly(
                    "-          image: registry.example.com/checkout-api:v2.2.0   # bumped by CI",
                    "+          image: registry.example.com/checkout-api:v2.1.0   # bumped by CI");
            String message = http.repos().admin().run(http.repos().path("revert"), "log", "-1", "--format=%B", name);
            assertThat(message).startsWith("revert: checkout-api back to v2.1.0 (rollout aborted)\n")
                    .contains("success-rate 0.91 < 0.99 (3 of 5 measurements failed)")
                    .contains("Stepwise-Stable-Revision: " + stable);

            WriteResult commit = proposer.propose(new RevertProposer.Request(CHECKOUT, "deploy/checkout.yaml", abortedAt, stable,
                    RevertMode.REVERT_COMMIT, "success-rate 0.91 < 0.99"));
            assertThat(commit).isInstanceOf(WriteResult.Committed.class);
            String reverted = http.repos().head("revert", "main");
            assertThat(reverted).isEqualTo(((WriteResult.Committed) commit).commitId());
            assertThat(http.repos().show("revert", "main:deploy/checkout.yaml")).contains("checkout-api:v2.1.0").contains("setWeight: 5");
            assertThat(http.repos().nonFastForwardUpdates("revert", "main")).isEmpty();
            assertThat(proposer.propose(new RevertProposer.Request(CHECKOUT, "deploy/checkout.yaml", abortedAt, stable,
                    RevertMode.REVERT_COMMIT, ""))).isInstanceOf(WriteResult.NothingToDo.class);
        }
    }
}
