package dev.stepwise.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class FlaggerValueTest {
    static final Instant T = Instant.parse("2026-03-01T12:00:00Z");

    static Measurement value(Object v) {
        return Measurement.ofValue(v, OptionalLong.of(3), "q", T, Duration.ofMillis(5));
    }

    @Test
    void aVectorIsItsLastSeriesValueAndANumberStaysOne() {
        assertThat(FlaggerValue.read(value(List.of(97.0, 99.5))).value()).contains(99.5);
        assertThat(FlaggerValue.read(value(99.1)).value()).contains(99.1);
        assertThat(FlaggerValue.read(value("42")).value()).contains(42.0);
        assertThat(FlaggerValue.read(value(List.of(97.0))).sampleCount()).hasValue(3);
    }

    @Test
    void nothingToReadIsNoDataAsFlaggerSaysNoValuesFound() {
        for (Object nothing : new Object[] {List.of(), Double.NaN, List.of(Double.NaN), "text", java.util.Map.of()}) {
            Measurement m = FlaggerValue.read(value(nothing));
            assertThat(m.error()).as(String.valueOf(nothing)).get().extracting(MeasurementError::kind).isEqualTo(MeasurementError.Kind.NO_DATA);
            assertThat(m.error().get().message()).startsWith("no values found");
        }
    }

    @Test
    void anErrorStaysTheSameError() {
        Measurement e = Measurement.ofError(MeasurementError.Kind.TIMEOUT, "slow", "q", T, Duration.ofSeconds(1));
        assertThat(FlaggerValue.read(e)).isSameAs(e);
    }
}
