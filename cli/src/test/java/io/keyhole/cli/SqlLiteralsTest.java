package io.keyhole.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SqlLiteralsTest {

    /**
     * One row per kind of character. Printable ASCII stays readable with quotes doubled (the
     * same in every SQL mode); anything a backslash escape or the connection's character set
     * could change makes the value a hex literal of its UTF-8 bytes.
     */
    static Stream<Arguments> literals() {
        return Stream.of(
                arguments("report.pdf", "'report.pdf'"),
                arguments("", "''"),
                arguments("O'Brien's file.txt", "'O''Brien''s file.txt'"),
                arguments("''", "''''''"),
                arguments("say \"hi\"", "'say \"hi\"'"),
                arguments("-- not a comment; /* nor */ #", "'-- not a comment; /* nor */ #'"),
                arguments("`backquote` %s %%", "'`backquote` %s %%'"),
                // a backslash escapes in the default mode and is plain under NO_BACKSLASH_ESCAPES
                arguments("back\\slash", "_utf8mb4 X'6261636b5c736c617368'"),
                arguments("\\'", "_utf8mb4 X'5c27'"),
                // control characters, NUL and DEL
                arguments("nul\u0000byte", "_utf8mb4 X'6e756c0062797465'"),
                arguments("line\nbreak\r", "_utf8mb4 X'6c696e650a627265616b0d'"),
                arguments("tab\there", "_utf8mb4 X'7461620968657265'"),
                arguments("ctrl-z\u001a", "_utf8mb4 X'6374726c2d7a1a'"),
                arguments("delete\u007f", "_utf8mb4 X'64656c6574657f'"),
                // non-ASCII: two, three and four UTF-8 bytes
                arguments("Grüße", "_utf8mb4 X'4772c3bcc39f65'"),
                arguments("✓ 😀", "_utf8mb4 X'e29c9320f09f9880'"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("literals")
    void stringLiterals(String value, String literal) {
        assertEquals(literal, SqlLiterals.string(value));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "cdn,            `cdn`",
            "files_2026,     `files_2026`",
            "app.cdn,        `app`.`cdn`",
            "$weird_$,       `$weird_$`",
    })
    void tableNames(String text, String quoted) {
        assertEquals(quoted, SqlLiterals.tableName(text));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"", "a.b.c", "cdn; DROP TABLE x", "`cdn`", "cdn.", ".cdn", "naïve", "a b",
            "x1234567890123456789012345678901234567890123456789012345678901234"})
    void tableNamesThatAreRefused(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SqlLiterals.tableName(text));
        assertEquals("'" + text + "' is not a table name: use TABLE or DATABASE.TABLE with letters, digits, _ and $"
                + " (1..64 each)", e.getMessage());
    }

    @Test
    void insertQuotesStringsAndLeavesNumbers() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("file_id", "abcdef");
        row.put("filename", "it's.txt");
        row.put("length", 12L);
        assertEquals("INSERT INTO `cdn` (`file_id`, `filename`, `length`) VALUES ('abcdef', 'it''s.txt', 12);",
                SqlLiterals.insert("`cdn`", row));
    }
}
