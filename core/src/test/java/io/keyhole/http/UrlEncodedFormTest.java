package io.keyhole.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** application/x-www-form-urlencoded (WHATWG URL, "application/x-www-form-urlencoded parsing"), streamed. */
class UrlEncodedFormTest {

    static List<String> readAll(String body, int chunk) throws IOException {
        UrlEncodedForm form = new UrlEncodedForm(new MultipartFormTest.Chunked(body.getBytes(StandardCharsets.ISO_8859_1), chunk));
        List<String> out = new ArrayList<>();
        for (FormField f; (f = form.next()) != null; ) {
            assertNull(f.filename());
            assertNull(f.contentType());
            out.add(f.name() + "=" + new String(f.content().readAllBytes(), StandardCharsets.UTF_8));
        }
        assertNull(form.next());
        return out;
    }

    static Stream<Arguments> bodies() {
        return Stream.of(
                Arguments.of("d=hello&n=a.txt", List.of("d=hello", "n=a.txt")),
                Arguments.of("d=a+b%20c", List.of("d=a b c")),
                Arguments.of("d=%26%3D%25%2B", List.of("d=&=%+")),
                Arguments.of("d=x%C3%A9y", List.of("d=xéy")),
                Arguments.of("n%3D1=v", List.of("n=1=v")),
                Arguments.of("d=a=b", List.of("d=a=b")),
                Arguments.of("d", List.of("d=")),
                Arguments.of("d=", List.of("d=")),
                Arguments.of("&&d=1&&", List.of("d=1")),
                Arguments.of("", List.of()));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @MethodSource("bodies")
    void fields(String body, List<String> expected) throws IOException {
        for (int chunk : new int[] {1, 2, 3, 1000}) {
            assertEquals(expected, readAll(body, chunk), "reads of " + chunk);
        }
    }

    @Test
    void binaryContentRoundTrips() throws IOException {
        byte[] content = new byte[50_000];
        new Random(3).nextBytes(content);
        String body = "n=x.bin&d=" + URLEncoder.encode(new String(content, StandardCharsets.ISO_8859_1), StandardCharsets.ISO_8859_1);
        UrlEncodedForm form = new UrlEncodedForm(new MultipartFormTest.Chunked(body.getBytes(StandardCharsets.ISO_8859_1), 777));
        assertEquals("x.bin", form.next().text(100));
        FormField d = form.next();
        assertEquals("d", d.name());
        assertArrayEquals(content, d.content().readAllBytes());
        assertNull(form.next());
    }

    @Test
    void anUnreadValueIsSkipped() throws IOException {
        UrlEncodedForm form = new UrlEncodedForm(new ByteArrayInputStream("d=xxxxxxxx&n=b".getBytes(StandardCharsets.US_ASCII)));
        FormField d = form.next();
        assertEquals('x', d.content().read());
        FormField n = form.next();
        assertEquals(-1, d.content().read());
        assertEquals("b", n.text(10));
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("d=%zz", "field 1 holds a '%' that is not followed by two hex digits"),
                Arguments.of("n=1&d=%4", "field 2 holds a '%'"),
                Arguments.of("x".repeat(UrlEncodedForm.MAX_NAME_BYTES + 1) + "=1", "longer than 256 bytes"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedBodiesAreRefused(String body, String message) {
        MalformedFormException e = assertThrows(MalformedFormException.class, () -> readAll(body, 2));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
