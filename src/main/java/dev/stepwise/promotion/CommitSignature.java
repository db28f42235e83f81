package dev.stepwise.promotion;

/**
 * What a commit's signature proves, after checking it against the trusted keys kept in the repository.
 */
public sealed interface CommitSignature permits CommitSignature.Unsigned, CommitSignature.Verified, CommitSignature.Invalid {

    boolean verified();

    /** A short description for messages: "unsigned", "OpenPGP signature by key 0x…", … */
    String describe();

    /** The commit carries no signature. */
    record Unsigned() implements CommitSignature {
        @Override
        public boolean verified() {
            return false;
        }

        @Override
        public String describe() {
            return "unsigned";
        }
    }

    /**
     * A good signature by a trusted key that belongs to the commit's author.
     *
     * @param format "openpgp" or "ssh"
     * @param key    the key's fingerprint (OpenPGP) or SHA256 fingerprint (SSH)
     * @param signer the identity the trusted key is registered for (a user id, an allowed-signers principal)
     */
    record Verified(String format, String key, String signer) implements CommitSignature {
        @Override
        public boolean verified() {
            return true;
        }

        @Override
        public String describe() {
            return "good " + format + " signature by " + signer + " (key " + key + ")";
        }
    }

    /**
     * A signature that does not count: it does not verify, its key is not among the trusted keys, or the key belongs
     * to someone other than the author.
     */
    record Invalid(String format, String reason) implements CommitSignature {
        @Override
        public boolean verified() {
            return false;
        }

        @Override
        public String describe() {
            return format + " signature not accepted: " + reason;
        }
    }
}
