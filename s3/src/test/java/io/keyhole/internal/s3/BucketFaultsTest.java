package io.keyhole.internal.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.Delivery;
import io.keyhole.FileId;
import io.keyhole.Keyhole;
import io.keyhole.KeyholeConfig;
import io.keyhole.testing.TestRequest;
import io.keyhole.testing.TestTree;
import io.keyhole.testing.Wire;
import io.keyhole.tree.HashedTree;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A bucket that fails: S3Proxy stopped (503 at once, then served again by the same Keyhole once
 * it is back), an endpoint that accepts and never answers (504 within {@code storage-timeout}),
 * and a bucket that breaks off in the middle of a body (the body ends in an error, never looks
 * complete). This class has an S3Proxy of its own, since it stops it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BucketFaultsTest {

    private static final String BUCKET = "faults";
    private static final String ID = TestTree.SMALL;
    /** For the endpoint that hangs: short, so the test is. */
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    /** For the real S3Proxy: generous, as a loaded machine and a freshly started JVM are slow. */
    private static final Duration PATIENT = Duration.ofSeconds(20);

    private Path dir;
    private S3Proxy s3proxy;
    private final byte[] content = new byte[300_000];

    @BeforeAll
    void start() throws IOException {
        dir = Files.createTempDirectory("keyhole-faults");
        s3proxy = S3Proxy.start(dir, 0);
        s3proxy.createBucket(BUCKET);
        new Random(3).nextBytes(content);
        try (S3Client s3 = s3proxy.client()) {
            s3.putObject(b -> b.bucket(BUCKET).key(key()), RequestBody.fromBytes(content));
        }
    }

    @AfterAll
    void stop() {
        if (s3proxy != null) {
            s3proxy.close();
        }
        S3Proxy.deleteTree(dir);
    }

    private static String key() {
        return new HashedTree(Path.of(""), 2).relativePathOf(FileId.parse(ID));
    }

    private static Keyhole keyhole(URI endpoint, Duration timeout) {
        return new Keyhole(S3Proxy.configure(KeyholeConfig.builder(), endpoint, BUCKET).fsDepth(2)
                .storageTimeout(timeout).authorizer(TestTree.grant()).build());
    }

    private static Delivery get(Keyhole keyhole) {
        return keyhole.decide(TestRequest.get("/" + ID));
    }

    private static byte[] body(Delivery.Send send) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ReadableByteChannel in = send.file().range(0, send.file().size())) {
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            while (true) {
                buffer.clear();
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                out.write(buffer.array(), 0, n);
            }
        } finally {
            send.file().close();
        }
        return out.toByteArray();
    }

    @Test
    void aStoppedBucketIs503AtOnceAndServedAgainWhenItIsBack() throws Exception {
        try (Keyhole keyhole = keyhole(s3proxy.endpoint(), PATIENT)) {
            assertArrayEquals(content, body(assertInstanceOf(Delivery.Send.class, get(keyhole))));

            s3proxy.close();
            long start = System.nanoTime();
            Delivery down = get(keyhole);
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertEquals(503, down.status());
            assertEquals("no-store", down.header("Cache-Control"));
            // a refused connection is reported without waiting for storage-timeout
            assertTrue(ms < PATIENT.toMillis() / 4, "503 after " + ms + " ms");

            s3proxy = s3proxy.restart();
            assertArrayEquals(content, body(assertInstanceOf(Delivery.Send.class, get(keyhole))));
        }
    }

    @Test
    void theFilesystemBackendIgnoresIfNoneMatchWhichIsWhyItsBucketsNeedClaimInstance() {
        // the trap s3-claim=instance exists for: a conditional PUT that replaces what is there
        try (S3Client s3 = s3proxy.client()) {
            s3.putObject(b -> b.bucket(BUCKET).key("claimed").ifNoneMatch("*"), RequestBody.fromString("first"));
            s3.putObject(b -> b.bucket(BUCKET).key("claimed").ifNoneMatch("*"), RequestBody.fromString("second"));
            assertEquals("second", s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("claimed")).asUtf8String());
        }
    }

    @Test
    void anEndpointThatNeverAnswersIs504WithinTheTimeout() throws Exception {
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket()) {
            silent.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread accept = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (IOException e) {
                    // closed
                }
            });
            accept.setDaemon(true);
            accept.start();
            try (Keyhole keyhole = keyhole(URI.create("http://127.0.0.1:" + silent.getLocalPort()), TIMEOUT)) {
                long start = System.nanoTime();
                Delivery hung = get(keyhole);
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertEquals(504, hung.status());
                assertTrue(ms >= TIMEOUT.toMillis() - 100, "504 after " + ms + " ms, before the timeout");
                assertTrue(ms < TIMEOUT.toMillis() * 3, "504 only after " + ms + " ms");
            }
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void aBodyCutShortEndsInAnErrorNotInAShortFile() throws Exception {
        // A relay that passes the answer's head and the first bytes, then closes the connection.
        try (ServerSocket cutter = new ServerSocket()) {
            cutter.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread relay = new Thread(() -> {
                try (Socket client = cutter.accept();
                     Socket upstream = new Socket(InetAddress.getLoopbackAddress(), s3proxy.port())) {
                    Thread up = new Thread(() -> {
                        try {
                            client.getInputStream().transferTo(upstream.getOutputStream());
                        } catch (IOException e) {
                            // closed below
                        }
                    });
                    up.setDaemon(true);
                    up.start();
                    byte[] buffer = new byte[8192];
                    long passed = 0;
                    while (passed < 100_000) {
                        int n = upstream.getInputStream().read(buffer);
                        if (n < 0) {
                            break;
                        }
                        client.getOutputStream().write(buffer, 0, n);
                        passed += n;
                    }
                } catch (IOException e) {
                    // the test sees the cut
                }
            });
            relay.setDaemon(true);
            relay.start();
            KeyholeConfig config = S3Proxy.configure(KeyholeConfig.builder(), URI.create("http://127.0.0.1:"
                    + cutter.getLocalPort()), BUCKET).fsDepth(2).storageTimeout(PATIENT).renderer("stream")
                    .authorizer(TestTree.grant()).build();
            try (JettyWithKeyhole jetty = JettyWithKeyhole.start(config)) {
                // the response announced all the bytes; the client must see it break, never a short file
                IOException e = assertThrows(IOException.class, () -> Wire.send("GET", jetty.url("/" + ID)));
                assertTrue(e.getMessage() != null, String.valueOf(e));
            }
        }
    }
}
