package io.keyhole.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.testing.RawHttp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Splits a multipart/byteranges body into its parts' data, checking each part's headers. */
final class MultipartReader {

    private MultipartReader() {
    }

    static List<byte[]> parts(byte[] body, String boundary, String contentType, long complete) {
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        List<byte[]> parts = new ArrayList<>();
        int at = RawHttp.indexOf(body, delimiter);
        assertTrue(at >= 0, "no delimiter");
        while (true) {
            int afterDelimiter = at + delimiter.length;
            if (body[afterDelimiter] == '-' && body[afterDelimiter + 1] == '-') {
                return parts;
            }
            byte[] rest = Arrays.copyOfRange(body, afterDelimiter + 2, body.length);
            int headEnd = RawHttp.indexOf(rest, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            String head = new String(rest, 0, headEnd, StandardCharsets.ISO_8859_1);
            assertTrue(head.contains("Content-Type: " + contentType), head);
            String range = head.substring(head.indexOf("Content-Range: bytes ") + "Content-Range: bytes ".length())
                    .split("\r\n")[0];
            String[] span = range.split("[-/]");
            long first = Long.parseLong(span[0]);
            long last = Long.parseLong(span[1]);
            assertEquals(complete, Long.parseLong(span[2]));
            int dataStart = headEnd + 4;
            parts.add(Arrays.copyOfRange(rest, dataStart, dataStart + (int) (last - first + 1)));
            int next = RawHttp.indexOf(Arrays.copyOfRange(rest, dataStart, rest.length), delimiter);
            at = afterDelimiter + 2 + dataStart + next;
        }
    }
}
