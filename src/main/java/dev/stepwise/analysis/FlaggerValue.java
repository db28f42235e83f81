package dev.stepwise.analysis;

import java.util.List;
import java.util.Optional;

/**
 * A provider's answer read as Flagger reads a metric query: one number. Of a vector, the last series' value (Flagger
 * keeps the last it parses); a number stays a number; an empty vector, NaN or null is "no values found", which Flagger
 * counts as a failed check and Stepwise as a {@code NO_DATA} error (both move the Canary towards its threshold). Used
 * for every metric of a Flagger Canary ({@code ProviderSpec.FLAGGER_VALUE}), so that its thresholdRange conditions
 * ({@code result >= 99}) compare numbers, as they do in Flagger.
 */
public final class FlaggerValue {
    private FlaggerValue() {
    }

    public static Measurement read(Measurement m) {
        if (m.isError()) {
            return m;
        }
        Optional<Double> number = number(m.value().orElseThrow());
        if (number.isEmpty() || number.get().isNaN()) {
            return Measurement.ofError(MeasurementError.Kind.NO_DATA, "no values found (the query returned "
                    + m.describe() + "): is the canary receiving traffic?", m.query(), m.startedAt(), m.took());
        }
        return new Measurement(Optional.of(number.get()), m.sampleCount(), m.query(), m.startedAt(), m.took(), m.error(),
                m.providerPhase(), m.evidence());
    }

    private static Optional<Double> number(Object value) {
        if (value instanceof Number n) {
            return Optional.of(n.doubleValue());
        }
        if (value instanceof String s) {
            try {
                return Optional.of(Double.parseDouble(s));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        if (value instanceof List<?> list && !list.isEmpty()) {
            return number(list.get(list.size() - 1));
        }
        return Optional.empty();
    }
}
