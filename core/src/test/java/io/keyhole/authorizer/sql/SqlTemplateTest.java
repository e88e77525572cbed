package io.keyhole.authorizer.sql;

import static io.keyhole.authorizer.sql.SqlTemplate.Param.AUTH_VALUE;
import static io.keyhole.authorizer.sql.SqlTemplate.Param.CONTENT_DISPOSITION;
import static io.keyhole.authorizer.sql.SqlTemplate.Param.CONTENT_TYPE;
import static io.keyhole.authorizer.sql.SqlTemplate.Param.ETAG;
import static io.keyhole.authorizer.sql.SqlTemplate.Param.FILENAME;
import static io.keyhole.authorizer.sql.SqlTemplate.Param.FILE_ID;
import static io.keyhole.authorizer.sql.SqlTemplate.Param.LENGTH;
import static io.keyhole.authorizer.sql.SqlTemplate.Param.METHOD;
import static io.keyhole.authorizer.sql.SqlTemplate.Param.UPLOAD_DATE;
import static io.keyhole.authorizer.sql.SqlTemplate.Param.URI;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.authorizer.sql.SqlTemplate.Kind;
import io.keyhole.authorizer.sql.SqlTemplate.Param;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The placeholder translation: what becomes a {@code ?}, what stays text, and what is refused at start-up. */
class SqlTemplateTest {

    static Stream<Arguments> mysql() {
        return Stream.of(
                // named placeholders, each bound where it stands
                row("SELECT * FROM cdn WHERE file_id = :file_id AND auth_value = :auth_value",
                        "SELECT * FROM cdn WHERE file_id = ? AND auth_value = ?", FILE_ID, AUTH_VALUE),
                row("SELECT :uri, :method, :file_id, :file_id",
                        "SELECT ?, ?, ?, ?", URI, METHOD, FILE_ID, FILE_ID),
                row("CALL check_access(:file_id, :auth_value)", "CALL check_access(?, ?)", FILE_ID, AUTH_VALUE),
                // the early module: one %s is the auth value
                row("SELECT * FROM cdn WHERE owner = %s", "SELECT * FROM cdn WHERE owner = ?", AUTH_VALUE),
                row("CALL my_procedure(%s)", "CALL my_procedure(?)", AUTH_VALUE),
                // the later module: file id, then auth value, written inside quotes by printf
                row("SELECT * FROM cdn WHERE file_id='%s' AND auth_value='%s'",
                        "SELECT * FROM cdn WHERE file_id=? AND auth_value=?", FILE_ID, AUTH_VALUE),
                row("SELECT * FROM cdn WHERE file_id=\"%s\" AND auth_value=%s",
                        "SELECT * FROM cdn WHERE file_id=? AND auth_value=?", FILE_ID, AUTH_VALUE),
                // JDBC's own marker counts like %s
                row("SELECT * FROM cdn WHERE file_id = ? AND auth_value = ?",
                        "SELECT * FROM cdn WHERE file_id = ? AND auth_value = ?", FILE_ID, AUTH_VALUE),
                // inside literals, identifiers and comments nothing is a placeholder
                row("SELECT ':file_id', '50%s', `:uri`, \"a?b\" FROM t WHERE a = :auth_value",
                        "SELECT ':file_id', '50%s', `:uri`, \"a?b\" FROM t WHERE a = ?", AUTH_VALUE),
                row("SELECT 'it''s :method' FROM t WHERE a = :auth_value",
                        "SELECT 'it''s :method' FROM t WHERE a = ?", AUTH_VALUE),
                row("SELECT 'back\\' :uri' FROM t WHERE a = :auth_value",
                        "SELECT 'back\\' :uri' FROM t WHERE a = ?", AUTH_VALUE),
                row("SELECT `we``ird :uri` FROM t WHERE a = :auth_value",
                        "SELECT `we``ird :uri` FROM t WHERE a = ?", AUTH_VALUE),
                row("SELECT a -- :uri ?\nFROM t WHERE a = :auth_value",
                        "SELECT a -- :uri ?\nFROM t WHERE a = ?", AUTH_VALUE),
                row("SELECT a # :uri %s\nFROM t WHERE a = :auth_value",
                        "SELECT a # :uri %s\nFROM t WHERE a = ?", AUTH_VALUE),
                row("SELECT /* :uri ? %s */ a FROM t WHERE a = :auth_value",
                        "SELECT /* :uri ? %s */ a FROM t WHERE a = ?", AUTH_VALUE),
                // MySQL: "--" without a following space is two minus signs, not a comment
                row("SELECT 1--:auth_value", "SELECT 1--?", AUTH_VALUE),
                // casts and assignments are not placeholders
                row("SELECT @x := 1, a::text FROM t WHERE a = :auth_value",
                        "SELECT @x := 1, a::text FROM t WHERE a = ?", AUTH_VALUE),
                // a console's trailing semicolon is dropped
                row("SELECT * FROM cdn WHERE auth_value = :auth_value ;  ",
                        "SELECT * FROM cdn WHERE auth_value = ?", AUTH_VALUE),
                // the default query
                row(SqlTemplate.DEFAULT_QUERY, "SELECT * FROM cdn WHERE file_id = ? AND auth_value = ?",
                        FILE_ID, AUTH_VALUE));
    }

