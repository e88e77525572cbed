package io.keyhole.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Sends a request exactly as written and reads the response bytes as they arrive, so tests see
 * what went over the wire (no client normalising paths or headers). For tests in every module
 * (core's test-jar).
 */
public final class RawHttp {

    private RawHttp() {
    }

    /** A parsed response. */
    public record Response(int status, List<String[]> headers, byte[] body) {

        public String header(String name) {
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    return h[1];
                }
            }
            return null;
        }

        public List<String> headerNames() {
            return headers.stream().map(h -> h[0].toLowerCase(Locale.ROOT)).toList();
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /**
     * Sends {@code head} (request line and headers, lines separated by \n, no final blank line)
     * with {@code Connection: close} and reads until the server closes.
     */
    public static Response send(int port, String head) throws IOException {
        String request = head.strip().replace("\n", "\r\n") + "\r\nConnection: close\r\n\r\n";
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return parse(socket.getInputStream().readAllBytes(), head.startsWith("HEAD "));
        }
    }

    /** GET (or another method) of {@code target} with extra header lines. */
    public static Response request(int port, String method, String target, String... headers) throws IOException {
        StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\nHost: 127.0.0.1\n");
        for (String h : headers) {
            head.append(h).append('\n');
        }
        return send(port, head.toString());
    }

    /**
     * Reads one response from a connection that stays open: the head, then as many body bytes as
     * its {@code Content-Length} says (none for a HEAD request), and nothing more.
     *
     * @throws IOException when the connection ends first, or the response has no Content-Length
     */
    public static Response read(InputStream in, boolean head) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("the connection ended after " + raw.size() + " bytes of a response head");
            }
            raw.write(c);
            matched = c == "\r\n\r\n".charAt(matched) ? matched + 1 : (c == '\r' ? 1 : 0);
        }
        Response r = head(raw.toByteArray(), raw.size() - 4);
        if (head) {
            return r;
        }
        String length = r.header("Content-Length");
        if (length == null) {
            throw new IOException("a response without Content-Length cannot be read from a kept connection ("
                    + "Transfer-Encoding: " + r.header("Transfer-Encoding") + ")");
        }
        int n = Integer.parseInt(length);
        byte[] body = in.readNBytes(n);
        if (body.length != n) {
            throw new IOException("the connection ended after " + body.length + " of " + n + " body bytes");
        }
        return new Response(r.status(), r.headers(), body);
    }

    public static Response parse(byte[] raw, boolean head) throws IOException {
        int end = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        if (end < 0) {
            throw new IOException("no complete response head in " + raw.length + " bytes");
        }
        Response r = head(raw, end);
        byte[] rest = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
        if ("chunked".equalsIgnoreCase(r.header("Transfer-Encoding"))) {
            return new Response(r.status(), r.headers(), dechunk(rest));
        }
        return new Response(r.status(), r.headers(), rest);
    }

    /** The status and headers of {@code raw}, whose head ends at {@code end} (before its blank line); no body. */
    private static Response head(byte[] raw, int end) {
        String[] lines = new String(raw, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        List<String[]> headers = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.add(new String[] {lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim()});
        }
        return new Response(status, headers, new byte[0]);
    }

    private static byte[] dechunk(byte[] in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InputStream s = new java.io.ByteArrayInputStream(in);
        while (true) {
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = s.read()) != '\n') {
                if (c < 0) {
                    throw new IOException("truncated chunked body");
                }
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            int size = Integer.parseInt(line.toString().split(";")[0].trim(), 16);
            if (size == 0) {
                return out.toByteArray();
            }
            out.write(s.readNBytes(size));
            s.read();
            s.read();
        }
    }

    public static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= data.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
