package io.keyhole.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The grammar of paths below the media root, and their form in URLs (RFC 3986 §2.1, §3.3). */
class MediaPathTest {

    @ParameterizedTest(name = "valid: {0}")
    @ValueSource(strings = {"a.png", "docs/report.pdf", "Résumé – Alice.pdf", "a b/c d.txt", "x/y/z/w.mp4",
        "name:with:colons", "clip 🎬.mp4", "a..b", "trailing.dot."})
    void valid(String value) {
        MediaPath path = MediaPath.of(value);
        assertEquals(value, path.value());
        assertEquals(path, MediaPath.fromUrl(path.urlPath()), "the URL form decodes back");
        assertTrue(path.urlPath().matches("[A-Za-z0-9._~%/-]+"), path.urlPath());
    }

    @ParameterizedTest(name = "invalid: {0}")
    @CsvSource(delimiter = '|', value = {
        "''                  | it is empty",
        "/etc/passwd         | no leading /",
        "a//b                | empty segment",
        "a/                  | empty segment",
        "./a                 | starts with a dot",
        "a/./b               | starts with a dot",
        "../a                | starts with a dot",
        "a/../../b           | starts with a dot",
        ".htaccess           | starts with a dot",
        "a/.git/config       | starts with a dot",
        "a\\b                | backslash",
    })
    void invalid(String value, String reason) {
        var e = assertThrows(IllegalArgumentException.class, () -> MediaPath.of(value));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        assertFalse(MediaPath.isValid(value));
    }

    @Test
    void controlCharactersLengthAndSurrogates() {
        for (String bad : new String[] {"a\u0000b", "a\nb", "a\rb", "a\u007fb", "a\tb", "x\ud800.txt"}) {
            assertFalse(MediaPath.isValid(bad), bad);
        }
        assertTrue(MediaPath.isValid("s".repeat(255)));
        assertFalse(MediaPath.isValid("s".repeat(256)), "a segment longer than 255 bytes");
        assertFalse(MediaPath.isValid("é".repeat(128)), "256 bytes in UTF-8");
        String deep = ("d".repeat(100) + "/").repeat(10) + "f".repeat(14);
        assertEquals(1024, deep.length());
        assertTrue(MediaPath.isValid(deep));
        assertFalse(MediaPath.isValid(deep + "f"), "longer than 1024 bytes");
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(delimiter = '|', nullValues = "null", value = {
        "docs/report.pdf              | docs/report.pdf",
        "R%C3%A9sum%C3%A9.pdf         | Résumé.pdf",
        "a%20b.txt                    | a b.txt",
        "%7Euser/a.txt                | ~user/a.txt",
        "a%2Fb                        | null",   // an encoded slash is not a separator
        "a%2fb                        | null",
        "%2e%2e/x                     | null",   // dot segments, encoded
        "a/%2E%2E/b                   | null",
        "%2Ehidden                    | null",
        "a%5Cb                        | null",   // backslash
        "%00                          | null",   // NUL
        "a%0Ab                        | null",   // LF
        "%C3                          | null",   // truncated UTF-8
        "%C0%AE%C0%AE/x               | null",   // overlong UTF-8 for '.'
        "%ED%A0%80                    | null",   // a surrogate in UTF-8
        "%ZZ                          | null",   // not hex
        "%4                           | null",   // truncated escape
        "a b                          | null",   // raw space
        "/a                           | null",   // leading slash: an empty first segment
        "a/                           | null",
        "a//b                         | null",
    })
    void fromUrl(String encoded, String decoded) {
        MediaPath path = MediaPath.fromUrl(encoded);
        if (decoded == null) {
            assertNull(path, encoded);
        } else {
            assertEquals(decoded, path.value());
        }
    }

    /** A path a container decoded already is taken as it is: validated, never decoded again. */
    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(delimiter = '|', nullValues = "null", value = {
        "docs/report.pdf              | docs/report.pdf",
        "Résumé – Alice.pdf           | Résumé – Alice.pdf",
        "100%25.txt                   | 100%25.txt",   // stays %25: one decoding was the container's
        "%2e%2e/x                     | %2e%2e/x",     // a name with percent signs, not a dot segment
        "a b.txt                      | a b.txt",
        "../x                         | null",
        "a/./b                        | null",
        "/a                           | null",
        "a//b                         | null",
        "a/                           | null",
        "a\\b                        | null",
        "''                           | null",
    })
    void fromDecoded(String decoded, String expected) {
        MediaPath path = MediaPath.fromDecoded(decoded);
        if (expected == null) {
            assertNull(path, decoded);
        } else {
            assertEquals(expected, path.value());
        }
    }

    @Test
    void controlCharactersAreRefusedDecodedToo() {
        assertNull(MediaPath.fromDecoded("a\u0000b"));
        assertNull(MediaPath.fromDecoded("a\nb"));
        assertNull(MediaPath.fromDecoded(null));
    }

    @Test
    void onlyAsciiHexDigitsFormAnEscape() {
        // full-width digits are digits to Character.digit; %４１ must not be a second spelling of A
        assertNull(MediaPath.fromUrl("%\uFF14\uFF11/x.txt"));
        assertNull(MediaPath.fromUrl("a%\u0664\u0661"));
        assertEquals("A/x.txt", MediaPath.fromUrl("%41/x.txt").value());
        assertEquals("\u00e9", MediaPath.fromUrl("%c3%A9").value());
    }

    @Test
    void emptyAndHugeUrlsAreRefusedCheaply() {
        assertNull(MediaPath.fromUrl(""));
        assertNull(MediaPath.fromUrl(null));
        assertNull(MediaPath.fromUrl("a".repeat(3073)));
    }

    @Test
    void prefixesAndNames() {
        MediaPath p = MediaPath.of("public/logos/a.png");
        assertTrue(p.isUnder("public/"));
        assertTrue(p.isUnder("public/logos/"));
        assertTrue(p.isUnder("public/logos/a.png"));
        assertFalse(p.isUnder("pub"), "a prefix without / matches whole paths only");
        assertFalse(p.isUnder("public"), "a prefix without / matches whole paths only");
        assertFalse(MediaPath.of("publicity/a.png").isUnder("public/"));
        assertEquals("a.png", p.fileName());
        assertEquals("a.png", MediaPath.of("a.png").fileName());
    }
}
