package io.keyhole;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.keyhole.media.MediaSettings;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Configuration text (init-params, {@code .properties}, valve attributes, {@code keyhole serve}):
 * any keys and values build a configuration or are refused with an
 * {@link IllegalArgumentException} whose message names what is wrong; no other exception escapes.
 * Values that read a file or the environment ({@code file:}, {@code env:}, also as an item of a
 * list) are left out: they are the operator's to choose, not a parser's input.
 */
class ConfigFuzzTest {

    private static final String[] KEYS = KeyholeConfig.Builder.KEYS.toArray(new String[0]);
    private static final String[] MEDIA_KEYS = MediaSettings.Builder.KEYS.toArray(new String[0]);

    @DictionaryEntries({"yes", "no", "100m", "5s", "250ms", "allow:deny:deny:deny", "json", "sql", "tcp", "http", "unix", "mysql://u@h/db", "x-accel-redirect", "/media/", "https://a.example", "9g", "8"})
    @FuzzTest
    void keyholeConfig(FuzzedDataProvider data) {
        Map<String, String> properties = properties(data, KEYS);
        properties.putIfAbsent("fs-root", "/srv/keyhole-fuzz/tree");
        try {
            assertNotNull(KeyholeConfig.fromProperties(properties));
        } catch (IllegalArgumentException refused) {
            assertTrue(refused.getMessage() != null && !refused.getMessage().isBlank());
        }
    }

    @DictionaryEntries({"https://media.example.org/media/", "https://app.example.org", "/media/", "0123456789abcdef0123456789abcdef", "k1:", "120s"})
    @FuzzTest
    void mediaSettings(FuzzedDataProvider data) {
        Map<String, String> properties = properties(data, MEDIA_KEYS);
        try {
            assertNotNull(MediaSettings.fromProperties(properties));
        } catch (IllegalArgumentException refused) {
            assertTrue(refused.getMessage() != null && !refused.getMessage().isBlank());
        }
    }

    private static Map<String, String> properties(FuzzedDataProvider data, String[] keys) {
        Map<String, String> properties = new LinkedHashMap<>();
        for (int i = data.consumeInt(0, 10); i > 0; i--) {
            String key = data.consumeInt(0, 15) == 0 ? data.consumeString(20) : data.pickValue(keys);
            String value = data.consumeString(120);
            // anywhere, not only at the start: list values (django-secret-key-fallbacks) read each item
            if (value.contains("file:") || value.contains("env:")) {
                continue;
            }
            properties.put(key, value);
        }
        return properties;
    }
}
