package io.keyhole.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;

/**
 * Media paths from URLs ({@link MediaPath#fromUrl}) and from containers ({@link MediaPath#fromDecoded}):
 * a path that is accepted stays below the media root, holds no dot segment, control character or
 * backslash, and has exactly one encoded form: {@code fromUrl(p.urlPath())} is {@code p}, and
 * only plain ASCII ever decodes.
 */
class MediaPathFuzzTest {

    private static final Path ROOT = Path.of("/srv/keyhole-fuzz/media");

    @DictionaryEntries({"%2F", "%2E", "%2e%2e", "..", "/", "%C3%A9", "%E4%B8%AD", "%00", "\\"})
    @FuzzTest
    void fromUrl(FuzzedDataProvider data) {
        String encoded = data.consumeRemainingAsString();
        MediaPath path = MediaPath.fromUrl(encoded);
        if (path == null) {
            return;
        }
        assertTrue(encoded.chars().allMatch(c -> c > 0x20 && c < 0x7f), "only visible ASCII is a URL path: " + encoded);
        accepted(path);
        assertEquals(path, MediaPath.fromUrl(path.urlPath()));
    }

    @DictionaryEntries({"..", "/", ".", "\\", "\u202e"})
    @FuzzTest
    void fromDecoded(FuzzedDataProvider data) {
        String decoded = data.consumeRemainingAsString();
        MediaPath path = MediaPath.fromDecoded(decoded);
        assertEquals(MediaPath.isValid(decoded), path != null);
        if (path == null) {
            return;
        }
        assertEquals(decoded, path.value());
        accepted(path);
        String url = path.urlPath();
        assertTrue(url.chars().allMatch(c -> c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || "-._~/%".indexOf(c) >= 0), "needs no further encoding anywhere in a URL: " + url);
        assertEquals(path, MediaPath.fromUrl(url), "a path decodes from the URL it encodes to");
    }

    private static void accepted(MediaPath path) {
        String value = path.value();
        assertTrue(MediaPath.isValid(value));
        assertFalse(value.startsWith("/"));
        assertTrue(value.chars().noneMatch(c -> c < 0x20 || c == 0x7f || c == '\\'), "no control or backslash");
        for (String segment : value.split("/", -1)) {
            assertFalse(segment.isEmpty() || segment.startsWith("."), "segment " + segment);
        }
        Path file = ROOT.resolve(value);
        assertEquals(file, file.normalize(), "nothing to normalise");
        assertTrue(file.startsWith(ROOT) && !file.equals(ROOT), "a parsed path stays inside the media root");
        assertNotNull(path.fileName());
        assertNull(MediaPath.fromUrl("/" + path.urlPath()), "never absolute");
    }
}
