package io.keyhole.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.AuthResponse;
import io.keyhole.FileId;
import io.keyhole.KeyholeConfig;
import io.keyhole.authorizer.AuthMatrix;
import io.keyhole.testing.RawHttp;
import io.keyhole.tree.HashedTree;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The review's slow-client attack on {@code keyhole serve}: 200 connections from one address,
 * half uploading a byte a second, half never reading a large download, took every worker and left
 * an unrelated request unanswered until their timeouts. With the per-client limit the attacker
 * holds a few workers at most, whatever the JDK, and the minimum rates and idle timeout end its
 * connections. The attacker speaks from 127.0.0.2, the bystander from 127.0.0.1 (both loopback).
 */
class SlowClientTest {

    static final String BIG = "abcdef0123456789";
    static final String SMALL = "0123456789abcdef";
    static final int SLOW_UPLOADS = 100;
    static final int STALLED_DOWNLOADS = 100;

    @TempDir
    Path dir;

    @Test
    void slowClientsDoNotDelayOthers() throws Exception {
        Path root = Files.createDirectories(dir.resolve("tree"));
        HashedTree tree = new HashedTree(root, 2);
        tree.create();
        try (RandomAccessFile big = new RandomAccessFile(tree.pathOf(FileId.parse(BIG)).toFile(), "rw")) {
            big.setLength(256L << 20); // sparse: far more than any socket buffer
        }
        Files.writeString(tree.pathOf(FileId.parse(SMALL)), "hello");
        AtomicInteger downloadsGranted = new AtomicInteger();
        KeyholeConfig config = KeyholeConfig.builder().fsRoot(root).fsDepth(2).mount("/files/").readOnly(false)
                .uploadMatrix(AuthMatrix.parse("allow:allow:allow:allow"))
                .authorizer(q -> {
                    if (q.fileId().value().equals(BIG)) {
                        downloadsGranted.incrementAndGet();
                    }
                    return AuthResponse.ofStatus(200);
                }).build();
        ServeLimits limits = new ServeLimits(Duration.ofSeconds(2), 1024, 8);
        FileServer server = FileServer.start(config, Listen.parse("127.0.0.1:0"), limits);
        List<Socket> attack = new ArrayList<>();
        try {
            InetAddress attacker = InetAddress.getByName("127.0.0.2");
            for (int i = 0; i < SLOW_UPLOADS; i++) {
                Socket s = connect(attacker, server.port(), false);
                s.getOutputStream().write(("POST /files/ HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data;"
                        + " boundary=b\r\nContent-Length: 1000000\r\n\r\n--b\r\nContent-Disposition: form-data;"
                        + " name=\"d\"; filename=\"slow.bin\"\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                attack.add(s);
            }
            for (int i = 0; i < STALLED_DOWNLOADS; i++) {
                Socket s = connect(attacker, server.port(), true);
                s.getOutputStream().write(("GET /files/" + BIG + " HTTP/1.1\r\nHost: x\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                attack.add(s);
            }
            // the attacker's requests are in the server's workers now
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (downloadsGranted.get() < 4 && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                trickle(attack.subList(0, SLOW_UPLOADS));
            }
            assertTrue(downloadsGranted.get() >= 4, "stalled downloads under way: " + downloadsGranted.get());

            // a bystander's request is answered at once
            long start = System.nanoTime();
            CompletableFuture<RawHttp.Response> probe = CompletableFuture.supplyAsync(() -> {
                try {
                    return RawHttp.request(server.port(), "GET", "/files/" + SMALL);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            RawHttp.Response r = probe.get(3, TimeUnit.SECONDS);
            assertEquals(200, r.status());
            assertEquals("hello", r.text());
            System.out.printf("bystander answered in %d ms beside %d slow connections%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), attack.size());

            // and the slow uploads that got a worker are ended: too slow
            List<Socket> uploads = attack.subList(0, SLOW_UPLOADS);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            int ended = 0;
            while (ended == 0 && System.nanoTime() < end) {
                trickle(uploads);
                for (Socket s : uploads) {
                    ended += endedByServer(s) ? 1 : 0;
                }
            }
            assertTrue(ended > 0, "the server ended slow uploads");
        } finally {
            for (Socket s : attack) {
                s.close();
            }
            server.stop();
        }
    }

    private static Socket connect(InetAddress from, int port, boolean tinyReceiveBuffer) throws IOException {
        Socket s = new Socket();
        if (tinyReceiveBuffer) {
            s.setReceiveBufferSize(4096);
        }
        s.bind(new InetSocketAddress(from, 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        return s;
    }

    private long lastTrickle;

    /** One more byte on every slow upload, at most once a second. */
    private void trickle(List<Socket> uploads) {
        if (System.nanoTime() - lastTrickle < TimeUnit.SECONDS.toNanos(1)) {
            return;
        }
        lastTrickle = System.nanoTime();
        for (Socket s : uploads) {
            try {
                OutputStream out = s.getOutputStream();
                out.write('x');
                out.flush();
            } catch (IOException e) {
                // ended by the server, which is the point
            }
        }
    }

    /** Whether the server answered this connection or closed it. */
    private static boolean endedByServer(Socket s) {
        try {
            s.setSoTimeout(1);
            InputStream in = s.getInputStream();
            in.read(); // an answer's first byte, or the end of the stream
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
