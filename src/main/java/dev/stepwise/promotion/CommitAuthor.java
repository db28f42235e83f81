package dev.stepwise.promotion;

import java.util.Locale;
import java.util.Objects;

/** Who wrote a commit, as Git records it: the name and e-mail address of its author. */
public record CommitAuthor(String name, String email) {

    public CommitAuthor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(email, "email");
    }

    /** E-mail addresses compare without regard to case, as people write them both ways. */
    public boolean hasEmail(String other) {
        return email.strip().toLowerCase(Locale.ROOT).equals(other.strip().toLowerCase(Locale.ROOT));
    }

    /** {@code Name <email>}, as Git prints an identity. */
    @Override
    public String toString() {
        return name + " <" + email + ">";
    }
}
