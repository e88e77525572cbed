package io.keyhole.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The slow-client keys of {@code serve}: read, taken out of what the engine sees, refused when bad. */
class ServeLimitsTest {

    @Test
    void unsetKeysKeepTheDefaults() {
        Map<String, String> p = new HashMap<>(Map.of("fs-root", "/srv"));
        assertEquals(ServeLimits.DEFAULT, ServeLimits.take(p));
        assertEquals(Map.of("fs-root", "/srv"), p);
    }

    @Test
    void keysAreReadAndTakenOut() {
        Map<String, String> p = new HashMap<>(Map.of("idle-timeout", "5s", "min-upload-rate", "0",
                "max-requests-per-client", "100", "fs-root", "/srv"));
        assertEquals(new ServeLimits(Duration.ofSeconds(5), 0, 100), ServeLimits.take(p));
        assertEquals(Map.of("fs-root", "/srv"), p, "the engine never sees them");
    }

    @Test
    void theDownloadRateIsReadAndTakenOut() {
        Map<String, String> p = new HashMap<>(Map.of("min-download-rate", "4096", "min-download-rate-window", "3s",
                "fs-root", "/srv"));
        ServeLimits limits = ServeLimits.take(p);
        assertEquals(4096, limits.minDownloadRate());
        assertEquals(Duration.ofSeconds(3), limits.downloadRateWindow());
        assertEquals(Map.of("fs-root", "/srv"), p, "the engine never sees them");
        assertEquals(1024, ServeLimits.DEFAULT.minDownloadRate());
        assertEquals(Duration.ofSeconds(10), ServeLimits.DEFAULT.downloadRateWindow());
    }

    @ParameterizedTest
    @CsvSource({
        "idle-timeout, 0s",
        "idle-timeout, 2h",
        "min-upload-rate, -1",
        "max-requests-per-client, 10001",
        "max-requests-per-client, many",
        "min-download-rate, -1",
        "min-download-rate, fast",
        "min-download-rate-window, 50ms",
        "min-download-rate-window, 2h",
    })
    void badValuesNameTheirKey(String key, String value) {
        Map<String, String> p = new HashMap<>(Map.of(key, value));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServeLimits.take(p));
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }
}
