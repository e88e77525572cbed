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
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The download path's HTTP/1.1 against servers scripted here, byte by byte: connections reused
 * (counted where they are accepted), one the server closed while idle replaced, answers broken
 * off never passed on as complete, heads that could smuggle headers refused, TLS verified.
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
            this(script, new ServerSocket());
        }

        /** On {@code server}, unbound: a plain or a TLS server socket. */
        Scripted(Script script, ServerSocket server) throws IOException {
            this.server = server;
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
            return reads("http", (SSLSocketFactory) SSLSocketFactory.getDefault());
        }

        BucketReads reads(String scheme, SSLSocketFactory tls) {
            return new BucketReads(URI.create(scheme + "://127.0.0.1:" + server.getLocalPort() + "/bucket/k"), "us-east-1",
                    StaticCredentialsProvider.create(AwsBasicCredentials.create("id", "secret")), Clock.systemUTC(),
                    tls, TIMEOUT, TIMEOUT);
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

    /** A key pair and self-signed certificate for {@code san}, made by the JDK's keytool. */
    private static SSLContext tls(Path dir, String san) throws Exception {
        Path store = dir.resolve("tls.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "bucket", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=bucket",
                "-ext", "san=" + san, "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, keytool.waitFor(), output);
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory km = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        km.init(keys, "changeit".toCharArray());
        TrustManagerFactory tm = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tm.init(keys);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(km.getKeyManagers(), tm.getTrustManagers(), null);
        return context;
    }

    @Test
    void anHttpsEndpointIsVerifiedAndThenServedOverTls(@TempDir Path dir) throws Exception {
        SSLContext context = tls(dir, "ip:127.0.0.1");
        try (Scripted server = new Scripted((n, head, out, s) -> ok(out, BODY),
                context.getServerSocketFactory().createServerSocket())) {
            // trusted: served, on one kept connection
            try (BucketReads reads = server.reads("https", context.getSocketFactory())) {
                assertArrayEquals(BODY, get(reads));
                assertArrayEquals(BODY, get(reads));
                assertEquals(1, reads.connectionsOpened());
            }
            // the JVM's trust store does not know the certificate: refused, and nothing sent in plain
            try (BucketReads reads = server.reads("https", (SSLSocketFactory) SSLSocketFactory.getDefault())) {
                assertThrows(SSLException.class, () -> get(reads));
            }
            assertEquals(2, server.heads.size());
        }
    }

    @Test
    void aCertificateForAnotherHostIsRefused(@TempDir Path dir) throws Exception {
        SSLContext context = tls(dir, "dns:other.example");
        try (Scripted server = new Scripted((n, head, out, s) -> ok(out, BODY),
                context.getServerSocketFactory().createServerSocket());
             BucketReads reads = server.reads("https", context.getSocketFactory())) {
            assertThrows(SSLException.class, () -> get(reads));
            assertEquals(0, server.heads.size());
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
