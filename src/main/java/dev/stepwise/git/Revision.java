package dev.stepwise.git;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One commit of a tracked branch, named {@code main@sha1:<40 hex>} everywhere Stepwise mentions it: logs, status
 * files, commit trailers. The branch says where it came from, the full object id says exactly what was read (a short
 * id can become ambiguous as a repository grows), and the {@code sha1:} prefix leaves room for SHA-256 repositories.
 *
 * @param branch   short branch name, e.g. {@code main}
 * @param commitId 40 lower-case hex digits
 */
public record Revision(String branch, String commitId) {

    private static final Pattern HEX40 = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern NAME = Pattern.compile("^(.+)@sha1:([0-9a-f]{40})$");

    public Revision {
        Objects.requireNonNull(branch, "branch");
        Objects.requireNonNull(commitId, "commitId");
        if (branch.isBlank()) {
            throw new IllegalArgumentException("branch is empty");
        }
        if (!HEX40.matcher(commitId).matches()) {
            throw new IllegalArgumentException("not a full SHA-1 commit id: " + commitId);
        }
    }

    /** {@code main@sha1:0123…}. */
    public String name() {
        return branch + "@sha1:" + commitId;
    }

    /** The first 12 digits, for places where people read rather than machines. */
    public String shortId() {
        return commitId.substring(0, 12);
    }

    public static Revision parse(String name) {
        Matcher m = NAME.matcher(name == null ? "" : name.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a revision name (expected <branch>@sha1:<40 hex digits>): " + name);
        }
        return new Revision(m.group(1), m.group(2));
    }

    @Override
    public String toString() {
        return name();
    }
}
