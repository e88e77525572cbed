package io.keyhole;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.authorizer.AuthMatrix;
import io.keyhole.internal.Settings;
import io.keyhole.media.MediaSettings;
import io.keyhole.media.MediaUrlSigner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The table of text keys: the README's reference agrees with it, and the intakes follow it. */
class ConfigKeyTest {

    private static final Pattern HEADING = Pattern.compile("\\*\\*([^*]+)\\*\\*.*");
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");
    private static final Pattern LINK = Pattern.compile("\\[([^]]*)]\\([^)]*\\)");

    @TempDir
    Path dir;

    /** One row of the README's reference: the group of the table it is in, and its default. */
    record Documented(ConfigKey.Group group, String defaultValue, int line) {
    }

    @Test
    void theReadmeReferenceListsEveryKeyWithItsGroupAndDefault() throws IOException {
        Map<String, Documented> readme = readmeReference();
        List<String> wrong = new ArrayList<>();
        for (ConfigKey key : ConfigKey.values()) {
            Documented d = readme.get(key.key());
            if (d == null) {
                wrong.add(key.key() + " is missing; add it to a table under **" + heading(key.group()) + "…**");
            } else if (d.group() != key.group() || !d.defaultValue().equals(key.defaultValue())) {
                wrong.add(key.key() + " (line " + d.line() + ") is shown as " + d.group() + " with default '"
                        + d.defaultValue() + "'; ConfigKey." + key.name() + " says " + key.group() + ", '"
                        + key.defaultValue() + "'");
            }
        }
        readme.forEach((name, d) -> {
            if (ConfigKey.of(name).isEmpty()) {
                wrong.add(name + " (line " + d.line() + ") is no configuration key; drop it or add it to ConfigKey");
            }
        });
        assertTrue(wrong.isEmpty(), "README.md's configuration reference disagrees with ConfigKey:\n  "
                + String.join("\n  ", wrong));
    }

    /**
     * The keys in the tables of the README's "Configuration reference", by the group its heading
     * names ({@code **Essentials**}, {@code **Rarely used: SQL backend**} …).
     */
    private static Map<String, Documented> readmeReference() throws IOException {
        Path readme = Path.of(System.getProperty("user.dir")).resolveSibling("README.md");
        List<String> lines = Files.readAllLines(readme, StandardCharsets.UTF_8);
        int start = lines.indexOf("## Configuration reference");
        assertTrue(start >= 0, "README.md has no '## Configuration reference'");
        Map<String, Documented> keys = new LinkedHashMap<>();
        ConfigKey.Group group = null;
        for (int i = start + 1; i < lines.size() && !lines.get(i).startsWith("## "); i++) {
            String line = lines.get(i);
            Matcher heading = HEADING.matcher(line);
            if (heading.matches()) {
                group = group(heading.group(1), i + 1);
            } else if (line.startsWith("|") && !line.startsWith("| key ") && !line.startsWith("|---")) {
                String[] cells = line.split("\\|");
                assertTrue(cells.length >= 3 && group != null, "README.md line " + (i + 1) + " is a row outside a"
                        + " table under a group heading: " + line);
                String shown = LINK.matcher(cells[2].replace("`", "")).replaceAll("$1").trim();
                Matcher code = CODE.matcher(cells[1]);
                while (code.find()) {
                    Documented before = keys.put(code.group(1), new Documented(group, shown, i + 1));
                    assertEquals(null, before, code.group(1) + " is listed twice in README.md");
                }
            }
        }
        return keys;
    }

    private static ConfigKey.Group group(String heading, int line) {
        for (ConfigKey.Group g : ConfigKey.Group.values()) {
            if (heading.startsWith(heading(g))) {
                return g;
            }
        }
        throw new AssertionError("README.md line " + line + ": the heading '" + heading + "' names no group; start it"
                + " with Essentials, Frequently used or Rarely used");
    }

    private static String heading(ConfigKey.Group group) {
        return switch (group) {
            case ESSENTIAL -> "Essentials";
            case FREQUENT -> "Frequently used";
            case RARE -> "Rarely used";
        };
    }

