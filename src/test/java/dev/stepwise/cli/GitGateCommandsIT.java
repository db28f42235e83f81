package dev.stepwise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.git.GitCredentials;
import dev.stepwise.git.GitTransport;
import dev.stepwise.git.Mirror;
import dev.stepwise.git.RemoteUrl;
import dev.stepwise.git.Revision;
import dev.stepwise.git.RolloutKey;
import dev.stepwise.git.StatusChanges;
import dev.stepwise.git.StatusCommit;
import dev.stepwise.git.StatusWriteResult;
import dev.stepwise.git.StatusWriter;
import dev.stepwise.git.promotion.GateDecisionReader;
import dev.stepwise.promotion.GateAction;
import dev.stepwise.promotion.GateDecisionCommit;
import dev.stepwise.testing.LighttpdGitServer;
import dev.stepwise.testing.Person;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code stepwise promote|abort|retry|skip} and {@code stepwise status} end to end against lighttpd + git http-backend. */
class GitGateCommandsIT {

    private static final String USER = "stepwise";
    private static final String PASSWORD = "cli-pw-" + Long.toHexString(System.nanoTime());

    @TempDir
    Path tmp;

    private record Run(int exitCode, String out, String err) {
    }

    /** Runs one command object through picocli with the credentials in its environment, as a shell would pass them. */
    private static Run run(Callable<Integer> command, Map<String, String> env, String... args) {
        if (command instanceof GateCommand g) {
            g.env = env;
        } else if (command instanceof StatusCommand s) {
            s.env = env;
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void promoteWritesTheDecisionAsThePersonAndAPollSeesItStatusPrintsTheStatusBranch() throws Exception {
        try (LighttpdGitServer http = LighttpdGitServer.start(tmp.resolve("http"), USER, PASSWORD)) {
            http.repos().create("specs");
            Person ana = new Person("Ana", http, tmp.resolve("ana")).cloneFrom(http.url("specs"));
            ana.write("deploy/checkout.yaml", """
                    apiVersion: argoproj.io/v1alpha1
                    kind: Rollout
                    metadata: {name: checkout-api, namespace: production}
                    spec:
                      strategy: {canary: {steps: [{setWeight: 10}, {pause: {}}]}}
                    """).commit("checkout");
            ana.push();
            String before = http.repos().head("specs", "main");
            Map<String, String> env = Map.of("STEPWISE_GIT_USERNAME", USER, "STEPWISE_GIT_PASSWORD", PASSWORD,
                    "STEPWISE_AUTHOR", "Bo Builder <bo@example.com>");

            Run promoted = run(new PromoteCommand(), env, "checkout-api", "--repo", http.url("specs"), "--step", "1",
                    "--revision", "v2.1.0", "--reason", "dashboards look fine");
            assertThat(promoted.err()).isEmpty();
            assertThat(promoted.exitCode()).isZero();
            String head = http.repos().head("specs", "main");
            assertThat(promoted.out()).startsWith("promote production/checkout-api (step 1, revision v2.1.0): committed "
                    + head.substring(0, 12) + " on main (promotions/production/checkout-api.yaml)");
            assertThat(http.repos().show("specs", "main:promotions/production/checkout-api.yaml"))
                    .startsWith("action: promote\nstep: 1\nrevision: v2.1.0\nreason: \"dashboards look fine\"\nrequestedAt: \"");
            assertThat(http.repos().admin().run(http.repos().path("specs"), "log", "-1", "--format=%an <%ae>|%cn|%s", "main").strip())
                    .isEqualTo("Bo Builder <bo@example.com>|Bo Builder|gate: promote production/checkout-api (step 1, revision v2.1.0)");
            assertThat(promoted.out() + promoted.err()).doesNotContain(PASSWORD);

            Run full = run(new PromoteCommand(), env, "production/checkout-api", "--repo", http.url("specs"), "--full",
                    "--author", "Ana <ana@example.com>");
            assertThat(full.exitCode()).isZero();
            Run aborted = run(new AbortCommand(), env, "checkout-api", "--repo", http.url("specs"));
            assertThat(aborted.exitCode()).isZero();
            Run noStep = run(new SkipCommand(), env, "checkout-api", "--repo", http.url("specs"));
            assertThat(noStep.exitCode()).isEqualTo(2);
            assertThat(noStep.err()).contains("--step N is required");
            Run skipped = run(new SkipCommand(), env, "checkout-api", "--repo", http.url("specs"), "--step", "1");
            assertThat(skipped.exitCode()).isZero();
            assertThat(http.repos().show("specs", "main:promotions/production/checkout-api.yaml")).startsWith("action: skip\nstep: 1\n");
            Run retried = run(new RetryCommand(), env, "checkout-api", "--repo", http.url("specs"));
            assertThat(retried.exitCode()).isZero();

            // what a poll from the revision before sees: the last decision only (the file's last change), by its author
            try (Mirror mirror = Mirror.open(tmp.resolve("cache"), new GitTransport(RemoteUrl.parse(http.url("specs")),
                    GitCredentials.password(USER, PASSWORD), Duration.ofSeconds(20), tmp.resolve("cache/ssh")))) {
                mirror.fetch(List.of("main"));
                String now = http.repos().head("specs", "main");
                List<GateDecisionCommit> decisions = new GateDecisionReader().read(mirror.repository(), Optional.of(before), now).decisions();
                assertThat(decisions).singleElement().satisfies(d -> {
                    assertThat(d.action()).isEqualTo(GateAction.RETRY);
                    assertThat(d.id()).isEqualTo(now);
                    assertThat(d.author().email()).isEqualTo("bo@example.com");
                });
                assertThat(new GateDecisionReader().read(mirror.repository(), Optional.of(head), head).decisions()).isEmpty();
                List<GateDecisionCommit> first = new GateDecisionReader().read(mirror.repository(), Optional.of(before), head).decisions();
                assertThat(first).singleElement().satisfies(d -> {
                    assertThat(d.step()).contains(1);
                    assertThat(d.revision()).contains("v2.1.0");
                });

                StatusWriteResult written = new StatusWriter(mirror, StatusWriter.Location.statusBranch()).write(StatusCommit.of(
                        "status: checkout-api step 1/2", new Revision("main", now), c -> StatusChanges.none()
                                .put(new RolloutKey("production", "checkout-api"), "phase: Paused\nstep: 1\nweight: 10\n"
                                        + "revision: 6d8f9c7b5d\nlastUpdate: \"2026-11-25T10:00:00Z\"\nmessage: waiting for a person\n")
                                .put(new RolloutKey("shop", "cart"), "phase: Healthy\n")));
                assertThat(written).isInstanceOf(StatusWriteResult.Committed.class);
            }

            Run table = run(new StatusCommand(), env, "--repo", http.url("specs"));
            assertThat(table.exitCode()).isZero();
            assertThat(table.out().lines().toList()).startsWith(
                    "ROLLOUT                  PHASE    STEP  WEIGHT  REVISION    UPDATED",
                    "production/checkout-api  Paused   1     10      6d8f9c7b5d  2026-11-25T10:00:00Z",
                    "shop/cart                Healthy  -     -       -           -");
            Run json = run(new StatusCommand(), env, "checkout-api", "--repo", http.url("specs"), "--format", "json");
            assertThat(json.exitCode()).isZero();
            assertThat(json.out()).contains("\"namespace\" : \"production\"").contains("\"message\" : \"waiting for a person\"")
                    .doesNotContain("shop");
            Run none = run(new StatusCommand(), env, "nothing-here", "--repo", http.url("specs"));
            assertThat(none.exitCode()).isEqualTo(1);
            assertThat(none.err()).contains("no status for 'nothing-here' on stepwise/status");

            // signed from the command line with an ssh key the repository trusts: the reader verifies it
            Path key = tmp.resolve("bo-ssh/id_ed25519");
            java.nio.file.Files.createDirectories(key.getParent());
            dev.stepwise.testing.SshGitServer.keygen(key, "");
            ana.pull();
            ana.write("keys/allowed_signers", "bo@example.com " + java.nio.file.Files.readString(key.resolveSibling("id_ed25519.pub")));
            ana.commit("trust Bo's ssh key");
            ana.push();
            String beforeSigned = http.repos().head("specs", "main");
            Run signed = run(new PromoteCommand(), env, "checkout-api", "--repo", http.url("specs"), "--signing-format", "ssh",
                    "--signing-key", key.toString());
            assertThat(signed.err()).isEmpty();
            assertThat(signed.exitCode()).isZero();
            try (Mirror mirror = Mirror.open(tmp.resolve("cache-signed"), new GitTransport(RemoteUrl.parse(http.url("specs")),
                    GitCredentials.password(USER, PASSWORD), Duration.ofSeconds(20), tmp.resolve("cache-signed/ssh")))) {
                mirror.fetch(List.of("main"));
                String now = http.repos().head("specs", "main");
                assertThat(new GateDecisionReader().read(mirror.repository(), Optional.of(beforeSigned), now).decisions())
                        .singleElement().satisfies(d -> assertThat(d.signature().describe())
                                .startsWith("good ssh signature by bo@example.com (key SHA256:"));
            }

            Run unknown = run(new PromoteCommand(), env, "no-such-rollout", "--repo", http.url("specs"));
            assertThat(unknown.exitCode()).isEqualTo(2);
            assertThat(unknown.err()).contains("no Rollout or Canary named 'no-such-rollout' on main");
            Run wrongPassword = run(new AbortCommand(), Map.of("STEPWISE_GIT_USERNAME", USER, "STEPWISE_GIT_PASSWORD", "wrong-" + PASSWORD,
                    "STEPWISE_AUTHOR", "Bo <bo@example.com>"), "production/checkout-api", "--repo", http.url("specs"));
            assertThat(wrongPassword.exitCode()).isEqualTo(2);
            assertThat(wrongPassword.err()).contains("AUTH_FAILED").doesNotContain(PASSWORD);
        }
    }
}
