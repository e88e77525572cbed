package io.keyhole.servlet;

import io.keyhole.testing.RawHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/** Upload requests on the wire: multipart bodies, sent with a Content-Length or chunked. */
final class UploadHttp {

    static final String BOUNDARY = "----KeyholeTestBoundary7MA4YWxkTrZu0gW";

    private UploadHttp() {
    }

    /** A multipart body: name/value pairs; a {@code byte[]} value becomes the file part {@code report.pdf}. */
    static byte[] form(Object... nameValues) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < nameValues.length; i += 2) {
            String name = (String) nameValues[i];
            Object value = nameValues[i + 1];
            out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + name + "\""
                    + (value instanceof byte[] ? "; filename=\"report.pdf\"\r\nContent-Type: application/pdf" : "")
                    + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.writeBytes(value instanceof byte[] b ? b : ((String) value).getBytes(StandardCharsets.UTF_8));
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** POSTs a multipart {@code body} to {@code target} with a Content-Length. */
    static RawHttp.Response post(int port, String target, byte[] body, String... headers) throws IOException {
        return send(port, "POST", target, "multipart/form-data; boundary=" + BOUNDARY, body, false, headers);
    }

    /**
     * Sends a request with a body, as a Content-Length body or in chunks of 8 KiB, the way curl
     * does for large bodies: with {@code Expect: 100-continue}, sending the body only after
     * {@code 100 Continue}. A server that answers at once (401, 413, 405) then never sees it,
     * and the client never writes into a connection the server is closing.
     */
    static RawHttp.Response send(int port, String method, String target, String contentType, byte[] body,
                                 boolean chunked, String... headers) throws IOException {
        StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (String h : headers) {
            head.append(h).append("\r\n");
        }
        if (contentType != null) {
            head.append("Content-Type: ").append(contentType).append("\r\n");
        }
        head.append(chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + body.length + "\r\n");
        head.append("Expect: 100-continue\r\nConnection: close\r\n\r\n");
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            byte[] first = readHead(in);
            if (!new String(first, StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 100 ")) {
                // answered without the body
                return RawHttp.parse(concat(first, in.readAllBytes()), false);
            }
            if (chunked) {
                for (int off = 0; off < body.length; off += 8192) {
                    int n = Math.min(8192, body.length - off);
                    out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body, off, n);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            } else {
                out.write(body);
            }
            out.flush();
            return RawHttp.parse(in.readAllBytes(), false);
        }
    }

    /** Reads up to and including the blank line that ends a response head. */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        while (matched < end.length) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("the server closed the connection after " + head.size() + " bytes of a response head");
            }
            head.write(c);
            matched = c == end[matched] ? matched + 1 : c == end[0] ? 1 : 0;
        }
        return head.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Every file and directory below {@code root}, to show that a failed upload left nothing. */
    static List<Path> snapshot(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            return all.sorted().toList();
        }
    }
}