    @Test
    void theKnownKeysAreTheTable() {
        assertEquals(ConfigKey.names(), KeyholeConfig.Builder.KEYS);
        assertEquals(ConfigKey.mediaNames(), MediaSettings.Builder.KEYS);
        assertTrue(ConfigKey.names().containsAll(ConfigKey.mediaNames()));
        assertEquals(List.of("site-url", "media-url", "media-root", "internal-media-prefix", "media-public-paths",
                "media-key", "media-verify-keys", "media-token-lifetime", "media-token-leeway", "media-bind-method",
                "media-token-format", "django-secret-key", "django-secret-key-fallbacks", "media-token-max-age",
                "media-cookie"),
                List.copyOf(ConfigKey.mediaNames()));
        for (ConfigKey key : ConfigKey.values()) {
            assertEquals(key, ConfigKey.of(key.key()).orElseThrow());
            assertTrue(key.key().matches("[a-z][a-z0-9]*(-[a-z0-9]+)*"), key.key());
            assertFalse(key.description().isBlank(), key.key());
            assertFalse(key.defaultValue().isBlank(), key.key());
        }
        assertTrue(ConfigKey.of("FS-ROOT").isEmpty());
    }

    /** A default shown as a value must be one the key accepts. */
    @ParameterizedTest
    @ValueSource(strings = {"fs-depth", "mount", "request-type", "sql-query", "sql-no-row", "sql-pool-size", "json-fields",
        "jwt-algorithm", "jwt-leeway", "json-extended", "all-headers", "all-cookies", "matrix-download", "read-only",
        "upload-max-size", "matrix-upload", "matrix-delete", "delivery", "renderer", "auth-connect-timeout",
        "auth-timeout", "cache-control", "max-ranges", "media-token-lifetime", "media-token-leeway",
        "media-bind-method", "media-token-format", "media-token-max-age"})
    void aDefaultShownAsAValueIsAccepted(String name) {
        ConfigKey key = ConfigKey.of(name).orElseThrow();
        if (key.media()) {
            assertDoesNotThrow(() -> key.apply(MediaSettings.builder(), key.defaultValue()));
        } else {
            assertDoesNotThrow(() -> key.apply(KeyholeConfig.builder(), key.defaultValue()));
        }
    }

    @Test
    void theDefaultsShownAreTheOnesBuilt() {
        Map<String, String> p = new HashMap<>(Map.of("fs-root", dir.toString(), "unix-socket",
                dir.resolve("auth.sock").toString()));
        KeyholeConfig c = KeyholeConfig.fromProperties(p);
        assertEquals(shown(ConfigKey.FS_DEPTH), String.valueOf(c.tree().depth()));
        assertEquals(shown(ConfigKey.MOUNT), c.mount());
        assertEquals(shown(ConfigKey.DELIVERY), c.delivery().key());
        assertEquals(shown(ConfigKey.RENDERER), c.renderer());
        assertEquals(shown(ConfigKey.CACHE_CONTROL), c.cacheControl());
        assertEquals(shown(ConfigKey.MAX_RANGES), String.valueOf(c.maxRanges()));
        assertEquals(AuthMatrix.parse(shown(ConfigKey.MATRIX_DOWNLOAD)), c.downloadMatrix());
        assertEquals(AuthMatrix.parse(shown(ConfigKey.MATRIX_UPLOAD)), c.uploads().uploadMatrix());
        assertEquals(AuthMatrix.parse(shown(ConfigKey.MATRIX_DELETE)), c.uploads().deleteMatrix());
        assertEquals(Uploads.parseSize("k", shown(ConfigKey.UPLOAD_MAX_SIZE)), c.uploads().maxSize());
        assertTrue(c.uploads().readOnly());
        assertEquals("yes", shown(ConfigKey.READ_ONLY));
        assertEquals(MediaUrlSigner.DEFAULT_LIFETIME, Settings.duration("k", shown(ConfigKey.MEDIA_TOKEN_LIFETIME)));
        assertEquals(MediaUrlSigner.DEFAULT_LEEWAY, Settings.duration("k", shown(ConfigKey.MEDIA_TOKEN_LEEWAY)));
    }

