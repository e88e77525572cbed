package io.keyhole;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The JWT key settings together: a shared secret or public keys, each with the algorithms that fit it. */
class JwtKeysConfigTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "jwt-key=0123456789abcdef0123456789abcdef,jwt-key-file=/k.pem | set jwt-key (a shared secret) or jwt-key-file/jwt-jwks-url (public keys), not both",
        "jwt-key=0123456789abcdef0123456789abcdef,jwt-algorithm=RS256 | jwt-algorithm RS256 needs public keys",
        "jwt-key-file=/k.pem,jwt-algorithm=HS256                      | jwt-algorithm HS256 is an HMAC algorithm",
        "jwt-key-file=/k.pem,jwt-jwks-url=https://idp.example/jwks    | set jwt-key-file or jwt-jwks-url, not both",
    })
    void keySettingsThatDoNotFitAreRefused(String settings, String message) {
        Map<String, String> p = new HashMap<>(Map.of("fs-root", dir.toString(), "unix-socket", "/tmp/a.sock"));
        for (String kv : settings.split(",")) {
            p.put(kv.substring(0, kv.indexOf('=')).trim(), kv.substring(kv.indexOf('=') + 1).trim());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeyholeConfig.fromProperties(p));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "jwt-jwks-url=https://idp.example/jwks,jwt-audience=files,jwt-issuer=https://idp.example,jwt-max-lifetime=1h"
                + " | JWT public keys from https://idp.example/jwks (auth value from claim uid)",
        "jwt-key=0123456789abcdef0123456789abcdef,jwt-audience=files | JWT HS256 (auth value from claim uid)",
    })
    void publicKeysAndClaimChecksAreSettings(String settings, String described) {
        Map<String, String> p = new HashMap<>(Map.of("fs-root", dir.toString(), "unix-socket", "/tmp/a.sock",
                "jwt-field", "uid"));
        for (String kv : settings.split(",")) {
            p.put(kv.substring(0, kv.indexOf('=')).trim(), kv.substring(kv.indexOf('=') + 1).trim());
        }
        KeyholeConfig config = KeyholeConfig.fromProperties(p);
        assertEquals(described, config.jwt().toString());
        if (p.containsKey("jwt-jwks-url")) {
            assertEquals("https://idp.example", config.jwt().trust().issuer());
            assertEquals(java.time.Duration.ofHours(1), config.jwt().trust().maxLifetime());
        }
        assertEquals(java.util.List.of("files"), config.jwt().trust().audiences());
    }
}
