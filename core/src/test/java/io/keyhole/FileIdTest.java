package io.keyhole;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FileIdTest {

    static Stream<Arguments> valid() {
        return Stream.of(
                // id, hex part, suffix
                Arguments.of("a", "a", null),                                   // one hex digit is enough for the grammar
                Arguments.of("abcdef0123456789", "abcdef0123456789", null),     // the seed's example
                Arguments.of("0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef", null), // murmur3 128
                Arguments.of("abcdef0123456789.0", "abcdef0123456789", "0"),    // collision counter
                Arguments.of("abcdef0123456789.12", "abcdef0123456789", "12"),
                Arguments.of("abcdef0123456789.jpg", "abcdef0123456789", "jpg"), // pack extension
                Arguments.of("abcd.0123456789abcdef", "abcd", "0123456789abcdef"), // 16-character suffix
                Arguments.of("f".repeat(128), "f".repeat(128), null),          // longest hex part
                Arguments.of("f".repeat(128) + ".zzzzzzzzzzzzzzzz", "f".repeat(128), "zzzzzzzzzzzzzzzz")); // longest id
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void valid(String text, String hex, String suffix) {
        assertTrue(FileId.isValid(text));
        FileId id = FileId.parse(text);
        assertEquals(text, id.value());
        assertEquals(text, id.toString());
        assertEquals(hex, id.hex());
        assertEquals(Optional.ofNullable(suffix), id.suffix());
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("", "empty"),
                Arguments.of("ABCDEF", "upper case is not hex here"),
                Arguments.of("abcDef", "upper case inside"),
                Arguments.of("abcdef.JPG", "upper case suffix"),
                Arguments.of("..", "parent directory"),
                Arguments.of("abcd/../etc", "traversal"),
                Arguments.of("abcd..", "double dot"),
                Arguments.of("abcd..ef", "double dot inside"),
                Arguments.of(".abcd", "leading dot"),
                Arguments.of("abcd.", "empty suffix"),
                Arguments.of("abcd.ef.gh", "two suffixes"),
                Arguments.of("abcd.e-f", "dash in suffix"),
                Arguments.of("%2e%2e", "percent-encoded dots"),
                Arguments.of("abcd%2fef", "percent-encoded slash"),
                Arguments.of("abcd\u0000", "NUL"),
                Arguments.of("\u0000", "NUL alone"),
                Arguments.of("ab/cd", "slash"),
                Arguments.of("/abcd", "leading slash"),
                Arguments.of("ab\\cd", "backslash"),
                Arguments.of("ab cd", "space"),
                Arguments.of(" abcd", "leading space"),
                Arguments.of("abcd ", "trailing space"),
                Arguments.of("abcd\n", "newline"),
                Arguments.of("abcg", "g is not hex"),
                Arguments.of("ａｂｃ", "full-width letters"),
                Arguments.of("abcd.\u00e9", "non-ASCII suffix"),
                Arguments.of("f".repeat(129), "hex part too long"),
                Arguments.of("abcd." + "a".repeat(17), "suffix too long"),
                Arguments.of("f".repeat(161), "longer than MAX_LENGTH"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource
    void invalid(String text, String why) {
        assertFalse(FileId.isValid(text));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FileId.parse(text));
        assertFalse(e.getMessage().contains("\u0000"), "control characters are escaped");
        assertFalse(e.getMessage().contains("\n"), "control characters are escaped");
    }

    @Test
    void isValidNeverThrows() {
        assertFalse(FileId.isValid(null));
    }

    @Test
    void messagesQuoteOnlyTheStartOfTheInput() {
        String text = "0123456789abcdef" + "SECRET".repeat(20);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FileId.parse(text));
        assertFalse(e.getMessage().contains("SECRET"), e.getMessage());
        assertTrue(e.getMessage().contains("'0123456789abcdef'"), e.getMessage());
        assertTrue(e.getMessage().contains("136 characters"), e.getMessage());
    }

    @Test
    void messagesEscapeControlCharacters() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FileId.parse("ab\r\ncd"));
        assertTrue(e.getMessage().contains("ab\\u000d\\u000acd"), e.getMessage());
    }

    @Test
    void maxLengthCoversTheLongestGrammaticalId() {
        assertTrue(FileId.MAX_HEX_LENGTH + 1 + FileId.MAX_SUFFIX_LENGTH <= FileId.MAX_LENGTH);
    }
}
