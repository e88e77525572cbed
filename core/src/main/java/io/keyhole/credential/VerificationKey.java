package io.keyhole.credential;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;

/**
 * One key that verifies tokens, pinned to one algorithm: a token naming another algorithm is never
 * checked with it.
 *
 * @param kid       the key's id, matched against a token's {@code kid}; {@code null} for the shared secret
 * @param algorithm the one algorithm it verifies
 * @param verifier  checks a signature
 */
record VerificationKey(String kid, JWSAlgorithm algorithm, JWSVerifier verifier) {
}
