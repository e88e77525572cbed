package io.keyhole.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.AuthResponse;
import io.keyhole.Keyhole;
import io.keyhole.KeyholeConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Choosing the storage: the keys, what goes together, and the read hint a request gives. */
class StorageConfigTest {

    private static KeyholeConfig config(Map<String, String> keys) {
        return KeyholeConfig.builder().properties(keys).authorizer(q -> AuthResponse.ofStatus(200)).build();
    }

    private static Map<String, String> bucket(String... more) {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("storage", "s3");
        keys.put("s3-bucket", "files");
        keys.put("s3-secret-key", "env:PATH");
        for (int i = 0; i < more.length; i += 2) {
            keys.put(more[i], more[i + 1]);
        }
        return keys;
    }

    @Test
    void theLocalTreeIsTheDefault() {
        KeyholeConfig c = config(Map.of("fs-root", "/srv/files"));
        assertTrue(c.storage().local());
        assertEquals(StorageSettings.DEFAULT, c.storage());
    }

    @Test
    void aBucketTakesItsOptionsAndNoFsRoot() {
        KeyholeConfig c = config(bucket("storage-timeout", "750ms", "delivery", "redirect", "presign-ttl", "2m"));
        assertEquals("s3", c.storage().kind());
        assertEquals("files", c.storage().option("s3-bucket"));
        assertEquals(System.getenv("PATH"), c.storage().option("s3-secret-key"), "env: is read at start");
        assertEquals(750, c.storage().timeout().toMillis());
        assertEquals(120, c.storage().presignTtl().toSeconds());
        assertFalse(c.storage().toString().contains(System.getenv("PATH")), "secrets stay out of toString");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "s3-bucket=files                       | need a remote storage",
        "storage=s3,fs-root=/srv/files         | fs-root is for storage=local",
        "fs-root=/srv/files,delivery=redirect  | delivery=redirect sends clients to a presigned URL",
        "storage=s3,presign-ttl=30s            | presign-ttl only matters with delivery=redirect",
        "storage=s3,storage-timeout=0s         | storage-timeout must be a positive duration",
        "storage=s3,delivery=redirect,presign-ttl=200h | presign-ttl must be at most 7 days",
        "storage=s3,s3-claim=sometimes         | s3-claim",
    })
    void settingsThatDoNotGoTogetherAreRefusedByName(String pairs, String message) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String pair : pairs.split(",")) {
            String[] kv = pair.split("=", 2);
            keys.put(kv[0], kv[1]);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> config(keys));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void aStorageNotOnTheClassPathStopsTheStartNamingTheModule() {
        KeyholeConfig c = config(Map.of("storage", "nowhere"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Keyhole(c).close());
        assertTrue(e.getMessage().contains("storage=nowhere is not on the class path"), e.getMessage());
        assertTrue(e.getMessage().contains("io.keyhole:keyhole-nowhere"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "null", value = {
        // method | Range          | conditional | hint
        "GET      | null           | false       | Whole[]",
        "GET      | bytes=0-99     | false       | Bytes[spec=0-99]",
        "GET      | bytes=100-     | false       | Bytes[spec=100-]",
        "GET      | bytes=-500     | false       | Bytes[spec=-500]",
        "GET      | 'BYTES= 5-9 '  | false       | Bytes[spec=5-9]",
        "GET      | bytes=0-9,20-29 | false      | Metadata[]",
        "GET      | items=0-9      | false       | Metadata[]",
        "GET      | bytes=9-x      | false       | Metadata[]",
        "GET      | null           | true        | Metadata[]",
        "HEAD     | null           | false       | Metadata[]",
    })
    void theHintIsWhatTheRequestWillMostLikelyRead(String method, String range, boolean conditional, String hint) {
        assertEquals(hint, Prefetch.guess(method, range, conditional).toString());
    }
}
