package io.keyhole.internal.sql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The socket the driver gets for a Unix-domain DSN: bytes both ways, read deadlines, close from elsewhere. */
class UnixChannelSocketTest {

    @TempDir
    Path dir;

    @Test
    void carriesBytesBothWays() throws Exception {
        Path path = dir.resolve("echo.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            try (UnixChannelSocket socket = new UnixChannelSocket(path)) {
                socket.connect(null, 1000);
                try (SocketChannel peer = server.accept()) {
                    socket.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
                    ByteBuffer in = ByteBuffer.allocate(4);
                    while (in.hasRemaining()) {
                        peer.read(in);
                    }
                    assertEquals("ping", new String(in.array(), StandardCharsets.US_ASCII));
                    peer.write(ByteBuffer.wrap("pong".getBytes(StandardCharsets.US_ASCII)));
                    byte[] answer = socket.getInputStream().readNBytes(4);
                    assertArrayEquals("pong".getBytes(StandardCharsets.US_ASCII), answer);
                }
                // the peer has closed its end
                assertEquals(-1, socket.getInputStream().read());
            }
        }
    }

    @Test
    void aReadGivesUpAfterTheSoTimeout() throws Exception {
        Path path = dir.resolve("silent.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            try (UnixChannelSocket socket = new UnixChannelSocket(path)) {
                socket.connect(null, 1000);
                socket.setSoTimeout(200);
                long start = System.nanoTime();
                SocketTimeoutException e = assertThrows(SocketTimeoutException.class, () -> socket.getInputStream().read());
                long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(took >= 200 && took < 900, "took " + took + " ms");
                assertTrue(e.getMessage().contains("200 ms"), e.getMessage());
            }
        }
    }

    @Test
    void closingWakesABlockedRead() throws Exception {
        Path path = dir.resolve("close.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            UnixChannelSocket socket = new UnixChannelSocket(path);
            socket.connect(null, 1000);
            InputStream in = socket.getInputStream();
            CompletableFuture<Throwable> reader = CompletableFuture.supplyAsync(() -> {
                try {
                    in.read();
                    return null;
                } catch (Exception e) {
                    return e;
                }
            });
            Thread.sleep(100);
            socket.close();
            assertTrue(reader.get(2, TimeUnit.SECONDS) instanceof SocketException);
            assertTrue(socket.isClosed());
        }
    }

    @Test
    void aMissingSocketFileIsReportedWithItsPath() {
        Path path = dir.resolve("absent.sock");
        SocketException e = assertThrows(SocketException.class, () -> new UnixChannelSocket(path).connect(null, 100));
        assertTrue(e.getMessage().contains(path.toString()), e.getMessage());
    }
}
