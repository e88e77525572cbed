package io.keyhole;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.authorizer.AuthMatrix;
import io.keyhole.authorizer.Backend;
import io.keyhole.authorizer.KeepAlive;
import io.keyhole.internal.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Text configuration: every bad value is refused with a message naming the key. */
class KeyholeConfigTest {

    @TempDir
    Path dir;

    private Map<String, String> minimal() {
        Map<String, String> p = new HashMap<>();
        p.put("fs-root", dir.toString());
        p.put("unix-socket", dir.resolve("auth.sock").toString());
        return p;
    }

    @Test
    void defaults() {
        KeyholeConfig c = KeyholeConfig.fromProperties(minimal());
        assertEquals(4, c.tree().depth());
        assertEquals("/", c.mount());
        assertEquals(DeliveryMode.STREAM, c.delivery());
        assertEquals("private", c.cacheControl());
        assertEquals(16, c.maxRanges());
        assertTrue(c.forwardedHeaders().isEmpty());
        assertFalse(c.forwardAllHeaders());
        assertFalse(c.forwardCookies());
        assertEquals(AuthMatrix.DOWNLOAD_DEFAULT, c.downloadMatrix());
        assertEquals(null, c.jwt());
        assertEquals("json over unix:" + dir.resolve("auth.sock"), c.backend().toString());
    }

    @Test
    void extendedJsonForwardsTheSeedsThreeHeadersAndCookies() {
        Map<String, String> p = minimal();
        p.put("json-extended", "yes");
        p.put("json-extra-headers", "X-Tenant, if-none-match");
        KeyholeConfig c = KeyholeConfig.fromProperties(p);
        assertEquals(java.util.List.of("Authorization", "If-None-Match", "If-Modified-Since", "X-Tenant"),
                c.forwardedHeaders());
        assertTrue(c.forwardCookies());
    }

    @Test
    void jwtKeyFromAFile() throws Exception {
        Path key = Files.writeString(dir.resolve("jwt.key"), "0123456789abcdef0123456789abcdef\n");
        Map<String, String> p = minimal();
        p.put("jwt-key", "file:" + key);
        p.put("jwt-field", "uid");
        p.put("jwt-cookie", "auth");
        KeyholeConfig c = KeyholeConfig.fromProperties(p);
        assertTrue(c.jwt() != null);
        assertEquals(new io.keyhole.credential.TokenSource.Cookie("auth"), c.tokenSource());
    }

