package dev.stepwise.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stepwise.ha.LeaderElection.Config;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeaderElectionConfigTest {
    static final Duration S15 = Duration.ofSeconds(15);
    static final Duration S10 = Duration.ofSeconds(10);
    static final Duration S2 = Duration.ofSeconds(2);

    static Config config(Duration lease, Duration renew, Duration retry) {
        return new Config("stepwise", "stepwise-leader", "pod-a", lease, renew, retry);
    }

    @Test
    void theDefaultsOfTheRunConfigurationAreValid() {
        Config c = Config.defaults("stepwise", "pod-a");
        assertThat(c).isEqualTo(new Config("stepwise", "stepwise-leader", "pod-a", S15, S10, S2));
    }

    @Test
    void renewDeadlineMustBeShorterThanTheLeaseDuration() {
        assertThatThrownBy(() -> config(S10, S10, S2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("leaderElection.renewDeadline (10s) must be shorter than leaseDuration (10s): "
                        + "the difference is the time in which neither replica writes");
        assertThatThrownBy(() -> config(S10, S15, S2)).hasMessageStartingWith("leaderElection.renewDeadline (15s) must be shorter");
    }

    @Test
    void retryPeriodMustBeShorterThanTheRenewDeadline() {
        assertThatThrownBy(() -> config(S15, S10, S10))
                .hasMessage("leaderElection.retryPeriod (10s) must be shorter than renewDeadline (10s): "
                        + "the leader must get to renew before its deadline");
    }

    @Test
    void renewDeadlineMustAllowForTheElectorsJitteredRetries() {
        // fabric8 waits up to retryPeriod × 2.2 between attempts; its builder would reject this at start
        assertThatThrownBy(() -> config(S15, Duration.ofSeconds(4), S2))
                .hasMessage("leaderElection.renewDeadline (4s) must be longer than 2.2 × retryPeriod (4.4s): "
                        + "the elector waits up to that long between attempts");
        assertThat(config(Duration.ofSeconds(2), Duration.ofMillis(1500), Duration.ofMillis(250)).retryPeriod())
                .isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void leaseDurationIsWholeSecondsBecauseTheLeaseStoresSeconds() {
        assertThatThrownBy(() -> config(Duration.ofMillis(2500), Duration.ofSeconds(2), Duration.ofMillis(250)))
                .hasMessage("leaderElection.leaseDuration must be a whole number of seconds (the Lease stores "
                        + "leaseDurationSeconds), got 2.5s");
    }

    @Test
    void durationsMustBePositive() {
        assertThatThrownBy(() -> config(S15, S10, Duration.ZERO)).hasMessage("leaderElection.retryPeriod must be a positive duration, got 0s");
        assertThatThrownBy(() -> config(null, S10, S2)).hasMessage("leaderElection.leaseDuration must be a positive duration, got nothing");
        assertThatThrownBy(() -> config(S15, Duration.ofSeconds(-1), S2)).hasMessageStartingWith("leaderElection.renewDeadline must be a positive duration");
    }

    @Test
    void namesMustNotBeBlankAndMustBeValidObjectNames() {
        assertThatThrownBy(() -> new Config(" ", "stepwise-leader", "pod-a", S15, S10, S2)).hasMessage("leaderElection.namespace must not be empty");
        assertThatThrownBy(() -> new Config("stepwise", "", "pod-a", S15, S10, S2)).hasMessage("leaderElection.leaseName must not be empty");
        assertThatThrownBy(() -> new Config("stepwise", "stepwise-leader", null, S15, S10, S2)).hasMessage("leaderElection.identity must not be empty");
        assertThatThrownBy(() -> new Config("Stepwise", "stepwise-leader", "pod-a", S15, S10, S2))
                .hasMessageStartingWith("leaderElection.namespace \"Stepwise\" is not a valid namespace name");
        assertThatThrownBy(() -> new Config("stepwise", "stepwise_leader", "pod-a", S15, S10, S2))
                .hasMessageStartingWith("leaderElection.leaseName \"stepwise_leader\" is not a valid object name");
    }

    @Test
    void identityDefaultsToThePodNameElseHostAndProcess() {
        assertThat(Config.defaultIdentity(Map.of("POD_NAME", "stepwise-7d9f-x2"))).isEqualTo("stepwise-7d9f-x2");
        assertThat(Config.defaultIdentity(Map.of())).endsWith("_" + ProcessHandle.current().pid()).doesNotStartWith("_");
    }

    @Test
    void aMonotonicClockDoesNotGoBackwards() {
        MonotonicClock clock = MonotonicClock.startingNow();
        var first = clock.instant();
        assertThat(clock.instant()).isAfterOrEqualTo(first);
        assertThat(Duration.between(java.time.Instant.now(), first).abs()).isLessThan(Duration.ofSeconds(1));
    }
}
