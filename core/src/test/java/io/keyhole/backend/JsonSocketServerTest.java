package io.keyhole.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.AuthRequest;
import io.keyhole.Disposition;
import io.keyhole.FileId;
import io.keyhole.StoredMetadata;
import io.keyhole.authorizer.JsonRequestType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What a Java backend reads from the questions Keyhole sends, uploads and deletes included. */
class JsonSocketServerTest {

    static final FileId ID = FileId.parse("40482fb01e0da292a1d208257a52059c");

    @ParameterizedTest
    @EnumSource(JsonRequestType.Fields.class)
    void anUploadsMetadataComesBack(JsonRequestType.Fields fields) throws IOException {
        StoredMetadata stored = new StoredMetadata(ID, 48_213, "9f86d081884c7d659a2feaa0c55ad015",
                Instant.parse("2026-11-22T10:15:30Z"), "application/pdf", "Zpráva.pdf", Disposition.ATTACHMENT);
        AuthRequest sent = new AuthRequest("/files/" + ID, ID, "POST", "alice", null, null, stored);
        AuthRequest read = JsonSocketServer.decode(new JsonRequestType(fields).encode(sent));
        assertEquals("POST", read.method());
        assertEquals(ID, read.fileId());
        assertEquals("alice", read.authValue());
        assertEquals(stored, read.stored());
    }

    @ParameterizedTest
    @EnumSource(JsonRequestType.Fields.class)
    void aDeleteIsADelete(JsonRequestType.Fields fields) throws IOException {
        AuthRequest read = JsonSocketServer.decode(new JsonRequestType(fields).encode(
                new AuthRequest("/files/" + ID, ID, "DELETE", "alice", null, null)));
        assertEquals("DELETE", read.method());
        assertEquals(ID, read.fileId());
        assertNull(read.stored());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"file_id\":\"40482fb01e0da292a1d208257a52059c\",\"http_method\":\"POST\"}",
        "{\"file_id\":\"40482fb01e0da292a1d208257a52059c\",\"http_method\":\"POST\",\"length\":1,\"etag\":\"x\"}",
        "{\"file_id\":\"40482fb01e0da292a1d208257a52059c\",\"http_method\":\"POST\",\"length\":-1,\"etag\":\"x\","
                + "\"upload_date\":1}",
        "{\"file_id\":\"40482fb01e0da292a1d208257a52059c\",\"http_method\":\"POST\",\"length\":\"many\",\"etag\":\"x\","
                + "\"upload_date\":1}"})
    void anUploadWithoutItsMetadataIsNoQuestion(String question) {
        IOException e = assertThrows(IOException.class,
                () -> JsonSocketServer.decode(question.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("needs length, upload_date (integers) and etag"), e.getMessage());
    }
}
