package io.keyhole.credential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.keyhole.testing.TestClock;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tokens signed with private keys (RFC 7518 §3.3–3.5, RFC 8037), checked with the public keys from
 * a key file or from a JWK set served by a local key server: rotation, an outage, unknown key ids
 * and algorithm confusion. Time moves only when the test turns the clock.
 */
class PublicKeyJwtTest {

    private static final Instant START = Instant.parse("2026-03-01T12:00:00Z");
    private static RSAKey rsa;
    private static RSAKey rsaNext;
    /** A key nobody trusts, under whatever id a test gives it. */
    private static RSAKey stranger;
    private static ECKey ec256;
    private static ECKey ec384;
    private static KeyPair ed;
    private static OctetKeyPair edJwk;

    @TempDir
    Path dir;
    private final TestClock clock = new TestClock(START);
    private HttpServer server;
    private final AtomicInteger fetches = new AtomicInteger();
    private volatile String jwks;
    private volatile String cacheControl = "max-age=600";
    private volatile int status = 200;

    @BeforeAll
    static void keys() throws Exception {
        rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        rsaNext = new RSAKeyGenerator(2048).keyID("rsa-2").generate();
        stranger = new RSAKeyGenerator(2048).generate();
        ec256 = new ECKeyGenerator(Curve.P_256).keyID("ec-256").generate();
        ec384 = new ECKeyGenerator(Curve.P_384).keyID("ec-384").generate();
        ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        edJwk = new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(Ed25519JdkVerifier.rawKey(ed.getPublic())))
                .keyID("ed-1").build();
    }

    @BeforeEach
    void keyServer() throws Exception {
        jwks = set(rsa, ec256, ec384, edJwk);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/jwks.json", exchange -> {
            fetches.incrementAndGet();
            byte[] body = jwks.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/jwk-set+json");
            if (cacheControl != null) {
                exchange.getResponseHeaders().add("Cache-Control", cacheControl);
            }
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static RSAKey strangerAs(String kid) {
        return new RSAKey.Builder(stranger).keyID(kid).build();
    }

    private static String set(JWK... keys) {
        List<JWK> pub = new ArrayList<>();
        for (JWK k : keys) {
            pub.add(k.toPublicJWK());
        }
        return new JWKSet(pub).toString();
    }

    private URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json");
    }

    private JwtVerifier remote() {
        return new JwtSettings(new byte[0], null, "uid", Duration.ofSeconds(30), JwtTrust.NONE.withJwksUrl(url()))
                .verifier(clock);
    }

    private JWTClaimsSet claims() {
        return new JWTClaimsSet.Builder().claim("uid", "alice").expirationTime(Date.from(clock.instant().plusSeconds(300)))
                .build();
    }

    private String signed(JWSAlgorithm alg, JWK key) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(key.getKeyID()).build(), claims());
        jwt.sign(key instanceof RSAKey r ? new RSASSASigner(r) : new ECDSASigner((ECKey) key));
        return jwt.serialize();
    }

    /** nimbus signs EdDSA only with Google Tink; the Java runtime does it here. */
    private String eddsa(String kid) throws Exception {
        String header = b64("{\"alg\":\"EdDSA\",\"kid\":\"" + kid + "\"}");
        String payload = b64(claims().toString());
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(ed.getPrivate());
        s.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
        return header + "." + payload + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(s.sign());
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String reason(Credential c) {
        return c instanceof Credential.Invalid invalid ? invalid.reason() : c.toString();
    }

    private static final Credential ALICE = new Credential.Valid("alice");

    @Test
    void tokensSignedByRsaEcAndEd25519KeysFromTheKeyServerAreAccepted() throws Exception {
        JwtVerifier verifier = remote();
        for (JWSAlgorithm alg : List.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512, JWSAlgorithm.PS256)) {
            // the set's RSA key names no algorithm: RS256 is its algorithm, and only RS256
            Credential c = verifier.verify(signed(alg, rsa));
            assertEquals(alg == JWSAlgorithm.RS256 ? "alice" : "token not signed with the algorithm of its key (RS256)",
                    c instanceof Credential.Valid v ? v.value() : reason(c), alg.getName());
        }
        assertEquals(ALICE, verifier.verify(signed(JWSAlgorithm.ES256, ec256)));
        assertEquals(ALICE, verifier.verify(signed(JWSAlgorithm.ES384, ec384)));
        assertEquals(ALICE, verifier.verify(eddsa("ed-1")));
        assertEquals(1, fetches.get(), "the keys were fetched once");

        // a key pinned to PS256 in the set takes PS256 and nothing else
        jwks = set(new RSAKey.Builder(rsa).algorithm(JWSAlgorithm.PS256).build());
        JwtVerifier ps = remote();
        assertEquals(ALICE, ps.verify(signed(JWSAlgorithm.PS256, rsa)));
        assertEquals("token not signed with the algorithm of its key (PS256)",
                reason(ps.verify(signed(JWSAlgorithm.RS256, rsa))));
    }

    @Test
    void aForgedOrTamperedSignatureIsRefused() throws Exception {
        JwtVerifier verifier = remote();
        // signed by another key that claims a known key id
        RSAKey impostor = strangerAs("rsa-1");
        assertEquals("bad signature", reason(verifier.verify(signed(JWSAlgorithm.RS256, impostor))));
        ECKey ecImpostor = new ECKeyGenerator(Curve.P_256).keyID("ec-256").generate();
        assertEquals("bad signature", reason(verifier.verify(signed(JWSAlgorithm.ES256, ecImpostor))));
        String ed25519 = eddsa("ed-1");
        String[] parts = ed25519.split("\\.");
        String otherPayload = b64("{\"uid\":\"mallory\",\"exp\":" + (START.getEpochSecond() + 300) + "}");
        assertEquals("bad signature", reason(verifier.verify(parts[0] + "." + otherPayload + "." + parts[2])));
        // CVE-2022-21449: an ECDSA signature of zeros
        String zeros = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[64]);
        String es = signed(JWSAlgorithm.ES256, ec256);
        assertEquals("bad signature", reason(verifier.verify(es.substring(0, es.lastIndexOf('.') + 1) + zeros)));
    }

    /**
     * Algorithm confusion: a token signed with HS256 whose secret is the public key (as PEM text,
     * or its JWK) must never pass, whatever it names as kid.
     */
    @Test
    void hs256WithThePublicKeyAsSecretIsRefused() throws Exception {
        JwtVerifier verifier = remote();
        String pem = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(rsa.toRSAPublicKey().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        for (byte[] secret : List.of(pem.getBytes(StandardCharsets.US_ASCII),
                rsa.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8),
                ec256.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8))) {
            for (String kid : new String[] {"rsa-1", "ec-256", null}) {
                SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(kid).build(), claims());
                jwt.sign(new MACSigner(secret));
                assertEquals("token signed with HS256; only public-key algorithms are accepted",
                        reason(verifier.verify(jwt.serialize())));
            }
        }
        // the unsigned kind, and a key the token brings along, fare no better
        String none = b64("{\"alg\":\"none\"}") + "." + b64(claims().toString()) + ".";
        assertEquals("unsigned token (alg none)", reason(verifier.verify(none)));
        RSAKey mallory = strangerAs("mallory");
        SignedJWT embedded = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("mallory")
                .jwk(mallory.toPublicJWK()).jwkURL(URI.create("https://evil.test/jwks")).build(), claims());
        embedded.sign(new RSASSASigner(mallory));
        assertEquals("unknown key id", reason(verifier.verify(embedded.serialize())));
    }

    @Test
    void aRotatedKeyIsFetchedOnceWhenTheFirstTokenNamesIt() throws Exception {
        JwtVerifier verifier = remote();
        assertEquals(ALICE, verifier.verify(signed(JWSAlgorithm.RS256, rsa)));
        assertEquals(1, fetches.get());

        jwks = set(rsaNext, ec256);
        // past the least time between refetches, but well before the keys' lifetime runs out
        clock.advance(JwksKeys.MIN_REFETCH);
        assertEquals(ALICE, verifier.verify(signed(JWSAlgorithm.RS256, rsaNext)));
        assertEquals(2, fetches.get(), "one refetch for the new kid");
        for (int i = 0; i < 5; i++) {
            assertEquals(ALICE, verifier.verify(signed(JWSAlgorithm.RS256, rsaNext)));
        }
        assertEquals(2, fetches.get(), "the new key is at hand now");
        assertEquals("unknown key id", reason(verifier.verify(signed(JWSAlgorithm.RS256, rsa))),
                "the retired key left the set");
    }

    @Test
    void madeUpKeyIdsCannotMakeUsHammerTheKeyServer() throws Exception {
        JwtVerifier verifier = remote();
        RSAKey unknown = strangerAs("nobody");
        for (int i = 0; i < 20; i++) {
            assertEquals("unknown key id", reason(verifier.verify(signed(JWSAlgorithm.RS256, unknown))));
        }
        assertEquals(1, fetches.get(), "no refetch within " + JwksKeys.MIN_REFETCH.toSeconds() + " s of the last");
        clock.advance(JwksKeys.MIN_REFETCH);
        for (int i = 0; i < 20; i++) {
            verifier.verify(signed(JWSAlgorithm.RS256, unknown));
        }
        assertEquals(2, fetches.get());
    }

    @Test
    void keysAreRefreshedAheadOfTheirLifetime() throws Exception {
        JwtVerifier verifier = remote();
        clock.advance(Duration.ofSeconds(449));
        assertEquals(ALICE, verifier.verify(signed(JWSAlgorithm.ES256, ec256)));
        assertEquals(1, fetches.get(), "three quarters of max-age=600 have not passed");
        clock.advance(Duration.ofSeconds(1));
        assertEquals(ALICE, verifier.verify(signed(JWSAlgorithm.ES256, ec256)));
        assertEquals(2, fetches.get(), "refreshed at 450 s, before the keys' 600 s ran out");
    }

    @Test
    void throughAnOutageTheLastGoodKeysStayInUse() throws Exception {
        JwtVerifier verifier = remote();
        assertEquals(ALICE, verifier.verify(signed(JWSAlgorithm.ES256, ec256)));
        int port = server.getAddress().getPort();
        server.stop(0);
        server = null;

        clock.advance(Duration.ofHours(2));
        assertEquals(ALICE, verifier.verify(signed(JWSAlgorithm.ES256, ec256)), "known key, key server down");
        assertEquals(ALICE, verifier.verify(eddsa("ed-1")));
        RSAKey unknown = strangerAs("rsa-9");
        assertEquals("unknown key id", reason(verifier.verify(signed(JWSAlgorithm.RS256, unknown))));

        // the server comes back with garbage, then with an error: the good keys stay
        keyServerOn(port);
        jwks = "{\"keys\": [ not json";
        clock.advance(Duration.ofHours(1));
        assertEquals(ALICE, verifier.verify(signed(JWSAlgorithm.ES256, ec256)));
        status = 503;
        jwks = "{}";
        clock.advance(Duration.ofHours(1));
        assertEquals(ALICE, verifier.verify(signed(JWSAlgorithm.ES256, ec256)));
        // an empty set is no usable answer either
        status = 200;
        jwks = "{\"keys\":[]}";
        clock.advance(Duration.ofHours(1));
        assertEquals(ALICE, verifier.verify(signed(JWSAlgorithm.ES256, ec256)));
    }

    @Test
    void aKeyServerDownAtStartRefusesTokensUntilItAnswers() throws Exception {
        int port = server.getAddress().getPort();
        server.stop(0);
        JwtVerifier verifier = remote();
        assertEquals("no public keys at hand (the key server has not answered yet)",
                reason(verifier.verify(signed(JWSAlgorithm.ES256, ec256))));
        keyServerOn(port);
        clock.advance(JwksKeys.RETRY);
        assertEquals(ALICE, verifier.verify(signed(JWSAlgorithm.ES256, ec256)));
    }

    private void keyServerOn(int port) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        s.createContext("/jwks.json", exchange -> {
            fetches.incrementAndGet();
            byte[] body = jwks.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        s.start();
        server = s;
    }

    @Test
    void keysFromAPemFileOrAJwkSetFile() throws Exception {
        Path pem = dir.resolve("keys.pem");
        Files.writeString(pem, pem(rsa.toRSAPublicKey().getEncoded()) + pem(ec256.toECPublicKey().getEncoded())
                + pem(ed.getPublic().getEncoded()));
        JwtVerifier fromPem = new JwtSettings(new byte[0], null, "uid", Duration.ofSeconds(30),
                JwtTrust.NONE.withKeyFile(pem)).verifier(clock);
        // PEM keys carry no kid: tokens without one are tried against the keys of their algorithm
        SignedJWT noKid = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims());
        noKid.sign(new RSASSASigner(rsa));
        assertEquals(ALICE, fromPem.verify(noKid.serialize()));
        SignedJWT ecNoKid = new SignedJWT(new JWSHeader(JWSAlgorithm.ES256), claims());
        ecNoKid.sign(new ECDSASigner(ec256));
        assertEquals(ALICE, fromPem.verify(ecNoKid.serialize()));
        assertEquals("token signed with HS256; only public-key algorithms are accepted",
                reason(fromPem.verify(hs256(Files.readAllBytes(pem)))));

        Path set = dir.resolve("keys.json");
        Files.writeString(set, set(rsa, edJwk));
        JwtVerifier fromSet = new JwtSettings(new byte[0], null, "uid", Duration.ofSeconds(30),
                JwtTrust.NONE.withKeyFile(set)).verifier(clock);
        assertEquals(ALICE, fromSet.verify(signed(JWSAlgorithm.RS256, rsa)));
        assertEquals(ALICE, fromSet.verify(eddsa("ed-1")));
        assertEquals("unknown key id", reason(fromSet.verify(signed(JWSAlgorithm.ES256, ec256))));
    }

    @Test
    void aKeyFileWithPrivateOrSharedKeysIsRefusedAtStart() throws Exception {
        Path priv = dir.resolve("private.json");
        Files.writeString(priv, new JWKSet(List.<JWK>of(rsa)).toString(false));
        assertTrue(message(priv).contains("private key"), message(priv));
        Path oct = dir.resolve("oct.json");
        Files.writeString(oct, "{\"keys\":[{\"kty\":\"oct\",\"k\":\"" + Base64URL.encode(new byte[32]) + "\"}]}");
        assertTrue(message(oct).contains("never shared secrets"), message(oct));
        Path pemPriv = dir.resolve("private.pem");
        Files.writeString(pemPriv, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        assertTrue(message(pemPriv).contains("private key"), message(pemPriv));
        Path small = dir.resolve("small.json");
        Files.writeString(small, set(new RSAKeyGenerator(1024, true).generate()));
        assertTrue(message(small).contains("1024 bits"), message(small));
    }

    private String message(Path file) {
        return assertThrows(IllegalArgumentException.class, () -> new JwtSettings(new byte[0], null, "uid",
                Duration.ZERO, JwtTrust.NONE.withKeyFile(file)).verifier(clock)).getMessage();
    }

    private String hs256(byte[] secret) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims());
        jwt.sign(new MACSigner(secret));
        return jwt.serialize();
    }

    private static String pem(byte[] der) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END PUBLIC KEY-----\n";
    }
}
