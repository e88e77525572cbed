package io.keyhole.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.AuthRequest;
import io.keyhole.AuthResponse;
import io.keyhole.Authorizer;
import io.keyhole.Disposition;
import io.keyhole.FileId;
import io.keyhole.StoredMetadata;
import io.keyhole.authorizer.Authorizers;
import io.keyhole.authorizer.JsonRequestType;
import io.keyhole.authorizer.KeepAlive;
import io.keyhole.authorizer.UnixSocketTransport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What a Java backend reads from the questions Keyhole sends, uploads and deletes included. */
class JsonSocketServerTest {

    static final FileId ID = FileId.parse("40482fb01e0da292a1d208257a52059c");

    @TempDir
    Path dir;

    /** Grants alice, refuses everyone else, and names the question's number in the answer's file name. */
    private static Authorizer numbered(AtomicInteger asked) {
        return request -> {
            int n = asked.incrementAndGet();
            return "alice".equals(request.authValue())
                    ? new AuthResponse(200, "q" + n + ".pdf", null, null, null, null, null, null, null)
                    : AuthResponse.ofStatus(403);
        };
    }

    private static void write(SocketChannel channel, String text) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (out.hasRemaining()) {
            channel.write(out);
        }
    }

    /** Reads until {@code lines} line feeds have come, or the end of the stream. */
    private static String readLines(SocketChannel channel, int lines) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ByteBuffer one = ByteBuffer.allocate(1);
        int seen = 0;
        while (seen < lines && channel.read(one.clear()) > 0) {
            got.write(one.get(0));
            if (one.get(0) == '\n') {
                seen++;
            }
        }
        return got.toString(StandardCharsets.UTF_8);
    }

    @Test
    void questionsEndedByALineFeedAreAnsweredLineByLineOnOneConnection() throws IOException {
        AtomicInteger asked = new AtomicInteger();
        Path socket = dir.resolve("auth.sock");
        try (JsonSocketServer server = JsonSocketServer.start(socket, numbered(asked));
             SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            client.connect(UnixDomainSocketAddress.of(server.socket()));
            // Two questions in one write; the second indented, its inner line feeds inside the object.
            write(client, "{\"file_id\":\"" + ID + "\",\"auth_value\":\"alice\"}\n"
                    + "{\n  \"file_id\": \"" + ID + "\",\n  \"auth_value\": \"bob \\\" }\\n\"\n}\n");
            assertEquals("{\"status\":200,\"filename\":\"q1.pdf\"}\n{\"status\":403}\n", readLines(client, 2));
            write(client, "{\"file_id\":\"" + ID + "\",\"auth_value\":\"alice\"}\n");
            assertEquals("{\"status\":200,\"filename\":\"q3.pdf\"}\n", readLines(client, 1),
                    "the connection stays open for the next question");
            client.shutdownOutput();
            assertEquals(-1, client.read(ByteBuffer.allocate(1)), "the end of the questions closes the connection");
        }
    }

    @Test
    void aQuestionEndedByTheHalfCloseIsAnsweredAndTheConnectionClosed() throws IOException {
        AtomicInteger asked = new AtomicInteger();
        Path socket = dir.resolve("auth.sock");
        try (JsonSocketServer server = JsonSocketServer.start(socket, numbered(asked));
             SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            client.connect(UnixDomainSocketAddress.of(server.socket()));
            // The nginx module's framing, indented: no line feed after the object, then the half-close.
            write(client, "{\n \"uri\": \"/files/" + ID + "\",\n \"jwt_value\": \"alice\"\n}");
            client.shutdownOutput();
            assertEquals("{\"status\":200,\"filename\":\"q1.pdf\"}", readLines(client, 1));
        }
    }

    @Test
    void aTransportKeepingConnectionsAndOneThatDoesNotAreBothServed() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        Path socket = dir.resolve("auth.sock");
        AuthRequest alice = new AuthRequest("/files/" + ID, ID, "GET", "alice", null, null);
        try (JsonSocketServer server = JsonSocketServer.start(socket, numbered(asked));
             UnixSocketTransport kept = new UnixSocketTransport(server.socket(), Duration.ofSeconds(1), Duration.ofSeconds(30),
                     UnixSocketTransport.DEFAULT_MAX_ANSWER_BYTES, KeepAlive.of(4));
             UnixSocketTransport perQuestion = new UnixSocketTransport(server.socket(), Duration.ofSeconds(1),
                     Duration.ofSeconds(30))) {
            Authorizer keeping = Authorizers.of(new JsonRequestType(), kept);
            Authorizer closing = Authorizers.of(new JsonRequestType(), perQuestion);
            for (int i = 1; i <= 10; i += 2) {
                assertEquals("q" + i + ".pdf", keeping.authorize(alice).filename());
                assertEquals("q" + (i + 1) + ".pdf", closing.authorize(alice).filename());
            }
        }
    }

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
