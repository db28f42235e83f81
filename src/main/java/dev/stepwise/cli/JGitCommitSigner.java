package dev.stepwise.cli;

import dev.stepwise.git.promotion.CommitSigner;
import java.io.IOException;
import java.util.Locale;
import org.eclipse.jgit.api.errors.CanceledException;
import org.eclipse.jgit.api.errors.UnsupportedSigningFormatException;
import org.eclipse.jgit.errors.ConfigInvalidException;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.GpgConfig;
import org.eclipse.jgit.lib.Signer;
import org.eclipse.jgit.lib.Signers;
import org.eclipse.jgit.util.SystemReader;

/**
 * Signs the commits {@code stepwise promote -S} writes the way {@code git commit -S} would: JGit's OpenPGP signer
 * (keys from GNUPGHOME, without a passphrase prompt) or its SSH signer (a key file), with the user's git configuration
 * ({@code gpg.format}, {@code user.signingkey}) unless the options say otherwise.
 */
final class JGitCommitSigner {

    private JGitCommitSigner() {
    }

    /** @throws IllegalArgumentException for an unknown format or when no signing key is known */
    static CommitSigner fromOptions(String key, String format) throws IOException {
        Config config = new Config();
        try {
            config = new Config(SystemReader.getInstance().getUserConfig());
        } catch (ConfigInvalidException e) {
            // an unreadable ~/.gitconfig: the options must say everything
        }
        if (format != null) {
            String f = format.toLowerCase(Locale.ROOT);
            if (!f.equals("openpgp") && !f.equals("ssh")) {
                throw new IllegalArgumentException("--signing-format is openpgp or ssh, not '" + format + "'");
            }
            config.setString("gpg", null, "format", f);
        }
        if (key != null) {
            config.setString("user", null, "signingKey", key);
        }
        GpgConfig gpg = new GpgConfig(config);
        String signingKey = gpg.getSigningKey();
        if (signingKey == null || signingKey.isBlank()) {
            throw new IllegalArgumentException("no signing key: pass --signing-key or set git config user.signingkey");
        }
        Signer signer = Signers.get(gpg.getKeyFormat());
        if (signer == null) {
            throw new IllegalArgumentException("cannot sign in format " + gpg.getKeyFormat());
        }
        return (repository, commit, committer) -> {
            try {
                signer.signObject(repository, gpg, commit, committer, signingKey, null);
            } catch (CanceledException | UnsupportedSigningFormatException | RuntimeException e) {
                throw new IOException("signing the commit with " + signingKey + " failed: " + e.getMessage(), e);
            }
        };
    }
}
