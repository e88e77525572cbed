package io.keyhole.internal.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The download path's HTTP/1.1 against servers scripted here, byte by byte: connections reused
 * (counted where they are accepted), one the server closed while idle replaced, answers broken
 * off never passed on as complete, heads that could smuggle headers refused.
 */
class BucketHttpTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final byte[] BODY = "0123456789".repeat(100).getBytes(StandardCharsets.US_ASCII);

    /** What the scripted server does with the {@code request}-th request (from 0) on a connection. */
    interface Script {
        void answer(int request, String head, OutputStream out, Socket socket) throws IOException;
    }

    /** A server on 127.0.0.1 that counts the connections it accepts and keeps each request's head. */
    static final class Scripted implements AutoCloseable {
        final ServerSocket server;
        final AtomicInteger accepted = new AtomicInteger();
        final List<String> heads = new CopyOnWriteArrayList<>();
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        Scripted(Script script) throws IOException {
            server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread t = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        accepted.incrementAndGet();
                        sockets.add(s);
                        Thread c = new Thread(() -> serve(s, script));
                        c.setDaemon(true);
                        c.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            t.setDaemon(true);
            t.start();
        }

        private void serve(Socket s, Script script) {
            try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                for (int n = 0; ; n++) {
                    ByteArrayOutputStream head = new ByteArrayOutputStream();
                    int matched = 0;
                    while (matched < 4) {
                        int b = in.read();
                        if (b < 0) {
                            return;
                        }
                        head.write(b);
                        matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
                    }
                    heads.add(head.toString(StandardCharsets.ISO_8859_1));
                    script.answer(n, head.toString(StandardCharsets.ISO_8859_1), out, s);
                    if (s.isClosed()) {
                        return;
                    }
                }
            } catch (IOException e) {
                // the client went away
            }
        }

        BucketReads reads() {
            return new BucketReads(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/bucket/k"), "us-east-1",
                    StaticCredentialsProvider.create(AwsBasicCredentials.create("id", "secret")), Clock.systemUTC(),
                    (SSLSocketFactory) SSLSocketFactory.getDefault(), TIMEOUT, TIMEOUT);
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    private static void ok(OutputStream out, byte[] body) throws IOException {
        out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\nETag: \"e1\"\r\n"
                + "Last-Modified: Tue, 01 Dec 2026 10:00:00 GMT\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    private static byte[] get(BucketReads reads) throws IOException {
        BucketHttp.Answer a = reads.send("GET", "a/b/" + "0123", null, null);
        assertEquals(200, a.status);
        try (InputStream body = a.body()) {
            return body.readAllBytes();
        }
    }

    @Test
    void oneConnectionCarriesRequestAfterRequest() throws Exception {
        try (Scripted server = new Scripted((n, head, out, s) -> ok(out, BODY)); BucketReads reads = server.reads()) {
            for (int i = 0; i < 20; i++) {
                assertArrayEquals(BODY, get(reads));
            }
            assertEquals(1, server.accepted.get());
            assertEquals(1, reads.connectionsOpened());
            String head = server.heads.get(0);
            assertTrue(head.startsWith("GET /bucket/a/b/0123 HTTP/1.1\r\nHost: 127.0.0.1:" + server.server.getLocalPort()
                    + "\r\n"), head);
            assertTrue(head.contains("\r\nAuthorization: AWS4-HMAC-SHA256 Credential=id/"), head);
            assertTrue(head.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature="), head);
        }
    }

    @Test
    void aConnectionTheServerClosedWhileIdleIsReplacedAndTheRequestSentAgain() throws Exception {
        // the server answers one request per connection and then closes it, without saying so
        Script oneAndGone = (n, head, out, s) -> {
            ok(out, BODY);
            s.close();
        };
        try (Scripted server = new Scripted(oneAndGone); BucketReads reads = server.reads()) {
            assertArrayEquals(BODY, get(reads));
            assertArrayEquals(BODY, get(reads));
            assertArrayEquals(BODY, get(reads));
            assertEquals(3, server.accepted.get());
            assertEquals(3, server.heads.size());
        }
    }

    @Test
    void anAnswerBrokenOffInItsHeadIsAFailureNotSentAgain() throws Exception {
        Script breaks = (n, head, out, s) -> {
            if (n == 0) {
                ok(out, BODY);
            } else {
                out.write("HTTP/1.1 200 OK\r\nContent-Len".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                s.close();
            }
        };
        try (Scripted server = new Scripted(breaks); BucketReads reads = server.reads()) {
            assertArrayEquals(BODY, get(reads));
            IOException e = assertThrows(IOException.class, () -> get(reads));
            assertTrue(e.getMessage().contains("within the answer's head"), e.getMessage());
            // a request whose answer had begun is not repeated
            assertEquals(1, server.accepted.get());
            assertEquals(2, server.heads.size());
        }
    }

    @Test
    void aBodyCutShortIsAnErrorAndItsConnectionIsNotReused() throws Exception {
        Script cuts = (n, head, out, s) -> {
            if (n == 0) {
                out.write(("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nETag: \"e1\"\r\n"
                        + "Last-Modified: Tue, 01 Dec 2026 10:00:00 GMT\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(BODY, 0, 400);
                out.flush();
                s.close();
            }
        };
        try (Scripted server = new Scripted(cuts); BucketReads reads = server.reads()) {
            BucketHttp.Answer a = reads.send("GET", "k", null, null);
            byte[] into = new byte[1000];
            EOFException e = assertThrows(EOFException.class, () -> a.body().readNBytes(into, 0, 1000));
            assertTrue(e.getMessage().contains("after 400 of the body's 1000 bytes"), e.getMessage());
            // never an early end that would pass for a complete short body
            assertThrows(IOException.class, () -> a.body().read(into, 0, 1000));
        }
    }

    @Test
    void aBodyClosedBeforeItsEndClosesItsConnection() throws Exception {
        try (Scripted server = new Scripted((n, head, out, s) -> ok(out, BODY)); BucketReads reads = server.reads()) {
            BucketHttp.Answer a = reads.send("GET", "k", null, null);
            assertEquals('0', a.body().read());
            a.body().close();
            assertArrayEquals(BODY, get(reads));
            assertEquals(2, server.accepted.get());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "ETag: \"e1\"\rX-Injected: 1\r\n",           // a bare CR inside a value
            "ETag: \"e1\"\nX-Injected: 1\r\n",           // a bare LF
            "X-Amz-Meta-A: one\r\n two\r\n",             // obsolete line folding
            "X-Amz-Meta-A: a\u0000b\r\n",                // NUL
            "Content-Length: 5\r\n",                     // a second, different Content-Length
            ": no name\r\n",
    })
    void headsThatCouldSmuggleHeadersOrBodiesAreRefused(String extra) throws Exception {
        Script hostile = (n, head, out, s) -> {
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n" + extra + "\r\n0123456789")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        };
        try (Scripted server = new Scripted(hostile); BucketReads reads = server.reads()) {
            assertThrows(IOException.class, () -> reads.send("GET", "k", null, null));
        }
    }

    @Test
    void aValueThatWouldBreakTheRequestIsRefusedBeforeAnythingIsSent() throws Exception {
        try (Scripted server = new Scripted((n, head, out, s) -> ok(out, BODY)); BucketReads reads = server.reads()) {
            assertThrows(IllegalArgumentException.class,
                    () -> reads.send("GET", "k", null, "\"e1\"\r\nX-Injected: 1"));
            assertEquals(0, reads.connectionsOpened());
            // a key is part of the path, encoded: it cannot end the request line
            assertArrayEquals(BODY, get(reads));
            BucketHttp.Answer a = reads.send("GET", "a b\r\nX-Injected: 1", null, null);
            a.body().readAllBytes();
            assertTrue(server.heads.get(1).startsWith("GET /bucket/a%20b%0D%0AX-Injected%3A%201 HTTP/1.1\r\n"),
                    server.heads.get(1));
        }
    }

    @Test
    void anErrorAnswersBodyIsReadAndItsConnectionKept() throws Exception {
        Script missing = (n, head, out, s) -> {
            String xml = "<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code></Error>";
            out.write(("HTTP/1.1 404 Not Found\r\nContent-Length: " + xml.length() + "\r\n\r\n" + xml)
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        };
        try (Scripted server = new Scripted(missing); BucketReads reads = server.reads()) {
            for (int i = 0; i < 3; i++) {
                BucketHttp.Answer a = reads.send("GET", "k", null, null);
                assertEquals(404, a.status);
                assertTrue(a.errorBody.contains("<Code>NoSuchKey</Code>"), a.errorBody);
            }
            assertEquals(1, server.accepted.get());
        }
    }
}
