package io.keyhole.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** multipart/form-data as RFC 7578 and RFC 2046 §5.1 frame it, read from bodies cut in every possible way. */
class MultipartFormTest {

    static final String B = "XyZ'()+_,-./:=?";

    /** One read field: name, file name, content type, content. */
    record Field(String name, String filename, String contentType, byte[] content) {
        String text() {
            return new String(content, StandardCharsets.UTF_8);
        }
    }

    static List<Field> readAll(byte[] body, String boundary, int chunk) throws IOException {
        MultipartForm form = new MultipartForm(new Chunked(body, chunk), boundary);
        List<Field> out = new ArrayList<>();
        for (FormField f; (f = form.next()) != null; ) {
            out.add(new Field(f.name(), f.filename(), f.contentType(), f.content().readAllBytes()));
        }
        assertNull(form.next(), "a finished form stays finished");
        return out;
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A body in the form a browser sends: one text field, one file with CRLFs and near-delimiters in it. */
    static final String FILE_CONTENT = "line one\r\nline two\r\n--XyZ not quite\r\n-" + "\r\r\n\r\n--";
    static final String BROWSER_BODY = "--" + B + "\r\n"
            + "Content-Disposition: form-data; name=\"n\"\r\n"
            + "\r\n"
            + "Quarterly report.pdf\r\n"
            + "--" + B + "\r\n"
            + "Content-Disposition: form-data; name=\"d\"; filename=\"report.pdf\"\r\n"
            + "Content-Type: application/pdf\r\n"
            + "\r\n"
            + FILE_CONTENT + "\r\n"
            + "--" + B + "--\r\n";

    // ---- framing, whatever the reads look like ------------------------------------------------

    @ParameterizedTest(name = "reads of {0} bytes")
    @ValueSource(ints = {1, 2, 3, 7, 16, 17, 64, 1 << 20})
    void boundariesSplitAcrossReadsChangeNothing(int chunk) throws IOException {
        List<Field> fields = readAll(bytes(BROWSER_BODY), B, chunk);
        assertEquals(2, fields.size());
        assertEquals("n", fields.get(0).name());
        assertNull(fields.get(0).filename());
        assertNull(fields.get(0).contentType());
        assertEquals("Quarterly report.pdf", fields.get(0).text());
        assertEquals("d", fields.get(1).name());
        assertEquals("report.pdf", fields.get(1).filename());
        assertEquals("application/pdf", fields.get(1).contentType());
        // CRLF, lone CR and "--" + the boundary without its CRLF are all content (RFC 2046 §5.1.1)
        assertEquals(FILE_CONTENT, fields.get(1).text());
    }

    @Test
    void binaryContentOfEveryByteSurvivesEveryCut() throws IOException {
        byte[] content = new byte[100_000];
        new Random(7).nextBytes(content);
        for (int i = 0; i < 256; i++) {
            content[i] = (byte) i;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(bytes("--" + B + "\r\nContent-Disposition: form-data; name=\"d\"; filename=\"x.bin\"\r\n\r\n"));
        body.writeBytes(content);
        body.writeBytes(bytes("\r\n--" + B + "--"));
        for (int chunk : new int[] {1, 5, 4093, 65_536}) {
            List<Field> fields = readAll(body.toByteArray(), B, chunk);
            assertArrayEquals(content, fields.get(0).content(), "chunk " + chunk);
        }
    }

    static Stream<Arguments> framings() {
        return Stream.of(
                // RFC 2046 §5.1.1: a preamble before the first delimiter is ignored
                Arguments.of("preamble", "This is a preamble.\r\n--b\r\nContent-Disposition: form-data; name=a\r\n\r\nA\r\n--b--",
                        List.of("a=A")),
                // ... and an epilogue after the closing one
                Arguments.of("epilogue", "--b\r\nContent-Disposition: form-data; name=a\r\n\r\nA\r\n--b--\r\nepilogue\r\n--b\r\n",
                        List.of("a=A")),
                // transport padding: blanks between the boundary and its CRLF
                Arguments.of("padding", "--b \t \r\nContent-Disposition: form-data; name=a\r\n\r\nA\r\n--b--", List.of("a=A")),
                // an empty part content
                Arguments.of("empty content", "--b\r\nContent-Disposition: form-data; name=a\r\n\r\n\r\n--b--", List.of("a=")),
                // a content that is only a CRLF
                Arguments.of("CRLF content", "--b\r\nContent-Disposition: form-data; name=a\r\n\r\n\r\n\r\n--b--",
                        List.of("a=\r\n")),
                // no parts at all
                Arguments.of("no parts", "--b--", List.of()),
                // header names in any case, folded header lines (RFC 9112 §5.2 obs-fold)
                Arguments.of("header case and folding", "--b\r\ncontent-DISPOSITION: form-data;\r\n name=a\r\n\r\nA\r\n--b--",
                        List.of("a=A")),
                // several parts with the same name are handed out one by one
                Arguments.of("repeated name", "--b\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--b\r\n"
                        + "Content-Disposition: form-data; name=a\r\n\r\n2\r\n--b--", List.of("a=1", "a=2")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("framings")
    void framing(String rule, String body, List<String> expected) throws IOException {
        for (int chunk : new int[] {1, 3, 1000}) {
            List<String> got = readAll(bytes(body), "b", chunk).stream().map(f -> f.name() + "=" + f.text()).toList();
            assertEquals(expected, got, rule + ", reads of " + chunk);
        }
    }

    // ---- parameters and file names ------------------------------------------------------------

    static Stream<Arguments> dispositions() {
        return Stream.of(
                Arguments.of("form-data; name=\"d\"; filename=\"a.txt\"", "d", "a.txt"),
                Arguments.of("form-data; name=d; filename=a.txt", "d", "a.txt"),
                Arguments.of("FORM-DATA ; NAME = \"d\" ; FILENAME = \"a b;c.txt\"", "d", "a b;c.txt"),
                // curl escapes quotes and backslashes (RFC 9110 quoted-pair)
                Arguments.of("form-data; name=\"d\"; filename=\"say \\\"hi\\\".txt\"", "d", "say \"hi\".txt"),
                // browsers escape " CR LF as %22 %0D %0A (WHATWG HTML, multipart/form-data encoding)
                Arguments.of("form-data; name=\"d\"; filename=\"say %22hi%22.txt\"", "d", "say \"hi\".txt"),
                // raw UTF-8, as browsers send it (RFC 7578 §4.2, §5.1)
                Arguments.of("form-data; name=\"d\"; filename=\"Zpráva č. 1.pdf\"", "d", "Zpráva č. 1.pdf"),
                // directory parts are dropped (RFC 7578 §4.2), whichever separator
                Arguments.of("form-data; name=\"d\"; filename=\"C:\\Users\\me\\report.pdf\"", "d", "report.pdf"),
                Arguments.of("form-data; name=\"d\"; filename=\"../../etc/passwd\"", "d", "passwd"),
                // an empty file name is no file name
                Arguments.of("form-data; name=\"d\"; filename=\"\"", "d", null),
                // filename* must not be used in form-data (RFC 7578 §4.2), so it is not read
                Arguments.of("form-data; name=\"d\"; filename*=UTF-8''x.txt", "d", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dispositions")
    void contentDispositionParameters(String disposition, String name, String filename) throws IOException {
        String body = "--b\r\nContent-Disposition: " + disposition + "\r\n\r\nx\r\n--b--";
        Field f = readAll(bytes(body), "b", 5).get(0);
        assertEquals(name, f.name());
        assertEquals(filename, f.filename());
    }

    @Test
    void headersThatAreNotUtf8AreReadAsLatin1() throws IOException {
        byte[] head = bytes("--b\r\nContent-Disposition: form-data; name=\"d\"; filename=\"caf\u0000.txt\"\r\n\r\nx\r\n--b--");
        int at = new String(head, StandardCharsets.ISO_8859_1).indexOf('\u0000');
        head[at] = (byte) 0xe9; // é in ISO-8859-1, a broken sequence in UTF-8
        assertEquals("café.txt", readAll(head, "b", 4).get(0).filename());
    }

    static Stream<Arguments> contentTypes() {
        return Stream.of(
                Arguments.of("multipart/form-data; boundary=abc", "abc"),
                Arguments.of("Multipart/Form-Data; Boundary=\"a b:c\"", "a b:c"),
                Arguments.of("multipart/form-data; charset=utf-8; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW",
                        "----WebKitFormBoundary7MA4YWxkTrZu0gW"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("contentTypes")
    void boundaryFromTheContentType(String contentType, String boundary) throws IOException {
        assertEquals(boundary, MultipartForm.boundary(contentType));
    }

    static Stream<Arguments> badContentTypes() {
        return Stream.of(
                Arguments.of(null, "Content-Type is missing"),
                Arguments.of("multipart/mixed; boundary=abc", "not multipart/form-data"),
                Arguments.of("multipart/form-data", "no boundary parameter"),
                Arguments.of("multipart/form-data; boundary=\"\"", "1 to 70 characters"),
                Arguments.of("multipart/form-data; boundary=" + "x".repeat(71), "1 to 70 characters"),
                Arguments.of("multipart/form-data; boundary=\"abc \"", "must not end with a space"),
                Arguments.of("multipart/form-data; boundary=a\u00e9", "does not allow, at index 1"),
                Arguments.of("multipart/form-data; boundary=\"abc", "never closed"),
                Arguments.of("multipart/form-data; boundary=a; boundary=b", "twice"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badContentTypes")
    void badContentTypesAreRefused(String contentType, String message) {
        MalformedFormException e = assertThrows(MalformedFormException.class, () -> MultipartForm.boundary(contentType));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    // ---- malformed bodies ---------------------------------------------------------------------

    static Stream<Arguments> malformed() {
        String part = "--b\r\nContent-Disposition: form-data; name=\"d\"\r\n\r\n";
        return Stream.of(
                Arguments.of("missing closing delimiter", part + "content", "closing delimiter --b-- is missing"),
                Arguments.of("only an inner delimiter", part + "content\r\n--b", "ends right after a delimiter"),
                Arguments.of("inner delimiter then the end", part + "content\r\n--b\r\n", "ends inside the headers"),
                Arguments.of("no delimiter at all", "just some text", "holds no delimiter --b"),
                Arguments.of("empty body", "", "holds no delimiter --b"),
                Arguments.of("delimiter line with text after it", "--bc\r\n", "does not end with CRLF"),
                Arguments.of("bare LF after the delimiter", "--b\nContent-Disposition: form-data; name=a\n\nA\n--b--",
                        "does not end with CRLF"),
                Arguments.of("no Content-Disposition", "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--",
                        "no Content-Disposition: form-data with a name"),
                Arguments.of("no headers", "--b\r\n\r\nx\r\n--b--", "no Content-Disposition"),
                Arguments.of("no name", "--b\r\nContent-Disposition: form-data; filename=x\r\n\r\nx\r\n--b--",
                        "no Content-Disposition: form-data with a name"),
                Arguments.of("not form-data", "--b\r\nContent-Disposition: attachment; name=d\r\n\r\nx\r\n--b--",
                        "not form-data"),
                Arguments.of("two dispositions", "--b\r\nContent-Disposition: form-data; name=a\r\n"
                        + "Content-Disposition: form-data; name=b\r\n\r\nx\r\n--b--", "two Content-Disposition"),
                Arguments.of("header without colon", "--b\r\nContent-Disposition form-data\r\n\r\nx\r\n--b--",
                        "without a name and ':'"),
                Arguments.of("bare LF in headers", "--b\r\nContent-Disposition: form-data; name=a\nX: y\r\n\r\nx\r\n--b--",
                        "CR or LF outside CRLF"),
                Arguments.of("oversized headers", "--b\r\nContent-Disposition: form-data; name=a\r\nX: "
                        + "y".repeat(MultipartForm.MAX_PART_HEADER_BYTES) + "\r\n\r\nx\r\n--b--", "longer than 8192 bytes"),
                Arguments.of("headers that never end", "--b\r\nContent-Disposition: form-data; name=a\r\nX: "
                        + "y".repeat(3 * MultipartForm.MAX_PART_HEADER_BYTES), "longer than 8192 bytes"),
                Arguments.of("too many parts", ("--b\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n")
                        .repeat(MultipartForm.MAX_PARTS + 1) + "--b--", "more than 128 parts"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedBodiesAreRefused(String rule, String body, String message) {
        for (int chunk : new int[] {1, 4, 100_000}) {
            MalformedFormException e = assertThrows(MalformedFormException.class, () -> readAll(bytes(body), "b", chunk),
                    rule);
            assertTrue(e.getMessage().contains(message), rule + ": " + e.getMessage());
        }
    }

    @Test
    void aBodyThatBreaksOffInsideTheFileIsMalformedOnTheFilesStream() throws IOException {
        MultipartForm form = new MultipartForm(new ByteArrayInputStream(
                bytes("--b\r\nContent-Disposition: form-data; name=\"d\"\r\n\r\n" + "x".repeat(100_000))), "b");
        FormField d = form.next();
        MalformedFormException e = assertThrows(MalformedFormException.class, () -> d.content().readAllBytes());
        assertTrue(e.getMessage().contains("ends inside part 1"), e.getMessage());
    }

    // ---- streaming ----------------------------------------------------------------------------

    /** The file part is handed out while the body is still arriving: at most a buffer ahead of the reader. */
    @Test
    void theFileIsNeverHeldInMemory() throws IOException {
        long size = 64L << 20;
        InputStream file = new InputStream() {
            long left = size;

            @Override
            public int read() {
                return left-- > 0 ? 'x' : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                Arrays.fill(b, off, off + n, (byte) 'x');
                left -= n;
                return n;
            }
        };
        Counting body = new Counting(new SequenceInputStream(Collections.enumeration(List.of(
                new ByteArrayInputStream(bytes("--b\r\nContent-Disposition: form-data; name=\"d\"\r\n\r\n")),
                file,
                new ByteArrayInputStream(bytes("\r\n--b--"))))));
        MultipartForm form = new MultipartForm(body, "b");
        InputStream content = form.next().content();
        byte[] buffer = new byte[8192];
        long read = 0;
        for (int n; (n = content.read(buffer)) != -1; ) {
            read += n;
            // what was taken from the body and not yet handed out fits in the form's own buffer
            assertTrue(body.count - read <= 64 * 1024, "ahead by " + (body.count - read) + " bytes");
        }
        assertEquals(size, read);
        assertNull(form.next());
    }

    @Test
    void skippingAFieldReadsPastItsContent() throws IOException {
        String body = "--b\r\nContent-Disposition: form-data; name=\"skip\"\r\n\r\n" + "s".repeat(100_000)
                + "\r\n--b\r\nContent-Disposition: form-data; name=\"keep\"\r\n\r\nkept\r\n--b--";
        MultipartForm form = new MultipartForm(new Chunked(bytes(body), 999), "b");
        FormField skipped = form.next();
        assertEquals('s', skipped.content().read());
        FormField kept = form.next();
        assertEquals(-1, skipped.content().read(), "a field's stream ends when the next field is read");
        assertEquals("kept", kept.text(100));
        assertNull(form.next());
    }

    @Test
    void smallFieldsAreBounded() throws IOException {
        String body = "--b\r\nContent-Disposition: form-data; name=\"n\"\r\n\r\n" + "n".repeat(5000) + "\r\n--b--";
        FormField n = new MultipartForm(new ByteArrayInputStream(bytes(body)), "b").next();
        MalformedFormException e = assertThrows(MalformedFormException.class, () -> n.text(4096));
        assertEquals("field 'n' is longer than 4096 bytes", e.getMessage());
    }

    /** Hands out a body a few bytes per read, as a slow network would. */
    static final class Chunked extends InputStream {
        private final byte[] data;
        private final int chunk;
        private int pos;

        Chunked(byte[] data, int chunk) {
            this.data = data;
            this.chunk = chunk;
        }

        @Override
        public int read() {
            return pos < data.length ? data[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= data.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, chunk), data.length - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    static final class Counting extends InputStream {
        private final InputStream in;
        long count;

        Counting(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            int c = in.read();
            count += c < 0 ? 0 : 1;
            return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            count += Math.max(n, 0);
            return n;
        }
    }
}
