package io.keyhole.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyhole.testing.FakeBackend;
import io.keyhole.testing.RawHttp;
import io.keyhole.testing.Tokens;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a backend written for the nginx module receives: the question's JSON, field for field,
 * over a real socket, with extended JSON off and on.
 */
class WireCompatibilityTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private String questionFor(Map<String, String> extra, String... headers) throws Exception {
        try (FakeBackend backend = FakeBackend.start(dir.resolve("b.sock"), "{\"status\": 403}")) {
            Map<String, String> params = new HashMap<>(Map.of(
                    "fs-root", dir.toString(),
                    "mount", "/some/",
                    "unix-socket", backend.socket().toString(),
                    "jwt-key", new String(Tokens.KEY, StandardCharsets.UTF_8),
                    "jwt-field", "uid"));
            params.putAll(extra);
            try (JettyHarness jetty = JettyHarness.start(params)) {
                assertEquals(403, RawHttp.request(jetty.port(), "GET", "/some/abcdef0123456789", headers).status());
            }
            assertEquals(1, backend.requests().size());
            return backend.requests().get(0);
        }
    }

    @Test
    void plainQuestionHasExactlyUriAndJwtValue() throws Exception {
        String token = Tokens.valid("12345");
        String question = questionFor(Map.of(), "Authorization: Bearer " + token, "Cookie: a=b");
        assertEquals(JSON.readTree("""
                {"uri": "/some/abcdef0123456789", "jwt_value": "12345"}
                """), JSON.readTree(question));
    }

    @Test
    void extendedQuestionAddsTheThreeHeadersAndAllCookies() throws Exception {
        String token = Tokens.valid("12345");
        String question = questionFor(Map.of("json-extended", "yes"),
                "If-None-Match: \"00000000000000000000000000000000\"",
                "If-Modified-Since: Wed, 21 Oct 2015 07:28:00 GMT",
                "Authorization: Bearer " + token,
                "X-Other: not sent",
                "Cookie: some_cookie_name=some_cookie_value; other_cookie_name=other_cookie_value");
        JsonNode expected = JSON.readTree("""
                {
                  "uri": "/some/abcdef0123456789",
                  "jwt_value": "12345",
                  "headers": [
                    {"name": "Authorization", "value": "Bearer %s"},
                    {"name": "If-None-Match", "value": "\\"00000000000000000000000000000000\\""},
                    {"name": "If-Modified-Since", "value": "Wed, 21 Oct 2015 07:28:00 GMT"}
                  ],
                  "cookies": [
                    {"name": "some_cookie_name", "value": "some_cookie_value"},
                    {"name": "other_cookie_name", "value": "other_cookie_value"}
                  ]
                }
                """.formatted(token));
        assertEquals(expected, JSON.readTree(question));
    }

    @Test
    void laterFieldNamesOnRequest() throws Exception {
        String question = questionFor(Map.of("json-fields", "later"), "Authorization: Bearer " + Tokens.valid("7"));
        assertEquals(JSON.readTree("""
                {"file_id": "abcdef0123456789", "auth_value": "7", "http_method": "GET"}
                """), JSON.readTree(question));
    }
}
