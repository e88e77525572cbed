package io.keyhole.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@code Content-Disposition} both ways: what Keyhole writes for any file name is one plain ASCII
 * header that reads back with the same parser and names no directory; what clients send (part
 * headers, parsed by {@link HeaderParameters}) only ever fails with {@link MalformedFormException}.
 */
class ContentDispositionFuzzTest {

    @FuzzTest
    void write(FuzzedDataProvider data) throws MalformedFormException {
        boolean attachment = data.consumeBoolean();
        String filename = data.consumeBoolean() ? null : data.consumeRemainingAsString();
        String header = ContentDisposition.of(attachment, filename);

        assertTrue(header.chars().allMatch(c -> c >= 0x20 && c < 0x7f), "printable ASCII only: " + header);
        HeaderParameters read = HeaderParameters.parse(header, "Content-Disposition");
        assertEquals(attachment ? "attachment" : "inline", read.value());
        if (filename == null) {
            assertTrue(read.parameters().isEmpty());
            return;
        }
        Map<String, String> parameters = read.parameters();
        String fallback = parameters.get("filename");
        assertNotNull(fallback, header);
        assertFalse(fallback.isEmpty());
        assertTrue(fallback.chars().noneMatch(c -> c == '"' || c == '\\' || c == '/' || c == '%'), fallback);
        String extended = parameters.get("filename*");
        if (extended != null) {
            assertTrue(extended.startsWith("UTF-8''"), extended);
            String name = percentDecode(extended.substring("UTF-8''".length()));
            assertTrue(name.codePoints().noneMatch(c -> c < 0x20 || c >= 0x7f && c <= 0x9f || c == '/' || c == '\\'
                    || c >= 0x202a && c <= 0x202e || c >= 0x2066 && c <= 0x2069 || c == 0x200e || c == 0x200f
                    || c == 0x061c), "no control, separator or bidi override in the saved name");
            assertEquals(filename.strip().codePointCount(0, filename.strip().length()),
                    name.codePointCount(0, name.length()), "one character per character of the name");
        }
    }

    @DictionaryEntries({"form-data", "; name=\"", "; filename=\"", "filename*=", "UTF-8''", "\\\"", "\\\\", "\"", "="})
    @FuzzTest
    void read(FuzzedDataProvider data) {
        String header = data.consumeRemainingAsString();
        try {
            HeaderParameters parsed = HeaderParameters.parse(header, "Content-Disposition");
            assertEquals(parsed.value(), parsed.value().strip());
            parsed.parameters().keySet().forEach(name -> assertFalse(name.isEmpty()));
        } catch (MalformedFormException malformed) {
            assertNotNull(malformed.getMessage());
        }
    }

    private static String percentDecode(String text) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%') {
                bytes.write(Integer.parseInt(text.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
