package io.keyhole.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.AuthResponse;
import io.keyhole.FileId;
import io.keyhole.KeyholeConfig;
import io.keyhole.testing.Holdings;
import io.keyhole.testing.RawHttp;
import io.keyhole.tree.HashedTree;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow downloading clients against {@code keyhole serve}: 200 clients, each from an address of its
 * own (so the per-client limit does not shield the server), open downloads of a large file and
 * then read nothing or a byte a second. The body is written asynchronously, so they hold no
 * worker thread, on JDK 17 too; a bystander is answered at once, normal clients get exact bytes;
 * {@code min-download-rate} closes the slow connections long before the idle timeout, and every
 * file descriptor they held is given back. A client that reads steadily above the rate keeps its
 * download, even in the middle of one large mapped write.
 */
class SlowDownloadTest {

    static final String BIG = "abcdef0123456789";
    static final String SMALL = "0123456789abcdef";
    static final String MID = "fedcba9876543210";
    static final int CLIENTS = 200;
    /** Far above what a trickling client takes, far below what a reading one does. */
    static final int RATE = 64 * 1024;
    static final Duration WINDOW = Duration.ofSeconds(1);
    /** Long enough that only the rate can have closed a connection in the test's time. */
    static final Duration IDLE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final AtomicInteger bigGranted = new AtomicInteger();

    @Test
    void slowReadersHoldNoWorker() throws Exception {
        byte[] mid = tree();
        // no rate: only the asynchronous writes keep the threads free
        FileServer server = FileServer.start(config(), Listen.parse("127.0.0.1:0"), new ServeLimits(IDLE, 1024, 16, 0, WINDOW));
        List<Socket> clients = new ArrayList<>();
        try {
            long fdsBefore = warmUp(server);
            QueuedThreadPool pool = (QueuedThreadPool) server.jetty().getThreadPool();
            attack(server, clients);

            // every download is under way; once the requests are handled, none holds a thread
            await(() -> pool.getBusyThreads() <= 8, Duration.ofSeconds(10),
                    () -> "busy threads: " + pool.getBusyThreads() + "\n" + stacks());
            System.out.printf("%d slow downloads: %d pool threads, %d busy (acceptor and selectors included)%n",
                    CLIENTS, pool.getThreads(), pool.getBusyThreads());

            // a bystander is answered at once, a normal client gets exact bytes, whole and in parts
            long start = System.nanoTime();
            RawHttp.Response small = RawHttp.request(server.port(), "GET", "/files/" + SMALL);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            System.out.printf("bystander answered in %d ms beside %d slow downloads%n", millis, CLIENTS);
            assertEquals(200, small.status());
            assertEquals("hello", small.text());
            assertTrue(millis < 1000, "bystander waited " + millis + " ms");
            RawHttp.Response whole = RawHttp.request(server.port(), "GET", "/files/" + MID);
            assertEquals(200, whole.status());
            assertArrayEquals(mid, whole.body());
            RawHttp.Response range = RawHttp.request(server.port(), "GET", "/files/" + MID, "Range: bytes=1048570-1048585");
            assertEquals(206, range.status());
            assertArrayEquals(Arrays.copyOfRange(mid, 1048570, 1048586), range.body());
            RawHttp.Response parts = RawHttp.request(server.port(), "GET", "/files/" + MID, "Range: bytes=0-3,2000000-2000003");
            assertEquals(206, parts.status());
            String body = new String(parts.body(), StandardCharsets.ISO_8859_1);
            assertTrue(body.contains("\r\n\r\n" + new String(mid, 0, 4, StandardCharsets.ISO_8859_1) + "\r\n--"), body);
            assertTrue(body.contains("\r\n\r\n" + new String(mid, 2000000, 4, StandardCharsets.ISO_8859_1) + "\r\n--"),
                    body);

            // clients that give up take nothing with them: sockets, files and mappings are given back
            closeAll(clients);
            awaitDescriptors(fdsBefore);
        } finally {
            closeAll(clients);
            server.stop();
        }
    }

    @Test
    void theRateClosesSlowReadersLongBeforeTheIdleTimeout() throws Exception {
        tree();
        FileServer server = FileServer.start(config(), Listen.parse("127.0.0.1:0"),
                new ServeLimits(IDLE, 1024, 16, RATE, WINDOW));
        List<Socket> clients = new ArrayList<>();
        try {
            long fdsBefore = warmUp(server);
            long start = System.nanoTime();
            attack(server, clients);

            ServerConnector connector = (ServerConnector) server.jetty().getConnectors()[0];
            await(() -> {
                trickle(clients.subList(0, CLIENTS / 2));
                return connector.getConnectedEndPoints().isEmpty();
            }, Duration.ofSeconds(20), () -> connector.getConnectedEndPoints().size() + " connections still open");
            long closedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            System.out.printf("all %d slow connections closed %d ms after they opened (idle timeout %d s)%n",
                    CLIENTS, closedAfter, IDLE.toSeconds());
            assertTrue(closedAfter < IDLE.toMillis() / 2, "closed after " + closedAfter + " ms");
            // each got its headers and some bytes, then its connection was closed: no whole body
            for (Socket s : clients.subList(CLIENTS - 10, CLIENTS)) {
                assertTrue(drained(s) < (256L << 20), "a slow client was sent the whole file");
            }

            closeAll(clients);
            awaitDescriptors(fdsBefore);
        } finally {
            closeAll(clients);
            server.stop();
        }
    }

