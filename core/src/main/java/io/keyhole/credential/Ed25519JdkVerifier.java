package io.keyhole.credential;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.impl.BaseJWSProvider;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Set;

/**
 * EdDSA with an Ed25519 key (RFC 8037) through the Java runtime's own {@code Ed25519} signature
 * (Java 15 and later). nimbus-jose-jwt's own Ed25519 verifier needs Google Tink, a dependency of
 * several megabytes for one algorithm the runtime already has. Thread-safe.
 */
final class Ed25519JdkVerifier extends BaseJWSProvider implements JWSVerifier {

    /** The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410), followed by the 32 key bytes. */
    private static final byte[] X509_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    private static final int KEY_BYTES = 32;
    private static final int SIGNATURE_BYTES = 64;

    private final PublicKey key;

    /**
     * @param x the public key's 32 bytes (a JWK's {@code x})
     * @throws IllegalArgumentException when they are not an Ed25519 public key
     */
    Ed25519JdkVerifier(byte[] x) {
        super(Set.of(JWSAlgorithm.EdDSA));
        if (x.length != KEY_BYTES) {
            throw new IllegalArgumentException("an Ed25519 public key has 32 bytes, this one " + x.length);
        }
        byte[] encoded = new byte[X509_PREFIX.length + KEY_BYTES];
        System.arraycopy(X509_PREFIX, 0, encoded, 0, X509_PREFIX.length);
        System.arraycopy(x, 0, encoded, X509_PREFIX.length, KEY_BYTES);
        try {
            this.key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 public key: " + e.getMessage(), e);
        }
    }

    /** The 32 key bytes of an Ed25519 public key in its X.509 encoding. */
    static byte[] rawKey(PublicKey key) {
        byte[] encoded = key.getEncoded();
        if (encoded.length != X509_PREFIX.length + KEY_BYTES) {
            throw new IllegalArgumentException("not an Ed25519 public key");
        }
        byte[] x = new byte[KEY_BYTES];
        System.arraycopy(encoded, X509_PREFIX.length, x, 0, KEY_BYTES);
        return x;
    }

    @Override
    public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) throws JOSEException {
        if (!JWSAlgorithm.EdDSA.equals(header.getAlgorithm())) {
            return false;
        }
        byte[] sig = signature.decode();
        if (sig.length != SIGNATURE_BYTES) {
            return false;
        }
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(signingInput);
            return verifier.verify(sig);
        } catch (GeneralSecurityException e) {
            throw new JOSEException("Ed25519 verification failed: " + e.getMessage(), e);
        }
    }
}
