package io.keyhole.authorizer.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The nginx module's DSN {@code host:port:user:password:database} and its variants. */
class SqlDsnTest {

    static Stream<Arguments> accepted() {
        return Stream.of(
                // text, host, port, socket, user, password, database
                Arguments.of("db.example:3306:keyhole:s3cret:files", "db.example", 3306, null, "keyhole", "s3cret", "files"),
                Arguments.of("127.0.0.1:3307:u:p:d", "127.0.0.1", 3307, null, "u", "p", "d"),
                // an empty port is the default port
                Arguments.of("db::u:p:d", "db", 3306, null, "u", "p", "d"),
                // an empty password is no password
                Arguments.of("db:3306:u::d", "db", 3306, null, "u", null, "d"),
                // the password may hold colons: it is everything between user and database
                Arguments.of("db:3306:u:a:b::c:d", "db", 3306, null, "u", "a:b::c", "d"),
                // seed: with localhost the port may be the socket path
                Arguments.of("localhost:/run/mysqld/mysqld.sock:u:p:d", "localhost", 0,
                        Path.of("/run/mysqld/mysqld.sock"), "u", "p", "d"),
                Arguments.of("LocalHost:/tmp/m.sock:u:p:d", "localhost", 0, Path.of("/tmp/m.sock"), "u", "p", "d"),
                // IPv6 in brackets
                Arguments.of("[::1]:3306:u:p:d", "::1", 3306, null, "u", "p", "d"),
                // no default database: the query qualifies its tables
                Arguments.of("db:3306:u:p:", "db", 3306, null, "u", "p", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void parsesTheModuleForm(String text, String host, int port, Path socket, String user, String password, String db) {
        SqlDsn dsn = SqlDsn.parse(text);
        assertEquals(host, dsn.host());
        assertEquals(port, dsn.port());
        assertEquals(socket, dsn.socket());
        assertEquals(user, dsn.user());
        assertEquals(password, dsn.password());
        assertEquals(db, dsn.database());
        assertFalse(dsn.isUrl());
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("db", "expected host:port:user:password:database"),
                Arguments.of("db:3306:u:d", "expected 5 fields"),
                Arguments.of(":3306:u:p:d", "host is empty"),
                Arguments.of("db:3306::p:d", "user is empty"),
                Arguments.of("db:port:u:p:d", "the port must be 1..65535"),
                Arguments.of("db:70000:u:p:d", "the port must be 1..65535"),
                Arguments.of("db.example:/run/mysqld.sock:u:p:d", "needs the host localhost"),
                Arguments.of("db:3306:u:p:files;drop", "the database name"),
                Arguments.of("[::1:3306:u:p:d", "IPv6"));
    }

    @ParameterizedTest(name = "{0} → {1}")
    @MethodSource("refused")
    void refusesNamingTheKey(String text, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SqlDsn.parse(text));
        assertTrue(e.getMessage().startsWith("sql-dsn: "), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void aRefusedDsnIsNotQuotedWithItsPassword() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SqlDsn.parse("db:notaport:u:TopSecret:d"));
        assertFalse(e.getMessage().contains("TopSecret"), e.getMessage());
    }

    @Test
    void jdbcUrlsAreTakenAsTheyAre() {
        SqlDsn dsn = SqlDsn.parse("jdbc:mariadb://db:3306/files?user=k");
        assertTrue(dsn.isUrl());
        assertTrue(dsn.isMariaDbUrl());
        assertEquals("jdbc:mariadb://db:3306/files?user=k", dsn.url());
        assertFalse(dsn.urlHasPassword());
        assertTrue(SqlDsn.parse("jdbc:mysql://db/files").isMariaDbUrl());
        assertFalse(SqlDsn.parse("jdbc:postgresql://db/files").isMariaDbUrl());
        assertNull(SqlDsn.parse("jdbc:postgresql://db/files").user());
    }

    static Stream<Arguments> descriptions() {
        return Stream.of(
                Arguments.of("db:3306:keyhole:TopSecret:files", "mysql://keyhole@db:3306/files"),
                Arguments.of("localhost:/tmp/m.sock:keyhole:TopSecret:files", "mysql://keyhole@localhost/files (socket /tmp/m.sock)"),
                Arguments.of("[::1]:3306:keyhole:TopSecret:files", "mysql://keyhole@[::1]:3306/files"),
                Arguments.of("jdbc:mariadb://db/files?user=k&password=TopSecret&x=1", "jdbc:mariadb://db/files?user=k&password=***&x=1"),
                Arguments.of("jdbc:postgresql://k:TopSecret@db/files", "jdbc:postgresql://k:***@db/files"),
                Arguments.of("jdbc:sqlserver://db;user=k;PWD=TopSecret", "jdbc:sqlserver://db;user=k;PWD=***"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("descriptions")
    void descriptionsNeverShowThePassword(String text, String description) {
        SqlDsn dsn = SqlDsn.parse(text);
        assertEquals(description, dsn.describe());
        assertEquals(description, dsn.toString());
        assertFalse(dsn.toString().contains("TopSecret"));
        assertFalse(dsn.withPassword("Other").toString().contains("Other"));
    }

    @Test
    void urlPasswordsAreNoticed() {
        assertTrue(SqlDsn.parse("jdbc:mariadb://db/files?user=k&password=x").urlHasPassword());
        assertTrue(SqlDsn.parse("jdbc:postgresql://k:x@db/files").urlHasPassword());
    }
}
