package io.keyhole.credential;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Public keys that verify tokens, each pinned to one algorithm, read from a JWK set or PEM text.
 * Only public keys are taken: a private key, or a symmetric ({@code oct}) key, is refused, so that
 * a key meant to verify can never be used as an HMAC secret (algorithm confusion).
 */
final class PublicKeys {

    /** RSA keys shorter than this are refused (RFC 7518 §3.3 requires 2048 bits). */
    static final int MIN_RSA_BITS = 2048;

    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
    private static final Map<Curve, JWSAlgorithm> EC_ALGORITHMS = Map.of(
            Curve.P_256, JWSAlgorithm.ES256, Curve.P_384, JWSAlgorithm.ES384);

    private PublicKeys() {
    }

    /**
     * The keys in a file: a JWK set ({@code {"keys":[...]}}), one JWK, or PEM blocks
     * ({@code PUBLIC KEY}, {@code CERTIFICATE}). PEM keys have no id of their own: each gets its
     * RFC 7638 thumbprint, and tokens without {@code kid} are tried against every key.
     *
     * @param defaultAlgorithm the algorithm of RSA keys that name none, or {@code null} for RS256
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    static List<VerificationKey> fromFile(Path file, String defaultAlgorithm) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException("jwt-key-file: cannot read " + file + ": " + e, e);
        }
        try {
            List<VerificationKey> keys = text.startsWith("{") ? fromJwkText(text, defaultAlgorithm)
                    : fromPem(text, defaultAlgorithm);
            if (keys.isEmpty()) {
                throw new IllegalArgumentException("it holds no public key");
            }
            return keys;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("jwt-key-file " + file + ": " + e.getMessage(), e);
        }
    }

    private static List<VerificationKey> fromJwkText(String text, String defaultAlgorithm) {
        List<JWK> jwks;
        try {
            jwks = text.contains("\"keys\"") ? JWKSet.parse(text).getKeys() : List.of(JWK.parse(text));
        } catch (ParseException e) {
            throw new IllegalArgumentException("not a JWK set: " + e.getMessage(), e);
        }
        List<VerificationKey> keys = new ArrayList<>();
        for (JWK jwk : jwks) {
            keys.add(of(jwk, defaultAlgorithm));
        }
        return keys;
    }

    /**
     * The usable keys of a set fetched from a key server; a key that cannot be used is left out
     * and reported to {@code skipped}, so that one odd key does not take the others down.
     */
    static List<VerificationKey> fromJwkSet(JWKSet set, String defaultAlgorithm, Consumer<String> skipped) {
        List<VerificationKey> keys = new ArrayList<>();
        for (JWK jwk : set.getKeys()) {
            try {
                keys.add(of(jwk, defaultAlgorithm));
            } catch (IllegalArgumentException e) {
                skipped.accept("key " + (jwk.getKeyID() == null ? "without kid" : "'" + jwk.getKeyID() + "'") + ": "
                        + e.getMessage());
            }
        }
        return keys;
    }

