package io.keyhole;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.authorizer.AuthMatrix;
import io.keyhole.tree.FileIds;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The keys of uploads and deletes over HTTP: defaults, sizes, and every bad value named. */
class UploadConfigTest {

    @TempDir
    Path dir;

    private Map<String, String> writable(String... more) {
        Map<String, String> p = new HashMap<>();
        p.put("fs-root", dir.toString());
        p.put("unix-socket", dir.resolve("auth.sock").toString());
        p.put("jwt-key", "0123456789abcdef0123456789abcdef");
        p.put("jwt-field", "uid");
        p.put("read-only", "no");
        for (int i = 0; i < more.length; i += 2) {
            p.put(more[i], more[i + 1]);
        }
        return p;
    }

    @Test
    void readOnlyByDefault() {
        Map<String, String> p = writable();
        p.remove("read-only");
        Uploads u = KeyholeConfig.fromProperties(p).uploads();
        assertTrue(u.readOnly());
        assertEquals(100L << 20, u.maxSize());
        assertEquals(AuthMatrix.parse("allow:allow:deny:deny"), u.uploadMatrix());
        assertEquals(AuthMatrix.parse("allow:deny:deny:deny"), u.deleteMatrix());
        assertEquals(FileIds.defaultInstance(), u.instance());
    }

    @Test
    void writableBuildsAStoreOnTheTree() {
        KeyholeConfig c = KeyholeConfig.fromProperties(writable("fs-depth", "2", "upload-max-size", "512k",
                "instance-id", "web-1", "matrix-delete", "allow:allow:deny:deny"));
        Uploads u = c.uploads();
        assertFalse(u.readOnly());
        assertEquals(2, c.tree().depth());
        assertEquals(512 * 1024, u.maxSize());
        assertEquals("web-1", u.instance());
        assertEquals(AuthMatrix.parse("allow:allow:deny:deny"), u.deleteMatrix());
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({"1, 1", "1000, 1000", "512k, 524288", "512K, 524288", "100m, 104857600", "2g, 2147483648",
            "' 8m ', 8388608", "8589934591g, 9223372035781033984"})
    void sizes(String text, long bytes) {
        assertEquals(bytes, Uploads.parseSize("upload-max-size", text));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "upload-max-size | 0 | upload-max-size must be at least 1 byte",
            "upload-max-size | 10mb | upload-max-size must be a size in bytes, optionally with k, m or g",
            "upload-max-size | -1 | upload-max-size must be a size in bytes",
            "upload-max-size | 1.5m | upload-max-size must be a size in bytes",
            "upload-max-size | 8589934592g | upload-max-size is too large",
            "upload-max-size | 99999999999999999999 | upload-max-size must be a size in bytes",
            "read-only | maybe | read-only must be yes or no",
            "matrix-upload | allow:deny | matrix-upload: an authorisation matrix has four",
            "matrix-delete | allow:deny:deny:sometimes | matrix-delete: matrix cell 4 must be allow or deny",
            "instance-id | 'a\u0001b' | instance-id must be at most 255 characters without control characters",
            "sql-insert-query | INSERT INTO cdn VALUES (:nope) | sql-insert-query has an unknown placeholder :nope"})
    void badValuesNameTheKey(String key, String value, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KeyholeConfig.fromProperties(writable(key, value)));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void uploadSettingsWhileReadOnlyAreRefused() {
        Map<String, String> p = writable("upload-max-size", "1m", "instance-id", "web-1");
        p.put("read-only", "yes");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeyholeConfig.fromProperties(p));
        assertEquals("[instance-id, upload-max-size] only matter for uploads and deletes over HTTP; set read-only=no"
                + " to accept them, or drop them", e.getMessage());
    }

    @Test
    void uploadsThatCouldNeverBeAllowedAreRefusedAtStart() {
        Map<String, String> p = writable();
        p.remove("jwt-key");
        p.remove("jwt-field");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeyholeConfig.fromProperties(p));
        assertTrue(e.getMessage().startsWith("read-only=no, but no upload could ever be allowed"), e.getMessage());
        assertTrue(e.getMessage().contains("matrix-upload allow:allow:deny:deny"), e.getMessage());

        p.put("matrix-upload", "allow:allow:allow:deny");
        assertTrue(!KeyholeConfig.fromProperties(p).uploads().readOnly());
    }

    @Test
    void eachSettingOnce() {
        KeyholeConfig.Builder b = KeyholeConfig.builder().readOnly(false);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.readOnly(true));
        assertEquals("'read-only' was already set", e.getMessage());
        b.uploadMaxSize(10);
        assertThrows(IllegalStateException.class, () -> b.uploadMaxSize(11));
        assertThrows(IllegalArgumentException.class, () -> KeyholeConfig.builder().uploadMaxSize(0));
        assertThrows(IllegalArgumentException.class, () -> KeyholeConfig.builder().instanceId(" "));
    }

    @Test
    void theNewKeysAreKnown() {
        for (String key : new String[] {"read-only", "upload-max-size", "matrix-upload", "matrix-delete", "instance-id",
                "sql-insert-query", "sql-delete-query"}) {
            assertTrue(KeyholeConfig.Builder.KEYS.contains(key), key);
        }
    }
}
