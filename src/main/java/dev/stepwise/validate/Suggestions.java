package dev.stepwise.validate;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * "Did you mean" for misspelt names: the candidate nearest to what was written, when it is near enough to be a
 * plausible typo. Distance is the optimal string alignment distance (Levenshtein plus swaps of neighbouring letters,
 * since {@code stepWieght} for {@code stepWeight} is the commonest slip), compared without regard to case.
 */
public final class Suggestions {
    private Suggestions() {
    }

    /** The closest candidate to {@code written}, if one is close enough to suggest. */
    public static Optional<String> nearest(String written, Collection<String> candidates) {
        if (written == null || written.isEmpty() || candidates.isEmpty()) {
            return Optional.empty();
        }
        String typed = written.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            String c = candidate.toLowerCase(Locale.ROOT);
            if (c.equals(typed)) {
                return candidate.equals(written) ? Optional.empty() : Optional.of(candidate);
            }
            int d = distance(typed, c);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        if (best != null && bestDistance <= allowance(typed.length())) {
            return Optional.of(best);
        }
        return uniqueContaining(typed, candidates);
    }

    /** Edits tolerated for a name of this length: none for very short names, where everything is one edit away. */
    private static int allowance(int length) {
        if (length <= 2) {
            return 0;
        }
        if (length <= 5) {
            return 1;
        }
        return length <= 9 ? 2 : 3;
    }

    /**
     * {@code weight} where only {@code setWeight} fits: a name that is part of exactly one candidate (or contains
     * exactly one) is a likely shorthand, but only if it is long enough to mean something.
     */
    private static Optional<String> uniqueContaining(String typed, Collection<String> candidates) {
        if (typed.length() < 4) {
            return Optional.empty();
        }
        String found = null;
        for (String candidate : candidates) {
            String c = candidate.toLowerCase(Locale.ROOT);
            if (c.contains(typed) || (c.length() >= 4 && typed.contains(c))) {
                if (found != null) {
                    return Optional.empty();
                }
                found = candidate;
            }
        }
        return Optional.ofNullable(found);
    }

    /** Optimal string alignment distance (names are short: the full table is cheap). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    v = Math.min(v, d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
            }
        }
        return d[a.length()][b.length()];
    }
}
