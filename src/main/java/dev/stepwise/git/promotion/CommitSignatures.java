package dev.stepwise.git.promotion;

import dev.stepwise.promotion.CommitAuthor;
import dev.stepwise.promotion.CommitSignature;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Locale;
import java.util.Optional;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * Checks a commit's signature against the {@link TrustedKeys} of the repository: OpenPGP signatures ({@code git commit
 * -S} with gpg) with Bouncy Castle, SSH signatures ({@code gpg.format ssh}, OpenSSH's SSHSIG format, namespace
 * {@code git}) with the JDK's own Ed25519, ECDSA and RSA. A signature counts only when it verifies, its key is trusted,
 * and the key belongs to the commit's author (a user id or allowed-signers principal with the author's e-mail
 * address): someone else's trusted key cannot vouch for a commit in your name.
 */
public final class CommitSignatures {

    private static final byte[] SSHSIG = "SSHSIG".getBytes(StandardCharsets.US_ASCII);

    private CommitSignatures() {
    }

    public static CommitSignature check(RevCommit commit, TrustedKeys keys) {
        byte[] signature = commit.getRawGpgSignature();
        if (signature == null || signature.length == 0) {
            return new CommitSignature.Unsigned();
        }
        byte[] payload = signedPayload(commit.getRawBuffer());
        CommitAuthor author = new CommitAuthor(commit.getAuthorIdent().getName(), commit.getAuthorIdent().getEmailAddress());
        String armour = new String(signature, StandardCharsets.US_ASCII);
        if (armour.startsWith("-----BEGIN SSH SIGNATURE-----")) {
            return checkSsh(armour, payload, author, keys);
        }
        if (armour.startsWith("-----BEGIN PGP SIGNATURE-----")) {
            return checkOpenPgp(signature, payload, author, keys);
        }
        return new CommitSignature.Invalid("unknown", "the signature is neither OpenPGP nor SSH (X.509 signatures are not supported)");
    }

