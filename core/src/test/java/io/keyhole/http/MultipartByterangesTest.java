package io.keyhole.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class MultipartByterangesTest {

    private static final byte[] SAMPLE = sample(1000);

    @Test
    void framesPartsLikeTheRfcExample() {
        // §14.6: the example body, two parts of a 1741-byte document
        MultipartByteranges body = new MultipartByteranges("THIS_STRING_SEPARATES", "application/pdf",
                List.of(new ByteRange(500, 999), new ByteRange(7000, 7999)), 8000);
        assertEquals("multipart/byteranges; boundary=THIS_STRING_SEPARATES", body.contentType());
        assertEquals("--THIS_STRING_SEPARATES\r\n"
                        + "Content-Type: application/pdf\r\n"
                        + "Content-Range: bytes 500-999/8000\r\n"
                        + "\r\n",
                new String(body.partHeader(0), ISO_8859_1));
        // RFC 2046 §5.1.1: the CRLF before a delimiter is part of it
        assertEquals("\r\n--THIS_STRING_SEPARATES\r\n"
                        + "Content-Type: application/pdf\r\n"
                        + "Content-Range: bytes 7000-7999/8000\r\n"
                        + "\r\n",
                new String(body.partHeader(1), ISO_8859_1));
        assertEquals("\r\n--THIS_STRING_SEPARATES--\r\n", new String(body.closing(), ISO_8859_1));
        long framing = body.partHeader(0).length + body.partHeader(1).length + body.closing().length;
        assertEquals(framing + 500 + 1000, body.contentLength());
    }

    static Stream<Arguments> rangeSets() {
        return Stream.of(
                Arguments.of(List.of(new ByteRange(0, 0), new ByteRange(999, 999))),
                Arguments.of(List.of(new ByteRange(500, 599), new ByteRange(0, 99))),
                Arguments.of(List.of(new ByteRange(0, 9), new ByteRange(50, 59), new ByteRange(90, 999))),
                // a part whose bytes contain CR LF and dashes, as binary files do
                Arguments.of(List.of(new ByteRange(10, 13), new ByteRange(13, 500), new ByteRange(0, 999))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rangeSets")
    void aBodyBuiltFromTheFramingHasTheAnnouncedLengthAndParsesBack(List<ByteRange> ranges) {
        String boundary = MultipartByteranges.newBoundary();
        MultipartByteranges multipart = new MultipartByteranges(boundary, "text/plain; charset=utf-8", ranges,
                SAMPLE.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < ranges.size(); i++) {
            out.writeBytes(multipart.partHeader(i));
            ByteRange range = ranges.get(i);
            out.write(SAMPLE, (int) range.first(), (int) range.length());
        }
        out.writeBytes(multipart.closing());
        byte[] body = out.toByteArray();

        assertEquals(multipart.contentLength(), body.length);
        List<Part> parts = parse(body, boundary);
        assertEquals(ranges.size(), parts.size());
        for (int i = 0; i < ranges.size(); i++) {
            ByteRange range = ranges.get(i);
            assertEquals("text/plain; charset=utf-8", parts.get(i).contentType);
            assertEquals(range.contentRange(SAMPLE.length), parts.get(i).contentRange);
            assertArrayEquals(Arrays.copyOfRange(SAMPLE, (int) range.first(), (int) range.last() + 1),
                    parts.get(i).data);
        }
    }

    @Test
    void quotesABoundaryThatIsNoToken() {
        // RFC 2046 §5.1.1 allows bchars such as space, ':' and '?' that a token may not hold
        MultipartByteranges body = new MultipartByteranges("a b:c?", "text/plain",
                List.of(new ByteRange(0, 0), new ByteRange(2, 2)), 3);
        assertEquals("multipart/byteranges; boundary=\"a b:c?\"", body.contentType());
    }

    @Test
    void acceptsEveryBcharAndSeventyOfThem() {
        String all = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'()+_,-./:=? Z";
        new MultipartByteranges(all.substring(all.length() - 70), "a/b",
                List.of(new ByteRange(0, 0), new ByteRange(1, 1)), 2);
        new MultipartByteranges("'()+_,-./:=? x", "a/b", List.of(new ByteRange(0, 0), new ByteRange(1, 1)), 2);
    }

    @Test
    void newBoundariesAreLongRandomAndUsable() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            String boundary = MultipartByteranges.newBoundary();
            assertTrue(boundary.matches("[0-9A-Za-z]{24,70}"), boundary);
            seen.add(boundary);
        }
        assertEquals(1_000, seen.size());
        assertNotEquals(MultipartByteranges.newBoundary(), MultipartByteranges.newBoundary());
    }

    static Stream<Arguments> misuse() {
        List<ByteRange> two = List.of(new ByteRange(0, 0), new ByteRange(2, 2));
        return Stream.of(
                Arguments.of("RFC 2046 §5.1.1: a boundary has at least one character", "", "a/b", two, 10L),
                Arguments.of("RFC 2046 §5.1.1: and at most 70", "x".repeat(71), "a/b", two, 10L),
                Arguments.of("RFC 2046 §5.1.1: CR is no bchar", "a\rb", "a/b", two, 10L),
                Arguments.of("RFC 2046 §5.1.1: a double quote is no bchar", "a\"b", "a/b", two, 10L),
                Arguments.of("RFC 2046 §5.1.1: the last character is not a space", "ab ", "a/b", two, 10L),
                Arguments.of("RFC 9110 §5.5: no CR LF in a header line", "b", "a/b\r\nX-Evil: 1", two, 10L),
                Arguments.of("RFC 9110 §5.5: no lone LF", "b", "a/b\nX-Evil: 1", two, 10L),
                Arguments.of("RFC 9110 §5.5: no NUL", "b", "a/b\u0000", two, 10L),
                Arguments.of("RFC 9110 §5.5: nothing beyond one octet", "b", "a/\u20ac", two, 10L),
                Arguments.of("RFC 9110 §8.3: a part needs its type", "b", " ", two, 10L),
                Arguments.of("RFC 9110 §14.6: multipart means two ranges or more", "b", "a/b",
                        List.of(new ByteRange(0, 0)), 10L),
                Arguments.of("RFC 9110 §14.6: none at all", "b", "a/b", List.of(), 10L),
                Arguments.of("RFC 9110 §14.4: a range ends inside the representation", "b", "a/b",
                        List.of(new ByteRange(0, 0), new ByteRange(5, 10)), 10L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("misuse")
    void rejectsMisuse(String rule, String boundary, String contentType, List<ByteRange> ranges, long complete) {
        assertThrows(IllegalArgumentException.class,
                () -> new MultipartByteranges(boundary, contentType, ranges, complete));
    }

    @ParameterizedTest(name = "index {0}")
    @ValueSource(ints = {-1, 2})
    void partHeadersExistOnlyForParts(int index) {
        MultipartByteranges body = new MultipartByteranges("b", "a/b",
                List.of(new ByteRange(0, 0), new ByteRange(2, 2)), 3);
        assertThrows(IndexOutOfBoundsException.class, () -> body.partHeader(index));
    }

    @Test
    void handsOutCopies() {
        MultipartByteranges body = new MultipartByteranges("b", "a/b",
                List.of(new ByteRange(0, 0), new ByteRange(2, 2)), 3);
        body.partHeader(0)[0] = 'X';
        body.closing()[2] = 'X';
        assertEquals('-', body.partHeader(0)[0]);
        assertEquals('-', body.closing()[2]);
        assertThrows(UnsupportedOperationException.class, () -> body.ranges().clear());
    }

    private record Part(String contentType, String contentRange, byte[] data) {
    }

    /**
     * A strict reader of RFC 2046 §5.1.1 framing: delimiter lines, header lines up to an empty
     * line, then data up to the next CRLF-delimiter. It searches for delimiters rather than
     * trusting Content-Range, as a client would.
     */
    private static List<Part> parse(byte[] body, String boundary) {
        byte[] first = ("--" + boundary + "\r\n").getBytes(ISO_8859_1);
        byte[] delimiter = ("\r\n--" + boundary).getBytes(ISO_8859_1);
        assertArrayEquals(first, Arrays.copyOf(body, first.length), "the body opens with the first delimiter");
        List<Part> parts = new ArrayList<>();
        int pos = first.length;
        while (true) {
            String contentType = null;
            String contentRange = null;
            while (true) {
                int end = indexOf(body, "\r\n".getBytes(ISO_8859_1), pos);
                String line = new String(body, pos, end - pos, ISO_8859_1);
                pos = end + 2;
                if (line.isEmpty()) {
                    break;
                }
                int colon = line.indexOf(": ");
                String name = line.substring(0, colon);
                if (name.equals("Content-Type")) {
                    contentType = line.substring(colon + 2);
                } else if (name.equals("Content-Range")) {
                    contentRange = line.substring(colon + 2);
                } else {
                    throw new AssertionError("unexpected part header " + line);
                }
            }
            int end = indexOf(body, delimiter, pos);
            parts.add(new Part(contentType, contentRange, Arrays.copyOfRange(body, pos, end)));
            pos = end + delimiter.length;
            if (body[pos] == '-' && body[pos + 1] == '-') {
                assertEquals(body.length, pos + 4, "the closing delimiter ends the body");
                assertEquals('\r', body[pos + 2]);
                assertEquals('\n', body[pos + 3]);
                return parts;
            }
            assertEquals('\r', body[pos]);
            assertEquals('\n', body[pos + 1]);
            pos += 2;
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("no " + new String(needle, ISO_8859_1).replace("\r\n", "CRLF") + " after " + from);
    }

    /** Bytes that look like framing: CR, LF and dashes among the rest. */
    private static byte[] sample(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 7 + 3);
        }
        byte[] tricky = "\r\n--\r\n".getBytes(ISO_8859_1);
        System.arraycopy(tricky, 0, bytes, 10, tricky.length);
        return bytes;
    }
}
