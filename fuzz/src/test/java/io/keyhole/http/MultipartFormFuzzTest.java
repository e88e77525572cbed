package io.keyhole.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The streaming {@code multipart/form-data} reader: any body, in pieces of any size, either reads
 * or fails with {@link MalformedFormException}; a well-formed form reads back field for field
 * and byte for byte, however the body is cut into reads.
 */
class MultipartFormFuzzTest {

    @DictionaryEntries({"multipart/form-data; boundary=", "\r\n", "--", "\r\n\r\n", "Content-Disposition: form-data; name=\"d\"", "; filename=\"a.txt\"", "Content-Type: text/html", "%22", "%0D%0A", "--b\r\n", "\r\n--b--\r\n"})
    @FuzzTest
    void anyBody(FuzzedDataProvider data) throws IOException {
        String contentType = data.consumeBoolean() ? "multipart/form-data; boundary=" + data.consumeString(80)
                : data.consumeString(200);
        int[] chunks = data.consumeInts(8);
        byte[] body = data.consumeRemainingAsBytes();
        try {
            FormReader form = MultipartForm.of(contentType, new Chunks(body, chunks));
            int parts = 0;
            for (FormField field; (field = form.next()) != null; ) {
                assertTrue(++parts <= MultipartForm.MAX_PARTS);
                String filename = field.filename();
                if (filename != null) {
                    assertFalse(filename.isEmpty());
                    assertTrue(filename.indexOf('/') < 0 && filename.indexOf('\\') < 0, "no directory in " + filename);
                }
                if (data.consumeBoolean()) {
                    long read = field.content().transferTo(OutputStreamSink.INSTANCE);
                    assertTrue(read <= body.length, "a part holds no more than the body");
                }
            }
        } catch (MalformedFormException malformed) {
            assertTrue(malformed.getMessage() != null);
        }
    }

    @FuzzTest
    void roundTrip(FuzzedDataProvider data) throws IOException {
        String boundary = "b" + data.consumeAsciiString(60).replaceAll("[^0-9A-Za-z'()+_,./:=?-]", "x");
        int count = data.consumeInt(0, 6);
        List<String> names = new ArrayList<>();
        List<byte[]> contents = new ArrayList<>();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(data.consumeAsciiString(20).replace("-", "").getBytes(StandardCharsets.ISO_8859_1)); // preamble
        for (int i = 0; i < count; i++) {
            String name = data.consumeAsciiString(20).replaceAll("[\"\\\\\\p{Cntrl}]", "");
            byte[] content = data.consumeBytes(data.consumeInt(0, 70_000));
            if (name.isEmpty() || contains(content, ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1))
                    || contains(content, ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1))) {
                continue;
            }
            names.add(name);
            contents.add(content);
            body.writeBytes(("\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name
                    + "\"\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            body.writeBytes(content);
        }
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.ISO_8859_1));
        int[] chunks = data.consumeInts(8);

        FormReader form = MultipartForm.of("multipart/form-data; boundary=\"" + boundary + "\"",
                new Chunks(body.toByteArray(), chunks));
        for (int i = 0; i < names.size(); i++) {
            FormField field = form.next();
            assertEquals(names.get(i), field.name());
            assertNull(field.filename());
            assertArrayEquals(contents.get(i), field.content().readAllBytes(), "content of part " + (i + 1));
        }
        assertNull(form.next(), "no part after the last");
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** Counts and drops what a part holds. */
    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }
}
