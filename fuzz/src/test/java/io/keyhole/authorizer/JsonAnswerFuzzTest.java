package io.keyhole.authorizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyhole.AuthRequest;
import io.keyhole.AuthResponse;
import io.keyhole.AuthorizationException;
import io.keyhole.FileId;
import io.keyhole.NameValue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The backend's JSON answer ({@link JsonRequestType#decode}) and the question it is asked
 * ({@link JsonRequestType#encode}). Any bytes either decode or fail as {@code BAD_ANSWER}, whose
 * message never repeats a value the backend sent; an answer written field by field decodes to
 * exactly those fields; a question encodes as one JSON object that reads back to what was asked.
 */
class JsonAnswerFuzzTest {

    private static final JsonRequestType JSON = new JsonRequestType();
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @DictionaryEntries({"{", "}", "\"status\"", "\"length\"", "\"upload_date\"", "\"filename\"", "\"content_dispostion\"", "\"content_disposition\"", "\"etag\"", "\"auth_value\"", "\"error\"", ":200", ":null", "\"123\"", "[]", "1e3", "-1", "9223372036854775808"})
    @FuzzTest
    void anyAnswer(FuzzedDataProvider data) {
        byte[] answer = data.consumeRemainingAsBytes();
        try {
            AuthResponse response = JSON.decode(answer, "fuzz", 0);
            if (response.status() != null) {
                assertTrue(response.status() >= 100 && response.status() <= 599);
            }
            if (response.length() != null) {
                assertTrue(response.length() >= 0);
            }
            if (response.uploadDate() != null) {
                assertTrue(response.uploadDate() >= 0 && response.uploadDate() <= JsonRequestType.MAX_UPLOAD_DATE);
            }
        } catch (AuthorizationException e) {
            assertEquals(AuthorizationException.Kind.BAD_ANSWER, e.kind());
        }
    }

    @FuzzTest
    void writtenAnswer(FuzzedDataProvider data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Integer status = null;
        Long length = null;
        Long uploadDate = null;
        String filename = null;
        String error = null;
        String secret = "s3cr3t-" + data.consumeAsciiString(16);
        boolean wellTyped = true;
        try (JsonGenerator out = FACTORY.createGenerator(bytes)) {
            out.writeStartObject();
            if (data.consumeBoolean()) {
                int s = data.consumeInt(0, 700);
                out.writeNumberField("status", s);
                wellTyped &= s >= 100 && s <= 599;
                status = s;
            }
            if (data.consumeBoolean()) {
                long l = data.consumeLong();
                if (data.consumeBoolean()) {
                    out.writeNumberField("length", l);
                } else {
                    out.writeStringField("length", Long.toString(l));
                }
                wellTyped &= l >= 0;
                length = l;
            }
            if (data.consumeBoolean()) {
                long u = data.consumeLong(-1, JsonRequestType.MAX_UPLOAD_DATE + 1);
                out.writeNumberField("upload_date", u);
                wellTyped &= u >= 0 && u <= JsonRequestType.MAX_UPLOAD_DATE;
                uploadDate = u;
            }
            if (data.consumeBoolean()) {
                filename = data.consumeString(100);
                out.writeStringField("filename", filename);
            }
            if (data.consumeBoolean()) {
                error = data.consumeString(100);
                out.writeStringField("error", error);
            }
            if (data.consumeBoolean()) {
                // a value of the wrong type: the message must say so without repeating what was sent
                out.writeFieldName(data.pickValue(new String[] {"etag", "content_type", "auth_value"}));
                out.writeStartArray();
                out.writeString(secret);
                out.writeEndArray();
                wellTyped = false;
            }
            out.writeStringField("unknown_" + data.consumeAsciiString(8), secret);
            out.writeEndObject();
        }
        byte[] answer = bytes.toByteArray();
        if (!wellTyped) {
            try {
                JSON.decode(answer, "fuzz", 0);
            } catch (AuthorizationException e) {
                assertFalse(e.getMessage().contains(secret), "the message repeats a value: " + e.getMessage());
                return;
            }
            throw new AssertionError("an ill-typed answer was accepted: " + new String(answer, StandardCharsets.UTF_8));
        }
        AuthResponse response;
        try {
            response = JSON.decode(answer, "fuzz", 0);
        } catch (AuthorizationException e) {
            assertFalse(e.getMessage().contains(secret));
            assertFalse(wellTyped, "a well-typed answer was refused: " + e.getMessage());
            return;
        }
        assertEquals(status, response.status());
        assertEquals(length, response.length());
        assertEquals(uploadDate, response.uploadDate());
        assertEquals(filename, response.filename());
        assertEquals(error, response.error());
    }

    @FuzzTest
    void question(FuzzedDataProvider data) throws IOException {
        JsonRequestType type = new JsonRequestType(data.pickValue(JsonRequestType.Fields.values()));
        String uri = data.consumeString(200);
        String authValue = data.consumeBoolean() ? null : data.consumeString(200);
        List<NameValue> headers = new ArrayList<>();
        for (int i = data.consumeInt(0, 4); i > 0; i--) {
            headers.add(new NameValue(data.consumeString(30), data.consumeString(100)));
        }
        String method = data.pickValue(new String[] {"GET", "HEAD", "POST", "DELETE"});
        AuthRequest request = new AuthRequest(uri, FileId.parse("0123456789abcdef"), method, authValue, headers, null);
        byte[] encoded = type.encode(request);
        for (byte b : encoded) {
            assertTrue(b < 0 || b >= 0x20, "no raw control byte in the question: it is one line");
        }
        JsonNode read = MAPPER.readTree(encoded);
        assertTrue(read.isObject());
        String valueField = type.fields() == JsonRequestType.Fields.SEED ? "jwt_value" : "auth_value";
        if (authValue != null && wellFormed(authValue)) {
            assertEquals(authValue, read.get(valueField).asText());
        }
        if (type.fields() == JsonRequestType.Fields.SEED && wellFormed(uri)) {
            assertEquals(uri, read.get("uri").asText());
        }
        assertEquals(headers.size(), read.get("headers").size());
    }

    private static boolean wellFormed(String s) {
        return s.equals(new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
    }
}