    @Test
    void durationsInNginxStyle() {
        assertEquals(Duration.ofMillis(250), Settings.duration("k", "250ms"));
        assertEquals(Duration.ofSeconds(5), Settings.duration("k", "5s"));
        assertEquals(Duration.ofSeconds(7), Settings.duration("k", "7"));
        assertEquals(Duration.ofMinutes(2), Settings.duration("k", "2m"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "fs-depth        | 0            | fs-depth must be 1..8",
        "fs-depth        | four         | fs-depth must be a whole number",
        "request-type    | xml          | request-type must be one of json",
        "transport-type  | carrier-pigeon | transport-type must be one of unix",
        "delivery        | ftp          | delivery must be one of stream, x-accel-redirect, x-sendfile",
        "json-extended   | maybe        | json-extended must be yes or no",
        "auth-timeout    | 5 seconds    | auth-timeout must be a duration such as 500ms",
        "auth-timeout    | 0            | auth-timeout must be a positive duration",
        "max-ranges      | 0            | max-ranges must be 1..1000",
        "mount           | files        | mount must be an absolute URL path",
        "mount           | /a/../b/     | mount must be an absolute URL path",
        "jwt-algorithm   | RS257        | jwt-algorithm must be one of HS256, HS384, HS512",
        "jwt-field       | uid          | need jwt-key, jwt-key-file or jwt-jwks-url",
        "jwt-audience    | files        | jwt-audience need jwt-key, jwt-key-file or jwt-jwks-url",
        "jwt-max-lifetime | 0           | jwt-max-lifetime must be a positive duration",
        "jwt-jwks-url    | http://login.example.com/jwks | jwt-jwks-url must use https",
        "jwt-jwks-url    | https://login.example.com/jwks#x | jwt-jwks-url must be an absolute https URL",
        "jwt-header      | X Bad        | jwt-header: 'X Bad' is not a valid header or cookie name",
        "jwt-key         | file:/nonexistent/key | jwt-key: cannot read the file",
        "delivery        | x-accel-redirect | needs accel-prefix",
        "fs-rot          | /tmp         | unknown configuration key 'fs-rot'",
        "matrix-download | allow:deny   | matrix-download: an authorisation matrix has four allow/deny cells",
        "matrix-download | allow:deny:deny:maybe | matrix cell 4 must be allow or deny",
        "all-headers     | all          | all-headers must be yes or no",
    })
    void refusesBadValuesNamingTheKey(String key, String value, String message) {
        Map<String, String> p = minimal();
        p.put(key, value);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeyholeConfig.fromProperties(p));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void tcpAndHttpTransports() {
        Map<String, String> tcp = new HashMap<>(Map.of("fs-root", dir.toString(), "transport-type", "tcp",
                "tcp-host", "127.0.0.1", "tcp-port", "7070"));
        assertEquals("json over tcp:127.0.0.1:7070", KeyholeConfig.fromProperties(tcp).backend().toString());
        Map<String, String> http = new HashMap<>(Map.of("fs-root", dir.toString(), "transport-type", "http",
                "http-url", "http://127.0.0.1:8081/authorise?x=1"));
        assertEquals("json over http:http://127.0.0.1:8081/authorise", KeyholeConfig.fromProperties(http).backend().toString());
    }

    @Test
    void keptConnectionsAreAskedForWithAStreamTransport() {
        Map<String, String> unix = new HashMap<>(Map.of("fs-root", dir.toString(), "unix-socket", "/run/auth.sock",
                "auth-keep-alive", "16", "auth-keep-alive-timeout", "2m"));
        Backend.Json json = (Backend.Json) KeyholeConfig.fromProperties(unix).backend();
        assertEquals(new KeepAlive(16, Duration.ofMinutes(2)), json.keepAlive());
        assertEquals("json over unix:/run/auth.sock (up to 16 kept connections)", json.toString());
        Map<String, String> tcp = new HashMap<>(Map.of("fs-root", dir.toString(), "transport-type", "tcp",
                "tcp-host", "127.0.0.1", "tcp-port", "7070", "auth-keep-alive", "4"));
        assertEquals(KeepAlive.of(4), ((Backend.Json) KeyholeConfig.fromProperties(tcp).backend()).keepAlive());
        Map<String, String> plain = new HashMap<>(Map.of("fs-root", dir.toString(), "unix-socket", "/run/auth.sock"));
        assertEquals(KeepAlive.OFF, ((Backend.Json) KeyholeConfig.fromProperties(plain).backend()).keepAlive(),
                "a connection per question unless asked");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "transport-type=tcp,tcp-host=localhost                     | tcp-port is required with transport-type=tcp",
        "transport-type=tcp,tcp-host=localhost,tcp-port=99999      | tcp-port must be 1..65535",
        "transport-type=http                                       | http-url is required with transport-type=http",
        "transport-type=http,http-url=ftp://example/               | http-url: ",
        "transport-type=http,http-url=http://a b/                  | http-url is not a URL",
        "transport-type=unix,unix-socket=/a.sock,http-url=http://x/ | http-url belongs to transport-type=http",
        "transport-type=tcp,tcp-host=h,tcp-port=1,unix-socket=/a.sock | unix-socket belongs to transport-type=unix",
        "request-type=sql,sql-dsn=h:1:u:p:d,tcp-host=h             | tcp-host is for request-type=json",
        "unix-socket=/a.sock,auth-keep-alive=-1                    | auth-keep-alive must be 0 (a connection per question) to 4096",
        "unix-socket=/a.sock,auth-keep-alive=4097                  | auth-keep-alive must be 0 (a connection per question) to 4096",
        "unix-socket=/a.sock,auth-keep-alive=some                  | auth-keep-alive",
        "unix-socket=/a.sock,auth-keep-alive-timeout=30s           | auth-keep-alive-timeout needs auth-keep-alive",
        "unix-socket=/a.sock,auth-keep-alive=4,auth-keep-alive-timeout=0s | auth-keep-alive-timeout must be a positive duration",
        "transport-type=http,http-url=http://x/,auth-keep-alive=4  | transport-type=http keeps its connections open by itself",
        "request-type=sql,sql-dsn=h:1:u:p:d,auth-keep-alive=4      | auth-keep-alive is for request-type=json over transport-type=unix or tcp",
        "request-type=internal,auth-keep-alive=4                   | auth-keep-alive is for request-type=json over transport-type=unix or tcp",
    })
    void transportSettingsAreChecked(String settings, String message) {
        Map<String, String> p = new HashMap<>(Map.of("fs-root", dir.toString()));
        for (String kv : settings.split(",")) {
            p.put(kv.substring(0, kv.indexOf('=')).trim(), kv.substring(kv.indexOf('=') + 1).trim());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeyholeConfig.fromProperties(p));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void fsRootIsRequired() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KeyholeConfig.fromProperties(Map.of("unix-socket", "/x.sock")));
        assertTrue(e.getMessage().startsWith("fs-root is required"), e.getMessage());
    }

    @Test
    void aSettingMayBeMadeOnlyOnce() {
        KeyholeConfig.Builder b = KeyholeConfig.builder().fsDepth(2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.fsDepth(3));
        assertEquals("'fs-depth' was already set", e.getMessage());
    }

    @Test
    void anAuthorizerInCodeExcludesTheSocketSettings() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeyholeConfig.builder()
                .fsRoot(dir).unixSocket(dir.resolve("a.sock")).authorizer(q -> AuthResponse.EMPTY).build());
        assertTrue(e.getMessage().contains("drop [unix-socket]"), e.getMessage());
    }
}
