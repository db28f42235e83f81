package dev.stepwise.spec.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ArgoDurationTest {

    @Test
    void readsGoDurationSyntax() {
        assertThat(ArgoDuration.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(ArgoDuration.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(ArgoDuration.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(ArgoDuration.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(ArgoDuration.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
        assertThat(ArgoDuration.parse("2m30s")).isEqualTo(Duration.ofSeconds(150));
        assertThat(ArgoDuration.parse("0s")).isEqualTo(Duration.ZERO);
    }

    @Test
    void plainIntegersAreSeconds() {
        assertThat(ArgoDuration.parse("10")).isEqualTo(Duration.ofSeconds(10));
        assertThat(ArgoDuration.parse((Object) 45L)).isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void refusesWhatIsNotADurationWithAClearMessage() {
        assertThatThrownBy(() -> ArgoDuration.parse("5 minutes"))
                .isInstanceOf(ArgoDuration.DurationFormatException.class)
                .hasMessageContaining("'5 minutes' has unknown unit ' minutes'");
        assertThatThrownBy(() -> ArgoDuration.parse("5d"))
                .hasMessageContaining("unknown unit 'd'").hasMessageContaining("use ms, s, m or h");
        assertThatThrownBy(() -> ArgoDuration.parse("-5m")).hasMessageContaining("negative");
        assertThatThrownBy(() -> ArgoDuration.parse("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> ArgoDuration.parse("1m5")).hasMessageContaining("number without a unit");
        assertThatThrownBy(() -> ArgoDuration.parse((Object) 1.5)).hasMessageContaining("1.5 is not a duration");
        assertThat(ArgoDuration.tryParse("soon")).isEmpty();
    }

    @Test
    void formatsForPeople() {
        assertThat(ArgoDuration.format(Duration.ofMinutes(10))).isEqualTo("10m");
        assertThat(ArgoDuration.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
        assertThat(ArgoDuration.format(Duration.ofSeconds(3725))).isEqualTo("1h2m5s");
        assertThat(ArgoDuration.format(Duration.ofMillis(500))).isEqualTo("500ms");
        assertThat(ArgoDuration.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
        assertThat(ArgoDuration.format(Duration.ofHours(48))).isEqualTo("48h");
        assertThat(ArgoDuration.format(Duration.ZERO)).isEqualTo("0s");
    }
}