    /**
     * The bytes a commit signature covers: the raw commit object without its {@code gpgsig} header (the header line
     * and its continuation lines, which start with a space).
     */
    static byte[] signedPayload(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length);
        int i = 0;
        boolean inHeaders = true;
        boolean skipping = false;
        while (i < raw.length) {
            int end = i;
            while (end < raw.length && raw[end] != '\n') {
                end++;
            }
            int next = Math.min(raw.length, end + 1);
            if (inHeaders) {
                if (end == i) {
                    inHeaders = false; // the blank line before the message
                    skipping = false;
                } else if (skipping && raw[i] == ' ') {
                    i = next;
                    continue;
                } else {
                    skipping = startsWith(raw, i, "gpgsig ") || startsWith(raw, i, "gpgsig-sha256 ");
                    if (skipping) {
                        i = next;
                        continue;
                    }
                }
            }
            out.write(raw, i, next - i);
            i = next;
        }
        return out.toByteArray();
    }

    private static boolean startsWith(byte[] raw, int at, String prefix) {
        byte[] p = prefix.getBytes(StandardCharsets.US_ASCII);
        return raw.length - at >= p.length && Arrays.equals(raw, at, at + p.length, p, 0, p.length);
    }

    static CommitSignature checkOpenPgp(byte[] armoured, byte[] payload, CommitAuthor author, TrustedKeys keys) {
        String format = "openpgp";
        try {
            BcPGPObjectFactory factory = new BcPGPObjectFactory(PGPUtil.getDecoderStream(new ByteArrayInputStream(armoured)));
            Object object = factory.nextObject();
            if (!(object instanceof PGPSignatureList list) || list.isEmpty()) {
                return new CommitSignature.Invalid(format, "the gpgsig header holds no OpenPGP signature");
            }
            PGPSignature sig = list.get(0);
            long keyId = sig.getKeyID();
            for (PGPPublicKeyRing ring : keys.openPgp()) {
                PGPPublicKey key = ring.getPublicKey(keyId);
                if (key == null) {
                    continue;
                }
                String fingerprint = HexFormat.of().withUpperCase().formatHex(key.getFingerprint());
                sig.init(new BcPGPContentVerifierBuilderProvider(), key);
                sig.update(payload);
                if (!sig.verify()) {
                    return new CommitSignature.Invalid(format, "the signature by key " + fingerprint + " does not match the commit");
                }
                if (key.hasRevocation() || ring.getPublicKey().hasRevocation()) {
                    return new CommitSignature.Invalid(format, "key " + fingerprint + " is revoked");
                }
                long valid = key.getValidSeconds();
                if (valid > 0 && sig.getCreationTime().toInstant().isAfter(key.getCreationTime().toInstant().plusSeconds(valid))) {
                    return new CommitSignature.Invalid(format, "key " + fingerprint + " had expired when it signed");
                }
                Optional<String> uid = userIdWithEmail(ring.getPublicKey(), author.email());
                if (uid.isEmpty()) {
                    return new CommitSignature.Invalid(format, "trusted key " + fingerprint + " belongs to "
                            + String.join(", ", userIds(ring.getPublicKey())) + ", not to the author " + author.email());
                }
                return new CommitSignature.Verified(format, fingerprint, uid.get());
            }
            return new CommitSignature.Invalid(format, "signed by key " + String.format(Locale.ROOT, "%016X", keyId)
                    + ", which is not among the trusted keys of the repository");
        } catch (IOException | PGPException | RuntimeException e) {
            return new CommitSignature.Invalid(format, "the signature cannot be read: " + e.getClass().getSimpleName());
        }
    }

    private static Optional<String> userIdWithEmail(PGPPublicKey key, String email) {
        String wanted = "<" + email.toLowerCase(Locale.ROOT) + ">";
        for (String uid : userIds(key)) {
            String u = uid.toLowerCase(Locale.ROOT);
            if (u.contains(wanted) || u.equals(email.toLowerCase(Locale.ROOT))) {
                return Optional.of(uid);
            }
        }
        return Optional.empty();
    }

    private static java.util.List<String> userIds(PGPPublicKey key) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (Iterator<String> it = key.getUserIDs(); it.hasNext(); ) {
            out.add(it.next());
        }
        return out;
    }

    static CommitSignature checkSsh(String armour, byte[] payload, CommitAuthor author, TrustedKeys keys) {
        String format = "ssh";
        try {
            String body = armour.replace("-----BEGIN SSH SIGNATURE-----", "").replace("-----END SSH SIGNATURE-----", "")
                    .replaceAll("\\s+", "");
            ByteBuffer in = ByteBuffer.wrap(Base64.getDecoder().decode(body));
            byte[] magic = new byte[6];
            in.get(magic);
            if (!Arrays.equals(magic, SSHSIG) || in.getInt() != 1) {
                return new CommitSignature.Invalid(format, "not an SSHSIG version 1 signature");
            }
            byte[] publicKey = string(in);
            String namespace = new String(string(in), StandardCharsets.UTF_8);
            byte[] reserved = string(in);
            String hashAlgorithm = new String(string(in), StandardCharsets.US_ASCII);
            ByteBuffer sigBlob = ByteBuffer.wrap(string(in));
            String sigAlgorithm = new String(string(sigBlob), StandardCharsets.US_ASCII);
            byte[] sigBytes = string(sigBlob);
            String fingerprint = "SHA256:" + Base64.getEncoder().withoutPadding()
                    .encodeToString(MessageDigest.getInstance("SHA-256").digest(publicKey));
            if (!namespace.equals("git")) {
                return new CommitSignature.Invalid(format, "signed for namespace '" + namespace + "', not 'git'");
            }
            Optional<TrustedKeys.AllowedSigner> trusted = keys.ssh().stream()
                    .filter(s -> Arrays.equals(s.key(), publicKey)).findFirst();
            if (trusted.isEmpty()) {
                return new CommitSignature.Invalid(format, "signed by key " + fingerprint
                        + ", which is not in the allowed_signers of the repository");
            }
            String digestName = switch (hashAlgorithm) {
                case "sha256" -> "SHA-256";
                case "sha512" -> "SHA-512";
                default -> null;
            };
            if (digestName == null) {
                return new CommitSignature.Invalid(format, "unsupported hash algorithm " + hashAlgorithm);
            }
            ByteArrayOutputStream signed = new ByteArrayOutputStream();
            signed.write(SSHSIG);
            writeString(signed, namespace.getBytes(StandardCharsets.UTF_8));
            writeString(signed, reserved);
            writeString(signed, hashAlgorithm.getBytes(StandardCharsets.US_ASCII));
            writeString(signed, MessageDigest.getInstance(digestName).digest(payload));
            if (!verifySsh(publicKey, sigAlgorithm, sigBytes, signed.toByteArray())) {
                return new CommitSignature.Invalid(format, "the signature by key " + fingerprint + " does not match the commit");
            }
            TrustedKeys.AllowedSigner signer = trusted.get();
            if (!signer.gitNamespace()) {
                return new CommitSignature.Invalid(format, "key " + fingerprint + " is not allowed to sign for namespace git");
            }
            if (!signer.allows(author.email())) {
                return new CommitSignature.Invalid(format, "trusted key " + fingerprint + " belongs to "
                        + String.join(", ", signer.principals()) + ", not to the author " + author.email());
            }
            return new CommitSignature.Verified(format, fingerprint, author.email());
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            return new CommitSignature.Invalid(format, "the signature cannot be read or checked: " + e.getClass().getSimpleName());
        }
    }

    private static boolean verifySsh(byte[] keyBlob, String sigAlgorithm, byte[] sig, byte[] data) throws GeneralSecurityException {
        ByteBuffer key = ByteBuffer.wrap(keyBlob);
        String keyType = new String(string(key), StandardCharsets.US_ASCII);
        PublicKey publicKey;
        String jca;
        byte[] signatureBytes = sig;
        switch (keyType) {
            case "ssh-ed25519" -> {
                byte[] raw = string(key);
                byte[] x509 = HexFormat.of().parseHex("302a300506032b6570032100");
                byte[] encoded = Arrays.copyOf(x509, x509.length + raw.length);
                System.arraycopy(raw, 0, encoded, x509.length, raw.length);
                publicKey = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
                jca = "Ed25519";
                if (!sigAlgorithm.equals("ssh-ed25519")) {
                    return false;
                }
            }
            case "ssh-rsa" -> {
                BigInteger e = new BigInteger(string(key));
                BigInteger n = new BigInteger(string(key));
                publicKey = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e));
                jca = switch (sigAlgorithm) {
                    case "rsa-sha2-512" -> "SHA512withRSA";
                    case "rsa-sha2-256" -> "SHA256withRSA";
                    default -> null; // SHA-1 RSA signatures are not accepted, as OpenSSH itself refuses them for SSHSIG
                };
                if (jca == null) {
                    return false;
                }
            }
            case "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521" -> {
                String curve = new String(string(key), StandardCharsets.US_ASCII);
                byte[] q = string(key);
                String stdName = switch (curve) {
                    case "nistp256" -> "secp256r1";
                    case "nistp384" -> "secp384r1";
                    default -> "secp521r1";
                };
                AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
                params.init(new ECGenParameterSpec(stdName));
                ECParameterSpec spec = params.getParameterSpec(ECParameterSpec.class);
                int len = (q.length - 1) / 2;
                ECPoint point = new ECPoint(new BigInteger(1, Arrays.copyOfRange(q, 1, 1 + len)),
                        new BigInteger(1, Arrays.copyOfRange(q, 1 + len, q.length)));
                publicKey = KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, spec));
                jca = switch (curve) {
                    case "nistp256" -> "SHA256withECDSA";
                    case "nistp384" -> "SHA384withECDSA";
                    default -> "SHA512withECDSA";
                };
                if (!sigAlgorithm.equals(keyType)) {
                    return false;
                }
                ByteBuffer rs = ByteBuffer.wrap(sig);
                signatureBytes = derSequence(new BigInteger(string(rs)), new BigInteger(string(rs)));
            }
            default -> {
                return false;
            }
        }
        Signature verifier = Signature.getInstance(jca);
        verifier.initVerify(publicKey);
        verifier.update(data);
        return verifier.verify(signatureBytes);
    }

    private static byte[] derSequence(BigInteger r, BigInteger s) {
        byte[] rb = r.toByteArray();
        byte[] sb = s.toByteArray();
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        derInteger(content, rb);
        derInteger(content, sb);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x30);
        derLength(out, content.size());
        out.writeBytes(content.toByteArray());
        return out.toByteArray();
    }

    private static void derInteger(ByteArrayOutputStream out, byte[] value) {
        out.write(0x02);
        derLength(out, value.length);
        out.writeBytes(value);
    }

    private static void derLength(ByteArrayOutputStream out, int length) {
        if (length < 128) {
            out.write(length);
        } else if (length < 256) {
            out.write(0x81);
            out.write(length);
        } else {
            out.write(0x82);
            out.write(length >> 8);
            out.write(length & 0xff);
        }
    }

    private static byte[] string(ByteBuffer in) {
        int n = in.getInt();
        if (n < 0 || n > in.remaining()) {
            throw new IllegalArgumentException("truncated SSH string");
        }
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }

    private static void writeString(ByteArrayOutputStream out, byte[] value) {
        out.write(value.length >>> 24);
        out.write(value.length >>> 16);
        out.write(value.length >>> 8);
        out.write(value.length);
        out.writeBytes(value);
    }
}