    private static String shown(ConfigKey key) {
        return key.defaultValue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // a letter dropped, added, changed; two neighbours swapped; case
        "fs-rot           | fs-root",
        "fs-roots         | fs-root",
        "fs-deptt         | fs-depth",
        "jwt-feild        | jwt-field",
        "JWT-KEY          | jwt-key",
        "auth-timout      | auth-timeout",
        // two edits still suggest
        "atuh-timout      | auth-timeout",
        "media-keys       | media-key",
    })
    void aMisspeltKeyIsNamedWithTheNearestKnownOne(String misspelt, String meant) {
        Map<String, String> p = new HashMap<>(Map.of("fs-root", dir.toString()));
        p.put(misspelt, "x");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeyholeConfig.fromProperties(p));
        assertEquals("unknown configuration key '" + misspelt + "'; known: "
                + String.join(", ", ConfigKey.names().stream().sorted().toList())
                + "; did you mean '" + meant + "'?", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"colour", "fs", "jwt-secret-key"})
    void aKeyFarFromEveryKnownOneGetsNoSuggestion(String unknown) {
        Map<String, String> p = new HashMap<>(Map.of("fs-root", dir.toString()));
        p.put(unknown, "x");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeyholeConfig.fromProperties(p));
        assertTrue(e.getMessage().startsWith("unknown configuration key '" + unknown + "'; known: "), e.getMessage());
        assertFalse(e.getMessage().contains("did you mean"), e.getMessage());
    }

    @Test
    void aMediaSettingIsSuggestedAmongMediaSettings() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> MediaSettings.fromProperties(Map.of("media-url", "/media/", "media-rot", "/srv")));
        assertEquals("unknown media setting 'media-rot'; known: " + String.join(", ",
                ConfigKey.mediaNames().stream().sorted().toList()) + "; did you mean 'media-root'?", e.getMessage());
    }

    @Test
    void jwtHeaderAndCookieAreRefusedTogether() {
        Map<String, String> p = new HashMap<>(Map.of("fs-root", dir.toString(), "jwt-header", "X-Token",
                "jwt-cookie", "token"));
        assertEquals("set jwt-header or jwt-cookie, not both",
                assertThrows(IllegalArgumentException.class, () -> KeyholeConfig.fromProperties(p)).getMessage());
    }

    @Test
    void oneKeyAtATime() {
        KeyholeConfig.Builder b = KeyholeConfig.builder();
        ConfigKey.FS_ROOT.apply(b, dir.toString());
        ConfigKey.UNIX_SOCKET.apply(b, dir.resolve("a.sock").toString());
        ConfigKey.MAX_RANGES.apply(b, "3");
        assertEquals(3, b.build().maxRanges());
        assertEquals("'max-ranges' was already set",
                assertThrows(IllegalStateException.class, () -> ConfigKey.MAX_RANGES.apply(b, "4")).getMessage());
        ConfigKey.MEDIA_URL.apply(b, "/media/");
        assertEquals("'media-url' was already set",
                assertThrows(IllegalStateException.class, () -> ConfigKey.MEDIA_URL.apply(b, "/m/")).getMessage());
        assertEquals("max-ranges is not a media setting; the media settings are " + String.join(", ",
                ConfigKey.mediaNames()), assertThrows(IllegalArgumentException.class,
                () -> ConfigKey.MAX_RANGES.apply(MediaSettings.builder(), "4")).getMessage());
    }

    @Test
    void mediaTokenSettingsInCodeNeedAKeyToo() {
        var e = assertThrows(IllegalArgumentException.class, () -> MediaSettings.builder().mediaUrl("/media/")
                .tokenLeeway(java.time.Duration.ofSeconds(5)).build());
        assertEquals("media-token-leeway needs media-key", e.getMessage());
    }
}