    private static List<VerificationKey> fromPem(String text, String defaultAlgorithm) {
        List<VerificationKey> keys = new ArrayList<>();
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            String label = m.group(1);
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(m.group(2));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("a " + label + " block is not base64", e);
            }
            PublicKey key = switch (label) {
                case "PUBLIC KEY" -> publicKey(der);
                case "CERTIFICATE" -> certificateKey(der);
                case "RSA PUBLIC KEY" -> throw new IllegalArgumentException("an RSA PUBLIC KEY (PKCS #1) block; give it"
                        + " as PUBLIC KEY: openssl rsa -RSAPublicKey_in -in key.pem -pubout");
                default -> throw new IllegalArgumentException(label.contains("PRIVATE")
                        ? "it holds a private key; give only the public key (openssl pkey -in key.pem -pubout)"
                        : "a " + label + " block; only PUBLIC KEY and CERTIFICATE blocks are read");
            };
            keys.add(of(jwk(key), defaultAlgorithm));
        }
        if (keys.isEmpty() && !text.isEmpty()) {
            throw new IllegalArgumentException("neither a JWK set nor PEM (-----BEGIN PUBLIC KEY-----)");
        }
        return keys;
    }

    private static PublicKey publicKey(byte[] der) {
        for (String type : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(type).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next type
            }
        }
        throw new IllegalArgumentException("a PUBLIC KEY block that is no RSA, EC or Ed25519 key");
    }

    private static PublicKey certificateKey(byte[] der) {
        try {
            return CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der))
                    .getPublicKey();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("a CERTIFICATE block that cannot be read: " + e.getMessage(), e);
        }
    }

    private static JWK jwk(PublicKey key) {
        try {
            if (key instanceof RSAPublicKey rsa) {
                return new RSAKey.Builder(rsa).keyIDFromThumbprint().build();
            }
            if (key instanceof ECPublicKey ec) {
                Curve curve = Curve.forECParameterSpec(ec.getParams());
                if (curve == null) {
                    throw new IllegalArgumentException("an EC key on a curve other than P-256 or P-384");
                }
                return new ECKey.Builder(curve, ec).keyIDFromThumbprint().build();
            }
            return new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(Ed25519JdkVerifier.rawKey(key)))
                    .keyIDFromThumbprint().build();
        } catch (JOSEException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** One key, pinned to its algorithm: its {@code alg}, else the one its type and curve imply. */
    static VerificationKey of(JWK jwk, String defaultAlgorithm) {
        if (KeyType.OCT.equals(jwk.getKeyType())) {
            throw new IllegalArgumentException("a key of type oct; only public RSA, EC and OKP (Ed25519) keys verify"
                    + " tokens, never shared secrets");
        }
        if (jwk.isPrivate()) {
            throw new IllegalArgumentException("it holds a private key; publish only the public key");
        }
        if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
            throw new IllegalArgumentException("its use is '" + jwk.getKeyUse().getValue() + "', not sig");
        }
        KeyType type = jwk.getKeyType();
        String named = jwk.getAlgorithm() != null ? jwk.getAlgorithm().getName() : null;
        try {
            if (KeyType.RSA.equals(type)) {
                RSAKey rsa = jwk.toRSAKey();
                if (rsa.size() < MIN_RSA_BITS) {
                    throw new IllegalArgumentException("an RSA key of " + rsa.size() + " bits; at least " + MIN_RSA_BITS
                            + " are required");
                }
                String alg = named != null ? named : defaultAlgorithm != null ? defaultAlgorithm : "RS256";
                return pinned(jwk, alg, List.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512"),
                        new RSASSAVerifier(rsa.toRSAPublicKey()));
            }
            if (KeyType.EC.equals(type)) {
                ECKey ec = jwk.toECKey();
                JWSAlgorithm implied = EC_ALGORITHMS.get(ec.getCurve());
                if (implied == null) {
                    throw new IllegalArgumentException("an EC key on curve " + ec.getCurve() + "; P-256 and P-384 are read");
                }
                String alg = named != null ? named : implied.getName();
                return pinned(jwk, alg, List.of(implied.getName()), new ECDSAVerifier(ec));
            }
            if (KeyType.OKP.equals(type)) {
                OctetKeyPair okp = jwk.toOctetKeyPair();
                if (!Curve.Ed25519.equals(okp.getCurve())) {
                    throw new IllegalArgumentException("an OKP key on curve " + okp.getCurve() + "; Ed25519 is read");
                }
                String alg = named != null ? named : "EdDSA";
                return pinned(jwk, alg, List.of("EdDSA"), new Ed25519JdkVerifier(okp.getX().decode()));
            }
        } catch (JOSEException e) {
            throw new IllegalArgumentException("the key cannot be used: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("a key of type " + type + "; only public RSA, EC and OKP (Ed25519) keys"
                + " verify tokens, never shared secrets");
    }

    private static VerificationKey pinned(JWK jwk, String alg, List<String> fitting, JWSVerifier verifier) {
        if (!fitting.contains(alg)) {
            throw new IllegalArgumentException("algorithm " + alg + " does not fit a " + jwk.getKeyType() + " key ("
                    + String.join(", ", fitting) + ")");
        }
        return new VerificationKey(jwk.getKeyID(), JWSAlgorithm.parse(alg), verifier);
    }
}
