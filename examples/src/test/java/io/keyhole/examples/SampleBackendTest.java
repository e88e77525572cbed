package io.keyhole.examples;

import static io.keyhole.examples.ExampleSupport.FILES_TSV;
import static io.keyhole.examples.ExampleSupport.NOTES_ID;
import static io.keyhole.examples.ExampleSupport.OWNER;
import static io.keyhole.examples.ExampleSupport.REPORT_ID;
import static io.keyhole.examples.ExampleSupport.REPORT_NAME;
import static io.keyhole.examples.ExampleSupport.STRANGER;
import static io.keyhole.examples.ExampleSupport.UNKNOWN_ID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.AuthRequest;
import io.keyhole.AuthResponse;
import io.keyhole.Authorizer;
import io.keyhole.FileId;
import io.keyhole.authorizer.Authorizers;
import io.keyhole.authorizer.JsonRequestType;
import io.keyhole.authorizer.UnixSocketTransport;
import io.keyhole.backend.JsonSocketServer;
import io.keyhole.examples.backend.SampleBackend;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The sample backend, asked the way Keyhole asks it: JSON over its real Unix socket, with the
 * table shipped in {@code backend/files.tsv}.
 */
class SampleBackendTest {

    @TempDir
    static Path dir;

    static JsonSocketServer server;
    static Authorizer keyhole;

    @BeforeAll
    static void start() throws Exception {
        Path socket = dir.resolve("auth.sock");
        server = SampleBackend.start(socket, FILES_TSV);
        keyhole = Authorizers.of(new JsonRequestType(),
                new UnixSocketTransport(socket, Duration.ofSeconds(2), Duration.ofSeconds(5)));
    }

    @AfterAll
    static void stop() throws Exception {
        // Built here, so closed here: it lets the deadline thread it shares with other transports end.
        if (keyhole instanceof AutoCloseable closeable) {
            closeable.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static AuthResponse ask(String id, String uid) throws Exception {
        return keyhole.authorize(new AuthRequest("/files/" + id, FileId.parse(id), "GET", uid, null, null));
    }

    @Test
    void ownerGetsTheFileAndItsMetadata() throws Exception {
        AuthResponse answer = ask(REPORT_ID, OWNER);

        assertEquals(200, answer.status());
        assertEquals(REPORT_NAME, answer.filename());
        assertEquals("application/pdf", answer.contentType());
        assertEquals("attachment", answer.contentDisposition());
        assertEquals("\"rpt-2026-1\"", answer.etag());
        assertEquals(1767225600L, answer.uploadDate());
        assertNull(answer.length(), "the size is left to Keyhole's stat of the file");
    }

    @ParameterizedTest(name = "{2}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            # id                               | uid  | case                           | status
            b07e5a19c3d4e5f60718293a4b5c6d7e   | 1001 | another user's file            | 403
            3f2a9c0d41b7e8f5a6c1d2e3f4a5b6c7   | 1002 | the owner is somebody else     | 403
            0123456789abcdef0123456789abcdef   | 1001 | an id the backend does not know| 404
            3f2a9c0d41b7e8f5a6c1d2e3f4a5b6c7   | -    | no credential                  | 401
            3f2a9c0d41b7e8f5a6c1d2e3f4a5b6c7   | ''   | an empty credential            | 401
            """)
    void everyoneElseIsDenied(String id, String uid, String description, int status) throws Exception {
        AuthResponse answer = ask(id, uid);

        assertEquals(status, answer.status(), description);
        assertNull(answer.filename(), "a denial reveals no metadata");
        assertNotNull(answer.error(), "a denial says why, for Keyhole's log");
    }

    @Test
    void theShippedTableListsThreeFiles() throws Exception {
        Map<String, SampleBackend.StoredFileInfo> table = SampleBackend.readTable(FILES_TSV);

        assertEquals(3, table.size());
        assertEquals(OWNER, table.get(REPORT_ID).owner());
        assertEquals(STRANGER, table.get(NOTES_ID).owner());
        assertEquals("text/plain; charset=utf-8", table.get(NOTES_ID).contentType());
        assertFalse(table.containsKey(UNKNOWN_ID));
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            # line                                                              | expected in the message
            xyz\t1001\ttext/plain\tinline\t"e"\t1\tx                             | not a file id
            3f2a9c0d\t1001\ttext/plain\tsideways\t"e"\t1\tx                      | disposition must be inline or attachment
            3f2a9c0d\t1001\ttext/plain\tinline\t"e"\tyesterday\tx                | upload-date must be Unix seconds
            3f2a9c0d\t1001\ttext/plain\tinline                                   | expected 7 tab-separated columns, found 4
            """)
    void aMalformedTableIsRejectedNamingTheLine(String line, String expected, @TempDir Path tmp) throws Exception {
        Path table = tmp.resolve("files.tsv");
        Files.writeString(table, "# a comment\n\n" + line + "\n", StandardCharsets.UTF_8);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SampleBackend.readTable(table));

        assertTrue(e.getMessage().startsWith(table + ":3: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
