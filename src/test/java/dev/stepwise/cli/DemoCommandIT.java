package dev.stepwise.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stepwise.testing.GitCli;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main command: {@code stepwise demo} tells its story end to end and leaves a repository behind that
 * says what happened, and {@code stepwise run --once} continues from it.
 */
class DemoCommandIT {

    @TempDir
    Path tmp;

    @Test
    void bothRolloutsEndAsTheStorySaysAndGitRecordsWhy() {
        Path dir = tmp.resolve("demo");
        CliRun demo = CliRun.of("demo", "--plain", "--dir", dir.toString());
        assertThat(demo.exitCode()).as(demo.out() + demo.err()).isZero();
        assertThat(demo.out())
                .contains("the demo metric source: timelines from")
                .contains("» Dana merges pull request #42")
                .contains("» Riley approves checkout-api v2.1.0 with a promotion commit")
                .contains("✓ checkout-api v2.1.0")
                .contains("✓ web-app v1.3.0: rolled back, all traffic on stable — analysis")
                .contains("✓ revert proposed on stepwise/revert/production/web-app/")
                .contains("Status commits Stepwise wrote")
                .contains("Both rollouts ended as expected.");

        GitCli git = new GitCli(tmp.resolve("home"));
        Path repo = dir.resolve("repo.git");
        String webApp = git.run(repo, "show", "stepwise/status:status/production/web-app.yaml");
        assertThat(webApp).contains("phase: Degraded").contains("weight: 0").contains("abortReason: 'analysis")
                .contains("code: reconcile.revert");
        String checkout = git.run(repo, "show", "stepwise/status:status/production/checkout-api.yaml");
        assertThat(checkout).contains("phase: Healthy").contains("by: release-manager@example.com")
                .contains("metric: success-rate");
        String revert = git.run(repo, "log", "-1", "--format=%B", "--branches=stepwise/revert/*");
        assertThat(revert).contains("web-app").contains("0.93");

        // the repository it leaves behind is one `stepwise run` continues from
        CliRun once = CliRun.of("run", "--once", "--cluster", "embedded", "--repo", repo.toString(),
                "--cache-dir", tmp.resolve("cache").toString());
        assertThat(once.exitCode()).as(once.out() + once.err()).isZero();
        assertThat(once.out()).contains("production/checkout-api").contains("production/web-app Degraded");
    }
}
