package io.keyhole.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The streaming {@code application/x-www-form-urlencoded} reader: any body either reads or fails
 * with {@link MalformedFormException}, names stay within their limit, and what
 * {@link URLEncoder} writes reads back exactly, however the body is cut into reads.
 */
class UrlEncodedFormFuzzTest {

    @DictionaryEntries({"%", "%2", "=", "&", "+", "%C3%A9", "%FF"})
    @FuzzTest
    void anyBody(FuzzedDataProvider data) throws IOException {
        int[] chunks = data.consumeInts(8);
        boolean readValues = data.consumeBoolean();
        byte[] body = data.consumeRemainingAsBytes();
        FormReader form = new UrlEncodedForm(new Chunks(body, chunks));
        try {
            int fields = 0;
            for (FormField field; (field = form.next()) != null; ) {
                assertTrue(++fields <= body.length, "no field without a byte of its own");
                assertTrue(field.name().getBytes(StandardCharsets.UTF_8).length <= 3 * UrlEncodedForm.MAX_NAME_BYTES);
                if (readValues) {
                    assertTrue(field.content().readAllBytes().length <= body.length);
                }
            }
        } catch (MalformedFormException malformed) {
            assertTrue(malformed.getMessage() != null);
        }
    }

    @FuzzTest
    void roundTrip(FuzzedDataProvider data) throws IOException {
        int count = data.consumeInt(0, 8);
        List<String> names = new ArrayList<>();
        List<String> values = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < count; i++) {
            String name = wellFormed(data.consumeString(40));
            String value = wellFormed(data.consumeString(300));
            if (name.isEmpty()) {
                continue;
            }
            names.add(name);
            values.add(value);
            body.append(body.length() == 0 ? "" : "&").append(URLEncoder.encode(name, StandardCharsets.UTF_8))
                    .append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
        int[] chunks = data.consumeInts(8);
        FormReader form = new UrlEncodedForm(new Chunks(body.toString().getBytes(StandardCharsets.US_ASCII), chunks));
        for (int i = 0; i < names.size(); i++) {
            FormField field = form.next();
            assertEquals(names.get(i), field.name());
            assertEquals(values.get(i), field.text(100_000));
        }
        assertNull(form.next());
    }

    /** The text without unpaired surrogates, which UTF-8 cannot carry. */
    private static String wellFormed(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).replace("\uFFFD", "");
    }
}
