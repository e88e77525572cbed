package io.keyhole;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.credential.TokenSource;
import io.keyhole.testing.TestRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** CORS (Fetch standard §3.2, "CORS protocol"), header by header, decided by the core. */
class CorsTest {

    static final String ID = "0123456789abcdef";
    static final String APP = "https://app.example.org";

    @TempDir
    Path root;

    Keyhole keyhole(KeyholeConfig.Builder builder) throws IOException {
        Path file = root.resolve("0/1/" + ID);
        Files.createDirectories(file.getParent());
        Files.write(file, new byte[100]);
        return new Keyhole(builder.fsRoot(root).fsDepth(2).mount("/files/").authorizer(
                q -> new AuthResponse(200, "a.bin", null, null, "\"t1\"", null, null, null)).build());
    }

    KeyholeConfig.Builder cors(String... origins) {
        return KeyholeConfig.builder().corsOrigins(List.of(origins));
    }

    static TestRequest preflight(String origin, String method, String headers) {
        TestRequest r = TestRequest.get("/files/" + ID).withMethod("OPTIONS").withHeader("Origin", origin)
                .withHeader("Access-Control-Request-Method", method);
        return headers == null ? r : r.withHeader("Access-Control-Request-Headers", headers);
    }

    @Test
    void anAllowedOriginReadsTheHeadersItNeeds() throws IOException {
        try (Keyhole k = keyhole(cors(APP, "http://localhost:3000"))) {
            Delivery d = k.decide(TestRequest.get("/files/" + ID, "Origin: " + APP, "Range: bytes=0-9"));
            assertEquals(206, d.status());
            ((Delivery.Send) d).file().close();
            assertEquals(APP, d.header("Access-Control-Allow-Origin"));
            assertEquals("ETag, Content-Range, Content-Disposition, Content-Length, Accept-Ranges, Location",
                    d.header("Access-Control-Expose-Headers"));
            assertEquals("Origin", d.header("Vary"));
            assertNull(d.header("Access-Control-Allow-Credentials"), "credentials only when configured");
        }
    }

    @Test
    void aRefusedOriginGetsTheAnswerWithoutPermissionToReadIt() throws IOException {
        try (Keyhole k = keyhole(cors(APP))) {
            Delivery d = k.decide(TestRequest.get("/files/" + ID, "Origin: https://evil.example"));
            assertEquals(200, d.status());
            ((Delivery.Send) d).file().close();
            assertNull(d.header("Access-Control-Allow-Origin"));
            assertNull(d.header("Access-Control-Expose-Headers"));
            assertEquals("Origin", d.header("Vary"), "a cache must not hand this answer to the allowed origin");
            // no Origin at all: same-origin or not a browser
            Delivery plain = k.decide(TestRequest.get("/files/" + ID));
            ((Delivery.Send) plain).file().close();
            assertNull(plain.header("Access-Control-Allow-Origin"));
            assertEquals("Origin", plain.header("Vary"));
        }
    }

    @Test
    void preflightOfAnAllowedOriginAndMethod() throws IOException {
        try (Keyhole k = keyhole(cors(APP).corsCredentials(true).tokenSource(TokenSource.header("X-Session"))
                .jwtKey("0123456789abcdef0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII)))) {
            Delivery d = k.decide(preflight(APP, "GET", "authorization, range, x-session"));
            assertEquals(204, d.status());
            assertEquals(APP, d.header("Access-Control-Allow-Origin"));
            assertEquals("true", d.header("Access-Control-Allow-Credentials"));
            assertEquals("GET, HEAD", d.header("Access-Control-Allow-Methods"), "read-only: no writes offered");
            assertEquals("Authorization, Range, If-Range, If-None-Match, If-Modified-Since, If-Match, If-Unmodified-Since,"
                    + " Content-Type, X-Session", d.header("Access-Control-Allow-Headers"));
            assertEquals("600", d.header("Access-Control-Max-Age"));
            assertEquals("Origin, Access-Control-Request-Method, Access-Control-Request-Headers", d.header("Vary"));
            assertNull(((Delivery.Reply) d).body());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"origin", "method", "header"})
    void preflightRefusals(String what) throws IOException {
        try (Keyhole k = keyhole(cors(APP))) {
            Delivery d = k.decide(switch (what) {
                case "origin" -> preflight("https://evil.example", "GET", null);
                case "method" -> preflight(APP, "DELETE", null);
                default -> preflight(APP, "GET", "X-Other");
            });
            assertEquals(403, d.status());
            assertNull(d.header("Access-Control-Allow-Origin"));
            assertNull(d.header("Access-Control-Allow-Methods"));
        }
    }

    @Test
    void writableMountsOfferWritesAndAnyOriginWorksWithoutCredentials() throws IOException {
        try (Keyhole k = keyhole(cors("*").readOnly(false)
                .uploadMatrix(io.keyhole.authorizer.AuthMatrix.parse("allow:allow:allow:allow")))) {
            Delivery d = k.decide(preflight("https://any.example", "PUT", "content-type"));
            assertEquals(204, d.status());
            assertEquals("*", d.header("Access-Control-Allow-Origin"));
            assertEquals("GET, HEAD, POST, PUT, DELETE", d.header("Access-Control-Allow-Methods"));
            Delivery get = k.decide(TestRequest.get("/files/" + ID, "Origin: https://any.example"));
            assertEquals("*", get.header("Access-Control-Allow-Origin"));
            assertNull(get.header("Vary"), "the same answer for every origin");
        }
    }

    @Test
    void withoutOriginsThereIsNoCorsAtAll() throws IOException {
        try (Keyhole k = keyhole(KeyholeConfig.builder())) {
            assertEquals(405, k.decide(preflight(APP, "GET", null)).status());
            Delivery d = k.decide(TestRequest.get("/files/" + ID, "Origin: " + APP));
            ((Delivery.Send) d).file().close();
            assertNull(d.header("Access-Control-Allow-Origin"));
            assertNull(d.header("Vary"));
        }
    }

    @Test
    void originsAreCheckedAtStart() {
        for (String bad : List.of("app.example.org", "https://app.example.org/", "https://a.example/x", "ftp://a.example",
                "https://user@a.example")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> KeyholeConfig.builder().corsOrigins(List.of(bad)));
            assertTrue(e.getMessage().startsWith("cors-origins"), e.getMessage());
        }
        assertEquals(List.of("https://app.example.org:8443"), new Cors(List.of("HTTPS://App.Example.org:8443"), false).origins());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KeyholeConfig.builder().fsRoot(root).unixSocket(root.resolve("s")).corsOrigins(List.of("*"))
                        .corsCredentials(true).build());
        assertTrue(e.getMessage().contains("needs the origins listed by name"), e.getMessage());
    }
}
