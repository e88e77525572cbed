package io.keyhole.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Requests over a real socket through the JDK's HTTP client, and the checks every container test
 * shares. For requests no client would send as written, {@link RawHttp}. For tests in every
 * module (core's test-jar).
 */
public final class Wire {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private Wire() {
    }

    public static HttpResponse<byte[]> send(String method, String url, String... headers) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    public static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    /** Checks a multipart/byteranges body part by part against {@code content} (RFC 9110 §14.6). */
    public static void assertParts(HttpResponse<byte[]> r, byte[] content, long[][] ranges) {
        String type = header(r, "Content-Type");
        assertTrue(type.startsWith("multipart/byteranges; boundary="), type);
        String boundary = type.substring(type.indexOf('=') + 1);
        assertEquals(Integer.toString(r.body().length), header(r, "Content-Length"));
        List<byte[]> expected = new ArrayList<>();
        StringBuilder framing = new StringBuilder();
        for (int i = 0; i < ranges.length; i++) {
            long first = ranges[i][0];
            long last = ranges[i][1];
            framing.setLength(0);
            framing.append(i == 0 ? "" : "\r\n").append("--").append(boundary).append("\r\n")
                    .append("Content-Type: application/octet-stream\r\n")
                    .append("Content-Range: bytes ").append(first).append('-').append(last).append('/')
                    .append(content.length).append("\r\n\r\n");
            expected.add(framing.toString().getBytes(StandardCharsets.ISO_8859_1));
            expected.add(Arrays.copyOfRange(content, (int) first, (int) last + 1));
        }
        expected.add(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.ISO_8859_1));
        int length = expected.stream().mapToInt(a -> a.length).sum();
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] piece : expected) {
            System.arraycopy(piece, 0, all, at, piece.length);
            at += piece.length;
        }
        assertArrayEquals(all, r.body());
    }
}
