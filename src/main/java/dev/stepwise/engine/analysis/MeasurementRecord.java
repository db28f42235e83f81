package dev.stepwise.engine.analysis;

import java.time.Instant;

/**
 * One measurement as a status keeps it: when it was taken, its verdict, the value as text (short: the status is
 * written to Git, and decisions rest on the counters, never on old values), the sample count it rested on
 * ({@code -1} when the provider gave none) and a note (the error message, or why the verdict is what it is).
 */
public record MeasurementRecord(Instant at, Verdict verdict, String value, long samples, String note) {

    /** Values longer than this are cut, with an ellipsis, when recorded. */
    public static final int MAX_VALUE_LENGTH = 64;

    public MeasurementRecord {
        value = value == null ? "" : value;
        note = note == null ? "" : note;
    }

    public boolean hasSamples() {
        return samples >= 0;
    }

    /** {@code 0.92 (samples 140)}, {@code error: connection refused}. */
    public String describe() {
        if (verdict == Verdict.ERROR) {
            return "error: " + note;
        }
        return value + (hasSamples() ? " (samples " + samples + ")" : "");
    }
}
