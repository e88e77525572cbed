package io.keyhole.cli;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * SQL text for MariaDB and MySQL that means the same whatever the session is set to.
 *
 * <p>Plain printable ASCII goes in single quotes with quotes doubled, which every SQL mode reads
 * alike. Anything else (a backslash, NUL, any control character, any non-ASCII character)
 * makes the whole value a hexadecimal literal with a character set introducer,
 * {@code _utf8mb4 X'...'}: backslash escapes would mean something else under
 * {@code NO_BACKSLASH_ESCAPES}, and raw UTF-8 would be misread by a client whose connection
 * character set is not {@code utf8mb4}; hex digits survive both.
 */
final class SqlLiterals {

    /** Unquoted identifier characters; anything else is refused rather than quoted cleverly. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_$]{1,64}");

    private SqlLiterals() {
    }

    /** A string literal for {@code value}. */
    static String string(String value) {
        if (isPlain(value)) {
            return "'" + value.replace("'", "''") + "'";
        }
        StringBuilder out = new StringBuilder("_utf8mb4 X'");
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            out.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return out.append('\'').toString();
    }

    private static boolean isPlain(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '\\') {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code table} or {@code database.table}, back-quoted.
     *
     * @throws IllegalArgumentException when a part is not 1..64 letters, digits, {@code _} or {@code $}
     */
    static String tableName(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length > 2 || !List.of(parts).stream().allMatch(p -> NAME.matcher(p).matches())) {
            throw new IllegalArgumentException("'" + text + "' is not a table name: use TABLE or DATABASE.TABLE with"
                    + " letters, digits, _ and $ (1..64 each)");
        }
        return List.of(parts).stream().map(p -> "`" + p + "`").collect(Collectors.joining("."));
    }

    /** {@code INSERT INTO table (columns) VALUES (values);} with strings quoted and numbers as they are. */
    static String insert(String quotedTable, Map<String, ?> row) {
        String columns = row.keySet().stream().map(c -> "`" + c + "`").collect(Collectors.joining(", "));
        String values = row.values().stream()
                .map(v -> v instanceof Number ? v.toString() : string(String.valueOf(v)))
                .collect(Collectors.joining(", "));
        return "INSERT INTO " + quotedTable + " (" + columns + ") VALUES (" + values + ");";
    }
}