    private static Arguments row(String query, String sql, Param... params) {
        return Arguments.of(query, sql, List.of(params));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mysql")
    void translatesTheMysqlDialect(String query, String sql, List<Param> params) {
        SqlTemplate t = SqlTemplate.parse(query, true);
        assertEquals(sql, t.sql());
        assertEquals(params, t.params());
    }

    static Stream<Arguments> standard() {
        return Stream.of(
                // standard SQL: "..." is an identifier, a backslash is an ordinary character
                row("SELECT \"col:uri\" FROM t WHERE a = :auth_value", "SELECT \"col:uri\" FROM t WHERE a = ?", AUTH_VALUE),
                row("SELECT 'a\\' FROM t WHERE a = :auth_value", "SELECT 'a\\' FROM t WHERE a = ?", AUTH_VALUE),
                // "--" always starts a comment; "#" does not
                row("SELECT 1 --:uri\nFROM t WHERE a = :auth_value", "SELECT 1 --:uri\nFROM t WHERE a = ?", AUTH_VALUE),
                row("{call check_access(:file_id, :auth_value)}", "{call check_access(?, ?)}", FILE_ID, AUTH_VALUE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("standard")
    void translatesStandardSql(String query, String sql, List<Param> params) {
        SqlTemplate t = SqlTemplate.parse(query, false);
        assertEquals(sql, t.sql());
        assertEquals(params, t.params());
    }

    @Test
    void onlyTheJdbcCallEscapeNeedsPrepareCall() {
        assertTrue(SqlTemplate.parse("{call p(:file_id)}", false).escapeCall());
        assertFalse(SqlTemplate.parse("CALL p(:file_id)", true).escapeCall());
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("SELECT * FROM cdn", "has no placeholder"),
                Arguments.of("   ", "is empty"),
                Arguments.of("SELECT %s, %s, %s", "3 positional placeholders"),
                Arguments.of("SELECT :file_id, %s", "mixes named placeholders"),
                Arguments.of("SELECT :fileid", "unknown placeholder :fileid at offset 7"),
                Arguments.of("SELECT :File_Id", "unknown placeholder :File_Id"),
                Arguments.of("SELECT 'abc WHERE :auth_value", "never closed"),
                Arguments.of("SELECT `abc FROM :auth_value", "never closed"),
                Arguments.of("SELECT /* :auth_value", "never closed"),
                Arguments.of("SELECT :auth_value; DROP TABLE cdn", "more than one statement"));
    }

    @ParameterizedTest(name = "{0} → {1}")
    @MethodSource("refused")
    void refusesAtStartUpNamingTheKey(String query, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SqlTemplate.parse(query, true));
        assertTrue(e.getMessage().startsWith("sql-query "), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    // ---- the statements of uploads and deletes -------------------------------------------------

    static Stream<Arguments> writes() {
        return Stream.of(
                // the default upload statement: every metadata name
                Arguments.of(Kind.INSERT, SqlTemplate.DEFAULT_INSERT_QUERY, List.of(AUTH_VALUE, FILE_ID, FILENAME,
                        CONTENT_TYPE, CONTENT_DISPOSITION, ETAG, LENGTH, UPLOAD_DATE)),
                // the later module's six positional placeholders, in its order
                Arguments.of(Kind.INSERT, "REPLACE INTO cdn (auth_value, file_id, filename, content_type,"
                        + " content_disposition, etag) VALUES ('%s', '%s', '%s', '%s', '%s', '%s')",
                        List.of(AUTH_VALUE, FILE_ID, FILENAME, CONTENT_TYPE, CONTENT_DISPOSITION, ETAG)),
                Arguments.of(Kind.INSERT, "CALL record_upload(:file_id, :auth_value, :method, :uri)",
                        List.of(FILE_ID, AUTH_VALUE, METHOD, URI)),
                // the default delete statement
                Arguments.of(Kind.DELETE, SqlTemplate.DEFAULT_DELETE_QUERY, List.of(FILE_ID, AUTH_VALUE)),
                // the later module's delete: one placeholder, the file id
                Arguments.of(Kind.DELETE, "DELETE FROM cdn WHERE file_id='%s'", List.of(FILE_ID)),
                Arguments.of(Kind.DELETE, "DELETE FROM cdn WHERE file_id = ? AND auth_value = ?", List.of(FILE_ID, AUTH_VALUE)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("writes")
    void translatesTheStatementsOfWrites(Kind kind, String query, List<Param> params) {
        SqlTemplate t = SqlTemplate.parse(kind, query, true);
        assertEquals(params, t.params());
        assertEquals(kind, t.kind());
        assertEquals(params.size(), t.sql().chars().filter(c -> c == '?').count());
    }

    static Stream<Arguments> refusedWrites() {
        return Stream.of(
                Arguments.of(Kind.QUERY, "SELECT * FROM cdn WHERE etag = :etag AND auth_value = :auth_value",
                        "sql-query has a misplaced placeholder :etag at offset 31; known: :file_id, :auth_value, :uri,"
                                + " :method (the file's metadata exists only for sql-insert-query)"),
                Arguments.of(Kind.DELETE, "DELETE FROM cdn WHERE filename = :filename",
                        "sql-delete-query has a misplaced placeholder :filename"),
                Arguments.of(Kind.INSERT, "INSERT INTO cdn VALUES (:size)", "sql-insert-query has an unknown placeholder"
                        + " :size at offset 24; known: :file_id, :auth_value, :uri, :method, :filename, :content_type,"
                        + " :content_disposition, :etag, :length, :upload_date"),
                Arguments.of(Kind.INSERT, "INSERT INTO cdn VALUES (%s, %s)", "sql-insert-query has 2 positional"
                        + " placeholders; %s or ? mean auth_value, file_id, filename, content_type, content_disposition,"
                        + " etag (six, in this order)"),
                Arguments.of(Kind.DELETE, "DELETE FROM cdn WHERE a=%s AND b=%s AND c=%s",
                        "sql-delete-query has 3 positional placeholders; %s or ? mean the file id (one)"),
                Arguments.of(Kind.DELETE, "DELETE FROM cdn", "sql-delete-query has no placeholder, so every request would"
                        + " change the same rows"),
                Arguments.of(Kind.INSERT, "INSERT INTO cdn VALUES (:file_id); DROP TABLE cdn",
                        "sql-insert-query holds more than one statement"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("refusedWrites")
    void refusesWritesNamingTheirKey(Kind kind, String query, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SqlTemplate.parse(kind, query, true));
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }

    /** The translated text depends on the query alone, so no request value can ever be part of it. */
    @Test
    void theTextHoldsOnlyMarkers() {
        SqlTemplate t = SqlTemplate.parse("SELECT * FROM cdn WHERE file_id='%s' AND auth_value='%s'", true);
        assertEquals(2, t.sql().chars().filter(c -> c == '?').count());
        assertFalse(t.sql().contains("%s"));
        assertFalse(t.sql().contains("'"));
    }
}
