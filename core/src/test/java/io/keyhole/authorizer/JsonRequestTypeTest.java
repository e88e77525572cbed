package io.keyhole.authorizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyhole.AuthRequest;
import io.keyhole.AuthResponse;
import io.keyhole.AuthorizationException;
import io.keyhole.Disposition;
import io.keyhole.FileId;
import io.keyhole.NameValue;
import io.keyhole.StoredMetadata;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The JSON exchange against the nginx module's documented examples. */
class JsonRequestTypeTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String BACKEND = "unix:/run/auth.sock";
    private static final FileId ID = FileId.parse("abcdef0123456789");

    /** The seed's three extended headers, as in its example. */
    private static final List<NameValue> HEADERS = List.of(
            new NameValue("If-None-Match", "00000000000000000000000000000000"),
            new NameValue("If-Modified-Since", "Wed, 21 Oct 2015 07:28:00 GMT"),
            new NameValue("Authorization", "Bearer abcdefgh123456"));
    private static final List<NameValue> COOKIES = List.of(
            new NameValue("some_cookie_name", "some_cookie_value"),
            new NameValue("other_cookie_name", "other_cookie_value"));

    private final JsonRequestType seed = new JsonRequestType();
    private final JsonRequestType later = new JsonRequestType(JsonRequestType.Fields.LATER);

    // ---- requests ------------------------------------------------------------------------

    @Test
    void seedRequestNotExtended() throws IOException {
        // cdn_json_extended no: only uri and jwt_value.
        AuthRequest request = new AuthRequest("/some-file-id", ID, "GET", "12345", null, null);
        assertJson("""
                {
                  "uri" : "/some-file-id",
                  "jwt_value" : "12345"
                }
                """, seed.encode(request));
    }

    @Test
    void seedRequestExtended() throws IOException {
        // cdn_json_extended yes: the seed's example, field for field.
        AuthRequest request = new AuthRequest("/some-file-id", ID, "GET", "12345", HEADERS, COOKIES);
        assertJson("""
                {
                  "uri" : "/some-file-id",
                  "jwt_value" : "12345",
                  "headers" : [
                    { "name": "If-None-Match", "value": "00000000000000000000000000000000" },
                    { "name": "If-Modified-Since", "value": "Wed, 21 Oct 2015 07:28:00 GMT" },
                    { "name": "Authorization", "value": "Bearer abcdefgh123456" }
                  ],
                  "cookies": [
                    { "name": "some_cookie_name", "value": "some_cookie_value" },
                    { "name": "other_cookie_name", "value": "other_cookie_value" }
                  ]
                }
                """, seed.encode(request));
    }

    @Test
    void seedRequestWithoutCredentialLeavesOutJwtValue() throws IOException {
        // jwt_value is only sent when a JWT key and field are configured.
        assertJson("""
                { "uri" : "/f/abcdef0123456789" }
                """, seed.encode(new AuthRequest("/f/abcdef0123456789", ID, "GET", null, null, null)));
        assertJson("""
                { "uri" : "/f/abcdef0123456789", "headers" : [], "cookies" : [] }
                """, seed.encode(new AuthRequest("/f/abcdef0123456789", ID, "GET", null, List.of(), List.of())));
    }

    @Test
    void laterRequestNames() throws IOException {
        AuthRequest request = new AuthRequest("/f/abcdef0123456789", ID, "HEAD", "12345", HEADERS, COOKIES);
        assertJson("""
                {
                  "file_id" : "abcdef0123456789",
                  "auth_value" : "12345",
                  "http_method" : "HEAD",
                  "headers" : [
                    { "name": "If-None-Match", "value": "00000000000000000000000000000000" },
                    { "name": "If-Modified-Since", "value": "Wed, 21 Oct 2015 07:28:00 GMT" },
                    { "name": "Authorization", "value": "Bearer abcdefgh123456" }
                  ],
                  "cookies": [
                    { "name": "some_cookie_name", "value": "some_cookie_value" },
                    { "name": "other_cookie_name", "value": "other_cookie_value" }
                  ]
                }
                """, later.encode(request));
        assertJson("""
                { "file_id" : "abcdef0123456789", "http_method" : "GET" }
                """, later.encode(new AuthRequest("/f/abcdef0123456789", ID, "GET", null, null, null)));
    }

    // ---- uploads and deletes ----------------------------------------------------------------

    static final FileId NEW_ID = FileId.parse("40482fb01e0da292a1d208257a52059c");
    static final StoredMetadata STORED = new StoredMetadata(NEW_ID, 48_213, "9f86d081884c7d659a2feaa0c55ad015",
            Instant.parse("2026-11-22T10:15:30.999Z"), "application/pdf", "Zpráva.pdf", Disposition.ATTACHMENT);

    @Test
    void seedUploadCarriesTheMethodAndTheMetadata() throws IOException {
        AuthRequest request = new AuthRequest("/files/" + NEW_ID, NEW_ID, "POST", "alice", null, null, STORED);
        assertJson("""
                {
                  "uri" : "/files/40482fb01e0da292a1d208257a52059c",
                  "jwt_value" : "alice",
                  "http_method" : "POST",
                  "filename" : "Zpráva.pdf",
                  "content_type" : "application/pdf",
                  "content_disposition" : "attachment",
                  "etag" : "9f86d081884c7d659a2feaa0c55ad015",
                  "length" : 48213,
                  "upload_date" : 1795342530
                }
                """, seed.encode(request));
    }

    @Test
    void laterUploadCarriesTheMetadataToo() throws IOException {
        AuthRequest request = new AuthRequest("/files/" + NEW_ID, NEW_ID, "POST", "alice", null, null, STORED);
        assertJson("""
                {
                  "file_id" : "40482fb01e0da292a1d208257a52059c",
                  "auth_value" : "alice",
                  "http_method" : "POST",
                  "filename" : "Zpráva.pdf",
                  "content_type" : "application/pdf",
                  "content_disposition" : "attachment",
                  "etag" : "9f86d081884c7d659a2feaa0c55ad015",
                  "length" : 48213,
                  "upload_date" : 1795342530
                }
                """, later.encode(request));
    }

    @Test
    void deletesSayWhatTheyAreInBothGenerations() throws IOException {
        AuthRequest request = new AuthRequest("/files/" + ID, ID, "DELETE", "alice", null, null);
        assertJson("""
                { "uri" : "/files/abcdef0123456789", "jwt_value" : "alice", "http_method" : "DELETE" }
                """, seed.encode(request));
        assertJson("""
                { "file_id" : "abcdef0123456789", "auth_value" : "alice", "http_method" : "DELETE" }
                """, later.encode(request));
    }

    @Test
    void theStoredFileMustBeTheOneAskedAbout() {
        assertThrows(IllegalArgumentException.class,
                () -> new AuthRequest("/files/" + ID, ID, "POST", "alice", null, null, STORED));
    }

    @Test
    void valuesAreEscapedAndSentAsUtf8() throws IOException {
        String awkward = "quote \" backslash \\ newline \n ümlaut € \u0001";
        AuthRequest request = new AuthRequest("/f/x", ID, "GET", awkward, List.of(new NameValue("X-A", awkward)), null);
        byte[] bytes = seed.encode(request);
        JsonNode tree = MAPPER.readTree(bytes);
        assertEquals(awkward, tree.get("jwt_value").asText());
        assertEquals(awkward, tree.get("headers").get(0).get("value").asText());
        assertTrue(new String(bytes, StandardCharsets.UTF_8).contains("ümlaut €"), "UTF-8, not escaped");
    }

    /** Compares as JSON trees, and the top-level field order too: some backends read fields in order. */
    private static void assertJson(String expected, byte[] actual) throws IOException {
        JsonNode want = MAPPER.readTree(expected);
        JsonNode got = MAPPER.readTree(actual);
        assertEquals(want, got);
        assertEquals(fieldNames(want), fieldNames(got));
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    // ---- answers -------------------------------------------------------------------------

    @Test
    void seedAnswerWithItsMisspeltDisposition() throws AuthorizationException {
        AuthResponse answer = decode("""
                {
                  "status": 200,
                  "filename": "report.pdf",
                  "content_type": "application/pdf",
                  "content_dispostion": "attachment",
                  "etag": "00000000000000000000000000000000",
                  "length": 1024,
                  "upload_date": 1445412480,
                  "error": "logged by the server"
                }
                """);
        assertEquals(new AuthResponse(200, "report.pdf", "application/pdf", "attachment",
                "00000000000000000000000000000000", 1024L, 1445412480L, "logged by the server"), answer);
    }

    @Test
    void correctSpellingOfDisposition() throws AuthorizationException {
        assertEquals("attachment", decode("{\"content_disposition\":\"attachment\"}").contentDisposition());
    }

    @Test
    void correctSpellingWinsWhenBothCome() throws AuthorizationException {
        assertEquals("inline", decode("{\"content_dispostion\":\"attachment\",\"content_disposition\":\"inline\"}")
                .contentDisposition());
        assertEquals("inline", decode("{\"content_disposition\":\"inline\",\"content_dispostion\":\"attachment\"}")
                .contentDisposition());
    }

    @Test
    void emptyObjectIsAnEmptyAnswer() throws AuthorizationException {
        assertSame(AuthResponse.EMPTY, decode("{}"));
        assertSame(AuthResponse.EMPTY, decode(" \n{ }\n "));
        assertEquals(AuthResponse.EMPTY, decode("{\"status\":null,\"filename\":null,\"length\":null}"), "null is absent");
    }

    @Test
    void numbersMayComeAsStrings() throws AuthorizationException {
        // SQL-backed answers often carry numbers as text.
        AuthResponse answer = decode("{\"length\":\"1024\",\"upload_date\":\"1445412480\"}");
        assertEquals(1024L, answer.length());
        assertEquals(1445412480L, answer.uploadDate());
    }

    @Test
    void unknownFieldsAreIgnored() throws AuthorizationException {
        AuthResponse answer = decode("""
                {"extra":{"nested":[1,2,{"deep":true}]},"status":404,"list":[],"n":1.5}
                """);
        assertEquals(AuthResponse.ofStatus(404), answer);
    }

    @Test
    void answersNameWhomTheyAreFor() throws AuthorizationException {
        // the later protocol's answers may carry auth_value, compared by the authorisation matrix
        assertEquals("12345", decode("{\"auth_value\":\"12345\",\"filename\":\"a\"}").authValue());
    }

    @Test
    void statusEdges() throws AuthorizationException {
        assertEquals(100, decode("{\"status\":100}").status());
        assertEquals(599, decode("{\"status\":599}").status());
        assertEquals(0L, decode("{\"length\":0}").length());
    }

    static Stream<Arguments> badAnswers() {
        return Stream.of(
                Arguments.of("", "empty answer"),                           // backend died before answering
                Arguments.of(" \n\t ", "empty answer"),                     // whitespace only
                Arguments.of("{\"status\":200", "not valid JSON"),          // backend died mid-answer
                Arguments.of("{", "not valid JSON"),
                Arguments.of("[]", "not a JSON object"),
                Arguments.of("[{\"status\":200}]", "not a JSON object"),
                Arguments.of("\"ok\"", "not a JSON object"),
                Arguments.of("200", "not a JSON object"),
                Arguments.of("null", "not a JSON object"),
                Arguments.of("true", "not a JSON object"),
                Arguments.of("<html>502</html>", "not valid JSON"),
                Arguments.of("{} {}", "more after its JSON object"),
                Arguments.of("{}x", "not valid JSON"),
                Arguments.of("{\"status\":200}{\"status\":403}", "more after its JSON object"),
                Arguments.of("{'status':200}", "not valid JSON"),
                Arguments.of("/* hi */ {}", "not valid JSON"),
                Arguments.of("{\"status\":200,}", "not valid JSON"),
                Arguments.of("{\"status\":200,\"status\":403}", "'status' appears twice"),
                Arguments.of("{\"error\":\"a\",\"error\":\"b\"}", "'error' appears twice"),
                Arguments.of("{\"x\":1,\"x\":2}", "'x' appears twice"),
                Arguments.of("{\"status\":\"200\"}", "'status' must be an integer"),
                Arguments.of("{\"status\":200.0}", "'status' must be an integer"),
                Arguments.of("{\"status\":2e2}", "'status' must be an integer"),
                Arguments.of("{\"status\":true}", "'status' must be an integer"),
                Arguments.of("{\"status\":99}", "'status' must be an HTTP status 100..599"),
                Arguments.of("{\"status\":600}", "'status' must be an HTTP status 100..599"),
                Arguments.of("{\"status\":-200}", "'status' must be an HTTP status 100..599"),
                Arguments.of("{\"status\":4294967496}", "'status' must be an HTTP status 100..599"),
                Arguments.of("{\"filename\":1}", "'filename' must be a string"),
                Arguments.of("{\"content_type\":[]}", "'content_type' must be a string"),
                Arguments.of("{\"content_disposition\":true}", "'content_disposition' must be a string"),
                Arguments.of("{\"content_dispostion\":{}}", "'content_dispostion' must be a string"),
                Arguments.of("{\"etag\":{}}", "'etag' must be a string"),
                Arguments.of("{\"error\":5}", "'error' must be a string"),
                Arguments.of("{\"length\":-1}", "'length' is out of range"),
                Arguments.of("{\"length\":1.5}", "'length' must be an integer"),
                Arguments.of("{\"length\":\"-1\"}", "'length' must be an integer or a string of digits"),
                Arguments.of("{\"length\":\"12a\"}", "'length' must be an integer or a string of digits"),
                Arguments.of("{\"length\":\"\"}", "'length' must be an integer or a string of digits"),
                Arguments.of("{\"length\":\" 12\"}", "'length' must be an integer or a string of digits"),
                Arguments.of("{\"length\":99999999999999999999}", "'length' is out of range"),
                Arguments.of("{\"length\":\"99999999999999999999\"}", "'length' is out of range"),
                Arguments.of("{\"length\":false}", "'length' must be an integer"),
                Arguments.of("{\"upload_date\":\"soon\"}", "'upload_date' must be an integer or a string of digits"),
                Arguments.of("{\"upload_date\":-5}", "'upload_date' is out of range"),
                Arguments.of("{\"upload_date\":253402300800}", "'upload_date' is out of range"),
                Arguments.of("{\"upload_date\":1445412480.5}", "'upload_date' must be an integer"));
    }

    @ParameterizedTest(name = "{0} → {1}")
    @MethodSource
    void badAnswers(String answer, String problem) {
        AuthorizationException e = assertThrows(AuthorizationException.class, () -> decode(answer));
        assertEquals(AuthorizationException.Kind.BAD_ANSWER, e.kind());
        assertEquals(502, e.kind().status());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
        assertTrue(e.getMessage().contains("backend " + BACKEND + ", after 7 ms"), e.getMessage());
        assertEquals(BACKEND, e.backend());
        assertEquals(7, e.elapsedMillis());
    }

    @Test
    void invalidUtf8IsABadAnswer() {
        byte[] answer = {'{', '"', 'e', 'r', 'r', 'o', 'r', '"', ':', '"', (byte) 0xff, (byte) 0xfe, '"', '}'};
        AuthorizationException e = assertThrows(AuthorizationException.class, () -> seed.decode(answer, BACKEND, 7));
        assertEquals(AuthorizationException.Kind.BAD_ANSWER, e.kind());
    }

    @Test
    void messagesNeverRepeatTheAnswersValues() {
        // An answer may carry a session or a token; it must not end up in a log through a message.
        for (String answer : List.of(
                "{\"status\":\"s3cr3t-value\"}",
                "{\"length\":\"s3cr3t-value\"}",
                "{\"etag\":s3cr3t-value}",
                "s3cr3t-value",
                "{\"error\":\"fine\"} s3cr3t-value",
                "{\"status\":404,\"error\":\"s3cr3t-value\",\"status\":200}")) {
            AuthorizationException e = assertThrows(AuthorizationException.class, () -> decode(answer), answer);
            assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
        }
    }

    private AuthResponse decode(String answer) throws AuthorizationException {
        return seed.decode(answer.getBytes(StandardCharsets.UTF_8), BACKEND, 7);
    }
}