    @Test
    void aSteadyReaderAboveTheRateKeepsItsDownload() throws Exception {
        tree();
        // a longer window than the attack's: a reader paused a whole window by a loaded machine is slow
        Duration window = WINDOW.multipliedBy(2);
        FileServer server = FileServer.start(config(), Listen.parse("127.0.0.1:0"),
                new ServeLimits(IDLE, 1024, 16, RATE, window));
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(("GET /files/" + BIG + " HTTP/1.1\r\nHost: x\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            // 1 MiB/s for 3.5 windows: 16 times the rate, and still inside the first 64 MiB mapped write
            long bytesPerSecond = 1024 * 1024;
            InputStream in = s.getInputStream();
            byte[] buffer = new byte[16 * 1024];
            long read = 0;
            long start = System.nanoTime();
            long end = start + window.toNanos() * 7 / 2;
            while (System.nanoTime() < end) {
                long allowed = bytesPerSecond * (System.nanoTime() - start) / TimeUnit.SECONDS.toNanos(1);
                if (read >= allowed) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                    continue;
                }
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, allowed - read));
                assertTrue(n > 0, "the server closed a download read at 16 times the rate, after " + read + " bytes");
                read += n;
            }
            assertTrue(read > 6 * 1024 * 1024, "read " + read);
            assertEquals(1, ((ServerConnector) server.jetty().getConnectors()[0]).getConnectedEndPoints().size());
        } finally {
            server.stop();
        }
    }

    /**
     * A download under way when the server is asked to stop (SIGTERM) finishes at its client's
     * pace: the connection keeps its idle timeout (Jetty's own graceful stop would lower it to one
     * second, and a client pausing that long lost the rest of its body), the port refuses new
     * connections meanwhile, and a keep-alive connection without a request does not hold the stop.
     */
    @Test
    void aDownloadUnderWayAtTheStopFinishesAtItsClientsPace() throws Exception {
        byte[] mid = tree();
        FileServer server = FileServer.start(config(), Listen.parse("127.0.0.1:0"),
                new ServeLimits(IDLE, 1024, 16, 0, WINDOW), Duration.ofSeconds(30));
        ServerConnector connector = (ServerConnector) server.jetty().getConnectors()[0];
        GracefulHandler graceful = (GracefulHandler) server.jetty().getHandler();
        CompletableFuture<Void> stopped = null;
        try (Socket idle = connect(InetAddress.getLoopbackAddress(), server.port());
             Socket s = connect(InetAddress.getLoopbackAddress(), server.port())) {
            // a finished exchange leaves a keep-alive connection open, with nothing in flight
            idle.getOutputStream().write(("GET /files/" + SMALL + " HTTP/1.1\r\nHost: x\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            assertTrue(readHead(idle.getInputStream()).startsWith("HTTP/1.1 200"));
            assertEquals("hello", new String(idle.getInputStream().readNBytes(5), StandardCharsets.US_ASCII));
            // 3 MiB: more than the socket buffers take, so the server is waiting for this client
            s.getOutputStream().write(("GET /files/" + MID + " HTTP/1.1\r\nHost: x\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            assertTrue(readHead(in).startsWith("HTTP/1.1 200"));
            byte[] body = new byte[mid.length];
            int read = in.readNBytes(body, 0, 64 * 1024);

            stopped = CompletableFuture.runAsync(() -> {
                try {
                    server.stop();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            await(() -> graceful.isShutdown() && connector.isShutdown(), Duration.ofSeconds(10),
                    () -> "the stop has not begun");
            assertEquals(2, connector.getConnectedEndPoints().size());
            for (var endPoint : connector.getConnectedEndPoints()) {
                assertEquals(IDLE.toMillis(), endPoint.getIdleTimeout(), "an open connection's idle timeout during the stop");
            }
            // the listening socket goes once the acceptor thread has left accept()
            await(() -> refused(server.port()), Duration.ofSeconds(10), () -> "the port still accepts during the stop");
            assertTrue(!stopped.isDone(), "stopped with a download under way");

            read += in.readNBytes(body, read, body.length - read);
            assertEquals(mid.length, read);
            assertArrayEquals(mid, body);
            stopped.get(10, TimeUnit.SECONDS);
            assertEquals(-1, idle.getInputStream().read(), "the idle connection is closed by the stop");
        } finally {
            if (stopped == null) {
                server.stop();
            }
        }
    }

    /** The status line and headers of a response, read up to the empty line. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection ended inside the head: " + head);
            }
            head.append((char) b);
        }
        return head.toString();
    }

    private static boolean refused(int port) {
        try {
            new Socket("127.0.0.1", port).close();
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /**
     * One request for each file served, so that what the storage keeps open (the directories
     * above the files) is open; the descriptors open then.
     */
    private static long warmUp(FileServer server) throws IOException {
        assertEquals("hello", RawHttp.request(server.port(), "GET", "/files/" + SMALL).text());
        assertEquals(200, RawHttp.request(server.port(), "HEAD", "/files/" + BIG).status());
        assertEquals(200, RawHttp.request(server.port(), "HEAD", "/files/" + MID).status());
        return openFiles();
    }

    /**
     * {@link #CLIENTS} downloads of the big file, from 127.0.1.1 … 127.0.1.200 (each client an
     * address of its own), half of them read a byte a second, half nothing; returns once all are
     * granted.
     */
    private void attack(FileServer server, List<Socket> clients) throws IOException {
        int before = bigGranted.get();
        for (int i = 0; i < CLIENTS; i++) {
            Socket s = connect(InetAddress.getByAddress(new byte[] {127, 0, 1, (byte) (i + 1)}), server.port());
            s.getOutputStream().write(("GET /files/" + BIG + " HTTP/1.1\r\nHost: x\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            clients.add(s);
        }
        await(() -> {
            trickle(clients.subList(0, CLIENTS / 2));
            return bigGranted.get() - before == CLIENTS;
        }, Duration.ofSeconds(20), () -> "downloads granted: " + (bigGranted.get() - before));
    }

    private static void closeAll(List<Socket> clients) throws IOException {
        for (Socket s : clients) {
            s.close();
        }
    }

    /** Waits until this process has no more descriptors open than {@code before}. */
    private static void awaitDescriptors(long before) {
        await(() -> openFiles() <= before, Duration.ofSeconds(10),
                () -> "descriptors: " + openFiles() + ", before the attack " + before + ": " + openFileNames());
    }

    /** Reads what the connection still holds until its end; the byte count. */
    private static long drained(Socket s) throws IOException {
        s.setSoTimeout(5000);
        InputStream in = s.getInputStream();
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        try {
            for (int n; (n = in.read(buffer)) >= 0 && total < (256L << 20); ) {
                total += n;
            }
        } catch (java.net.SocketException e) {
            // reset by the server: the end as well
        }
        return total;
    }

    /** The big sparse file, a small one and a mid-sized one of random bytes, whose content this returns. */
    private byte[] tree() throws IOException {
        Path root = Files.createDirectories(dir.resolve("tree"));
        HashedTree tree = new HashedTree(root, 2);
        tree.create();
        try (RandomAccessFile big = new RandomAccessFile(tree.pathOf(FileId.parse(BIG)).toFile(), "rw")) {
            big.setLength(256L << 20); // sparse: far more than any socket buffer, and more than one mapping
        }
        Files.writeString(tree.pathOf(FileId.parse(SMALL)), "hello");
        byte[] mid = new byte[3 << 20]; // mapped, not read: above the mapping threshold
        new Random(7).nextBytes(mid);
        Files.write(tree.pathOf(FileId.parse(MID)), mid);
        return mid;
    }

    private KeyholeConfig config() {
        return KeyholeConfig.builder().fsRoot(dir.resolve("tree")).fsDepth(2).mount("/files/")
                .authorizer(q -> {
                    if (q.fileId().value().equals(BIG)) {
                        bigGranted.incrementAndGet();
                    }
                    return AuthResponse.ofStatus(200);
                }).build();
    }

    private static Socket connect(InetAddress from, int port) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.bind(new InetSocketAddress(from, 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        return s;
    }

    private long lastTrickle;

    /** One byte read from every trickling client, at most once a second. */
    private void trickle(List<Socket> clients) {
        if (System.nanoTime() - lastTrickle < TimeUnit.SECONDS.toNanos(1)) {
            return;
        }
        lastTrickle = System.nanoTime();
        for (Socket s : clients) {
            try {
                s.setSoTimeout(1);
                s.getInputStream().read();
            } catch (IOException e) {
                // nothing yet, or closed by the server: both are the point
            }
        }
    }

    /** What the server's threads are doing, for a failure message. */
    private static String stacks() {
        StringBuilder out = new StringBuilder();
        Thread.getAllStackTraces().forEach((t, frames) -> {
            if (t.getName().startsWith("keyhole-http")) {
                out.append(t.getName()).append(' ').append(t.getState()).append('\n');
                for (int i = 0; i < Math.min(frames.length, 12); i++) {
                    out.append("    ").append(frames[i]).append('\n');
                }
            }
        });
        return out.toString();
    }

    private static long openFiles() {
        return Holdings.openDescriptors().size();
    }

    /** What this process has open, for a failure message. */
    private static String openFileNames() {
        return Holdings.openDescriptors().toString();
    }

    private static void await(BooleanSupplier condition, Duration timeout, java.util.function.Supplier<String> what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what.get());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}
