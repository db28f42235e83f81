package dev.stepwise.git.promotion;

import dev.stepwise.spec.Finding;
import dev.stepwise.spec.Location;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.revwalk.RevTree;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * The public keys a repository trusts for signed gate decisions, kept in the repository itself (so that who may sign
 * is reviewed like any other change) in one folder, {@code keys/} by default:
 * <ul>
 * <li>{@code *.asc}: OpenPGP public keys, ASCII-armoured ({@code gpg --armor --export ana@acme.io > keys/ana.asc});
 * a key counts for the e-mail addresses of its user ids;</li>
 * <li>{@code allowed_signers}: SSH keys in OpenSSH's allowed-signers format ({@code ana@acme.io ssh-ed25519 AAAA…}),
 * as {@code git config gpg.ssh.allowedSignersFile} uses it; a key counts for the principals listed with it.</li>
 * </ul>
 * Keys are read from the same commit as the decisions they check. A key file that cannot be read is a finding; the
 * other keys still count.
 */
public record TrustedKeys(List<PGPPublicKeyRing> openPgp, List<AllowedSigner> ssh, List<Finding> findings) {

    public static final String DEFAULT_FOLDER = "keys";
    private static final int MAX_KEY_FILE = 1024 * 1024;

    /** One line of an allowed-signers file: who ({@code principals}) and the key (type and blob). */
    public record AllowedSigner(List<String> principals, String keyType, byte[] key, boolean gitNamespace) {
        public boolean allows(String email) {
            String e = email.toLowerCase(Locale.ROOT);
            return principals.stream().anyMatch(p -> glob(p.toLowerCase(Locale.ROOT), e));
        }

        private static boolean glob(String pattern, String value) {
            String regex = ("\\Q" + pattern + "\\E").replace("*", "\\E.*\\Q").replace("?", "\\E.\\Q");
            return value.matches(regex);
        }
    }

    public TrustedKeys {
        openPgp = List.copyOf(openPgp);
        ssh = List.copyOf(ssh);
        findings = List.copyOf(findings);
    }

    public static TrustedKeys none() {
        return new TrustedKeys(List.of(), List.of(), List.of());
    }

    /** Reads the trusted keys under {@code folder} of a commit's tree. */
    public static TrustedKeys read(ObjectReader reader, RevTree root, String folder) throws IOException {
        List<PGPPublicKeyRing> pgp = new ArrayList<>();
        List<AllowedSigner> ssh = new ArrayList<>();
        List<Finding> findings = new ArrayList<>();
        try (TreeWalk dir = TreeWalk.forPath(reader, folder, root)) {
            if (dir == null || dir.getFileMode(0) != FileMode.TREE) {
                return new TrustedKeys(pgp, ssh, findings);
            }
            try (TreeWalk walk = new TreeWalk(reader)) {
                walk.addTree(dir.getObjectId(0));
                walk.setRecursive(false);
                while (walk.next()) {
                    String name = walk.getNameString();
                    String path = folder + "/" + name;
                    if (walk.getFileMode(0) != FileMode.REGULAR_FILE) {
                        continue;
                    }
                    if (name.endsWith(".asc") || name.equals("allowed_signers")) {
                        byte[] bytes = reader.open(walk.getObjectId(0), Constants.OBJ_BLOB).getCachedBytes(MAX_KEY_FILE);
                        if (name.equals("allowed_signers")) {
                            parseAllowedSigners(path, new String(bytes, StandardCharsets.UTF_8), ssh, findings);
                        } else {
                            parseOpenPgp(path, bytes, pgp, findings);
                        }
                    }
                }
            }
        }
        return new TrustedKeys(pgp, ssh, findings);
    }

    static void parseOpenPgp(String path, byte[] bytes, List<PGPPublicKeyRing> out, List<Finding> findings) {
        try {
            PGPPublicKeyRingCollection rings = new PGPPublicKeyRingCollection(
                    PGPUtil.getDecoderStream(new ByteArrayInputStream(bytes)), new BcKeyFingerprintCalculator());
            int before = out.size();
            rings.getKeyRings().forEachRemaining(out::add);
            if (out.size() == before) {
                findings.add(Finding.warning(Location.ofFile(path), "", "promotion.trusted-keys", "no OpenPGP public key in this file"));
            }
        } catch (IOException | PGPException | RuntimeException e) {
            findings.add(Finding.error(Location.ofFile(path), "", "promotion.trusted-keys",
                    "not an ASCII-armoured OpenPGP public key (export one with 'gpg --armor --export <email>'): "
                            + e.getClass().getSimpleName()));
        }
    }

    static void parseAllowedSigners(String path, String text, List<AllowedSigner> out, List<Finding> findings) {
        int lineNo = 0;
        for (String raw : text.split("\\R")) {
            lineNo++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            List<String> tokens = tokens(line);
            if (tokens.size() < 3) {
                findings.add(Finding.error(new Location(path, lineNo, 1), "", "promotion.trusted-keys",
                        "an allowed-signers line is 'principals [options] key-type base64-key'"));
                continue;
            }
            List<String> principals = List.of(tokens.get(0).split(","));
            int k = 1;
            boolean gitNamespace = true;
            if (!looksLikeKeyType(tokens.get(1))) {
                String options = tokens.get(1).toLowerCase(Locale.ROOT);
                if (options.contains("cert-authority")) {
                    findings.add(Finding.warning(new Location(path, lineNo, 1), "", "promotion.trusted-keys",
                            "cert-authority lines are not supported; this key is not trusted"));
                    continue;
                }
                java.util.regex.Matcher ns = java.util.regex.Pattern.compile("namespaces=\"?([^\" ]*)").matcher(options);
                if (ns.find()) {
                    gitNamespace = List.of(ns.group(1).split(",")).stream().map(String::strip).anyMatch("git"::equals);
                }
                k = 2;
            }
            if (tokens.size() < k + 2 || !looksLikeKeyType(tokens.get(k))) {
                findings.add(Finding.error(new Location(path, lineNo, 1), "", "promotion.trusted-keys",
                        "no key type (ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa) where one is expected"));
                continue;
            }
            try {
                byte[] blob = Base64.getDecoder().decode(tokens.get(k + 1));
                out.add(new AllowedSigner(principals, tokens.get(k), blob, gitNamespace));
            } catch (IllegalArgumentException e) {
                findings.add(Finding.error(new Location(path, lineNo, 1), "", "promotion.trusted-keys", "the key is not base64"));
            }
        }
    }

    private static boolean looksLikeKeyType(String token) {
        return token.startsWith("ssh-") || token.startsWith("ecdsa-") || token.startsWith("sk-");
    }

    /** Splits on blanks, keeping quoted option values ({@code namespaces="git,file"}) whole. */
    private static List<String> tokens(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (char c : line.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
                cur.append(c);
            } else if (Character.isWhitespace(c) && !quoted) {
                if (cur.length() > 0) {
                    out.add(cur.toString());
                    cur.setLength(0);
                }
            } else {
                cur.append(c);
            }
        }
        if (cur.length() > 0) {
            out.add(cur.toString());
        }
        return out;
    }
}
