package io.keyhole.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One persistent connection that sends requests exactly as written and reads each response by its
 * framing (Content-Length or chunked), so a race test can make thousands of requests without a
 * connection each, and still sees a body cut short as an error rather than as a short body.
 * Not thread-safe: one per client thread.
 */
public final class KeepAliveHttp implements AutoCloseable {

    private final int port;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    public KeepAliveHttp(int port) {
        this.port = port;
    }

    /** {@code method target} with extra header lines; reconnects when the server closed the connection. */
    public RawHttp.Response request(String method, String target, String... headers) throws IOException {
        if (socket == null) {
            socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(30_000);
            in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            out = socket.getOutputStream();
        }
        StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (String h : headers) {
            head.append(h).append("\r\n");
        }
        out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        try {
            return read(method.equals("HEAD"));
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private RawHttp.Response read(boolean head) throws IOException {
        List<String> headLines = new ArrayList<>();
        for (String line = line(); !line.isEmpty(); line = line()) {
            headLines.add(line);
        }
        String[] lines = headLines.toArray(String[]::new);
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        List<String[]> headers = new ArrayList<>();
        long length = -1;
        boolean chunked = false;
        boolean close = false;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            String name = lines[i].substring(0, colon).trim();
            String value = lines[i].substring(colon + 1).trim();
            headers.add(new String[] {name, value});
            if (name.equalsIgnoreCase("Content-Length")) {
                length = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                chunked = value.equalsIgnoreCase("chunked");
            } else if (name.equalsIgnoreCase("Connection")) {
                close = value.equalsIgnoreCase("close");
            }
        }
        byte[] body;
        if (head || status == 204 || status == 304) {
            body = new byte[0];
        } else if (chunked) {
            body = chunks();
        } else if (length >= 0) {
            body = in.readNBytes((int) length);
            if (body.length < length) {
                throw new IOException("the body ended after " + body.length + " of " + length + " bytes");
            }
        } else {
            body = in.readAllBytes();
            close = true;
        }
        if (close) {
            close();
        }
        return new RawHttp.Response(status, headers, body);
    }

    private byte[] chunks() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int size = Integer.parseInt(line().split(";")[0].trim(), 16); size > 0;
                size = Integer.parseInt(line().split(";")[0].trim(), 16)) {
            byte[] chunk = in.readNBytes(size);
            if (chunk.length < size) {
                throw new IOException("a chunk ended after " + chunk.length + " of " + size + " bytes");
            }
            body.writeBytes(chunk);
            line();
        }
        while (!line().isEmpty()) {
            // trailer fields
        }
        return body.toByteArray();
    }

    /** One line without its CRLF. */
    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("the connection closed mid-response, after \"" + line + "\"");
            }
            if (c != '\r') {
                line.write(c);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        if (socket != null) {
            Socket s = socket;
            socket = null;
            s.close();
        }
    }
}
