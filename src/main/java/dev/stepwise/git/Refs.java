package dev.stepwise.git;

import org.eclipse.jgit.lib.Repository;

/** Branch names and the refs they stand for. */
final class Refs {

    private Refs() {
    }

    static String branch(String name) {
        return name.startsWith("refs/") ? name : "refs/heads/" + name;
    }

    /** A branch name Git accepts ({@code main}, {@code stepwise/status}), checked before it ends up in a ref. */
    static String checkBranch(String name) {
        if (name == null || name.isBlank() || name.startsWith("refs/") || !Repository.isValidRefName("refs/heads/" + name)) {
            throw new IllegalArgumentException("not a valid branch name: '" + name + "'");
        }
        return name;
    }

    /** A folder inside the repository as Git trees name it: no leading or trailing '/', "" for the root. */
    static String normalizePath(String path) {
        if (path == null) {
            return "";
        }
        String p = path.strip().replace('\\', '/').replaceAll("/+", "/").replaceAll("^(\\./)+", "");
        p = p.replaceAll("^/+", "").replaceAll("/+$", "");
        if (p.equals(".")) {
            return "";
        }
        for (String part : p.split("/")) {
            if (part.equals("..") || part.equals(".git")) {
                throw new IllegalArgumentException("path '" + path + "' may not contain '..' or '.git'");
            }
        }
        return p;
    }
}
