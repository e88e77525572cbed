package io.keyhole.cli;

import static io.keyhole.cli.InitCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.keyhole.credential.Credential;
import io.keyhole.credential.JwtVerifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TokenCommandTest {

    static final String KEY = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path dir;

    @Test
    void mintsAnHs256TokenThatNimbusVerifies() throws Exception {
        InitCommandTest.Result result = run("token", "--key", KEY, "--claim", "uid=alice", "--claim", "role=viewer",
                "--ttl", "15m");
        assertEquals(0, result.status(), result.err());
        assertEquals("", result.err());
        String token = result.out().strip();
        assertEquals(1, result.out().lines().count());

        SignedJWT jwt = SignedJWT.parse(token);
        assertEquals(JWSAlgorithm.HS256, jwt.getHeader().getAlgorithm());
        assertTrue(jwt.verify(new MACVerifier(KEY.getBytes(StandardCharsets.UTF_8))));
        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        assertEquals("alice", claims.getStringClaim("uid"));
        assertEquals("viewer", claims.getStringClaim("role"));
        long lifetime = claims.getExpirationTime().getTime() - claims.getIssueTime().getTime();
        assertEquals(Duration.ofMinutes(15).toMillis(), lifetime);
    }

    @Test
    void keyholeItselfAcceptsTheToken() {
        String token = run("token", "--key", KEY, "--claim", "uid=alice").out().strip();
        JwtVerifier verifier = new JwtVerifier(KEY.getBytes(StandardCharsets.UTF_8), "HS256", "uid",
                Duration.ZERO, Clock.systemUTC());
        Credential credential = verifier.verify(token);
        assertEquals("alice", assertInstanceOf(Credential.Valid.class, credential).value());
    }

    @Test
    void keyFileIsReadAsTheServerReadsFileKeys() throws Exception {
        Path file = Files.writeString(dir.resolve("jwt.key"), KEY + "\n");
        String token = run("token", "--key-file", file.toString(), "--claim", "uid=bob", "--ttl", "1h").out().strip();
        SignedJWT jwt = SignedJWT.parse(token);
        assertTrue(jwt.verify(new MACVerifier(KEY.getBytes(StandardCharsets.UTF_8))));
        long lifetime = jwt.getJWTClaimsSet().getExpirationTime().getTime() - jwt.getJWTClaimsSet().getIssueTime().getTime();
        assertEquals(Duration.ofHours(1).toMillis(), lifetime);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // arguments                                          | what the message says
            "--key short --claim uid=a                            | the key has 5 bytes; HS256 needs at least 32",
            "--key " + KEY + " --claim uid=a --alg HS512          | HS512 needs at least 64",
            "--key " + KEY + "                                    | --claim NAME=VALUE is required",
            "--key " + KEY + " --claim uid                        | --claim must be NAME=VALUE, was 'uid'",
            "--key " + KEY + " --claim exp=1 --claim uid=a        | --claim exp is set from --ttl",
            "--key " + KEY + " --claim uid=a --ttl 0              | --ttl must be a positive duration",
            "--key " + KEY + " --claim uid=a --ttl 1w             | --ttl must be a positive duration",
            "--key " + KEY + " --claim uid=a --alg RS256          | --alg must be HS256, HS384 or HS512",
            "--claim uid=a                                        | give exactly one of --key KEY and --key-file FILE",
            "--key " + KEY + " --key-file k --claim uid=a         | give exactly one of --key KEY and --key-file FILE",
    })
    void misuseIsExplained(String arguments, String message) {
        String[] args = ("token " + arguments.strip()).split(" +");
        InitCommandTest.Result result = run(args);
        assertEquals(2, result.status());
        assertEquals("", result.out(), "no token on misuse");
        assertTrue(result.err().startsWith("keyhole: token: "), result.err());
        assertTrue(result.err().contains(message), result.err());
    }
}
