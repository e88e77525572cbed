package io.keyhole.internal.s3;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands between Keyhole and the S3 server on 127.0.0.1 and writes down every request that
 * passes: its request line and its {@code Range} header. It reads the HTTP/1.1 framing of the
 * requests (Content-Length or chunked bodies, keep-alive) so that each request counts once, and
 * copies the answers back unchanged. What the S3 server was asked is what it lists, and over how
 * many connections.
 */
final class CountingRelay implements AutoCloseable {

    /** One request as the S3 server received it. */
    record Seen(String method, String target, String range) {
        @Override
        public String toString() {
            return method + " " + target + (range != null ? " Range: " + range : "");
        }
    }

    private final ServerSocket server;
    private final int upstreamPort;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();

    CountingRelay(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread accept = new Thread(this::accept, "relay-accept");
        accept.setDaemon(true);
        accept.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** The requests seen so far, in order. */
    List<Seen> seen() {
        return List.copyOf(seen);
    }

    /** Those of {@link #seen()} below the {@code /<bucket>/} path. */
    List<Seen> seenIn(String bucket) {
        return seen.stream().filter(s -> s.target().startsWith("/" + bucket + "/")).toList();
    }

    /** The connections accepted so far. */
    int accepted() {
        return accepted.get();
    }

    void forget() {
        seen.clear();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                accepted.incrementAndGet();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                sockets.add(client);
                sockets.add(upstream);
                start("relay-requests", () -> requests(client, upstream));
                start("relay-answers", () -> copy(upstream, client));
            } catch (IOException e) {
                // closed, or the upstream refused: the client sees its connection end
            }
        }
    }

    private static void start(String name, Runnable task) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        t.start();
    }

    private void requests(Socket client, Socket upstream) {
        try (InputStream in = client.getInputStream(); OutputStream out = upstream.getOutputStream()) {
            while (true) {
                byte[] head = readHead(in);
                if (head == null) {
                    return;
                }
                String text = new String(head, StandardCharsets.ISO_8859_1);
                String[] lines = text.split("\r\n");
                String[] requestLine = lines[0].split(" ");
                long length = 0;
                boolean chunked = false;
                String range = null;
                for (String line : lines) {
                    int colon = line.indexOf(':');
                    if (colon < 0) {
                        continue;
                    }
                    String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                    String value = line.substring(colon + 1).trim();
                    switch (name) {
                        case "content-length" -> length = Long.parseLong(value);
                        case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                        case "range" -> range = value;
                        default -> {
                        }
                    }
                }
                seen.add(new Seen(requestLine[0], requestLine[1], range));
                out.write(head);
                out.flush();
                if (chunked) {
                    copyChunked(in, out);
                } else {
                    copyExactly(in, out, length);
                }
                out.flush();
            }
        } catch (IOException e) {
            // either side went away
        } finally {
            closeQuietly(client);
            closeQuietly(upstream);
        }
    }

    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(512);
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : b == '\r' ? 1 : 0;
        }
        return head.toByteArray();
    }

    private static void copyExactly(InputStream in, OutputStream out, long n) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        while (n > 0) {
            int r = in.read(buffer, 0, (int) Math.min(buffer.length, n));
            if (r < 0) {
                throw new IOException("request body ended early");
            }
            out.write(buffer, 0, r);
            n -= r;
        }
    }

    private static void copyChunked(InputStream in, OutputStream out) throws IOException {
        while (true) {
            String sizeLine = readLine(in, out);
            long size = Long.parseLong(sizeLine.split(";", 2)[0].trim(), 16);
            if (size == 0) {
                // trailers until an empty line
                while (!readLine(in, out).isEmpty()) {
                    // copied
                }
                return;
            }
            copyExactly(in, out, size);
            readLine(in, out);
        }
    }

    private static String readLine(InputStream in, OutputStream out) throws IOException {
        StringBuilder line = new StringBuilder();
        int prev = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("chunked body ended early");
            }
            out.write(b);
            if (prev == '\r' && b == '\n') {
                line.setLength(line.length() - 1);
                return line.toString();
            }
            line.append((char) b);
            prev = b;
        }
    }

    private static void copy(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // either side went away
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }
}
