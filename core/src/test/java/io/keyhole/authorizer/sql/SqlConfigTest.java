package io.keyhole.authorizer.sql;

import static io.keyhole.authorizer.sql.SqlTests.ALICE_FILE;
import static io.keyhole.authorizer.sql.SqlTests.db;
import static io.keyhole.authorizer.sql.SqlTests.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.AuthResponse;
import io.keyhole.KeyholeConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Logger;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The SQL keys in text configuration: what they build, and what they refuse, naming the key. */
class SqlConfigTest {

    @TempDir
    Path root;

    private Map<String, String> sql(String... keyValues) {
        Map<String, String> p = new HashMap<>();
        p.put("fs-root", root.toString());
        p.put("request-type", "sql");
        p.put("sql-dsn", "db.example:3306:keyhole:pw:files");
        for (int i = 0; i < keyValues.length; i += 2) {
            if (keyValues[i + 1] == null) {
                p.remove(keyValues[i]);
            } else {
                p.put(keyValues[i], keyValues[i + 1]);
            }
        }
        return p;
    }

    @Test
    void requestTypeSqlBuildsAnSqlAuthorizerOverMysqlByDefault() {
        KeyholeConfig c = KeyholeConfig.fromProperties(sql());
        SqlAuthorizer auth = assertInstanceOf(SqlAuthorizer.class, c.backend().start());
        assertEquals("sql over mysql://keyhole@db.example:3306/files", c.backend().toString());
        assertFalse(c.backend().toString().contains("pw"));
        auth.close();
    }

    @Test
    void everySqlKeyIsAccepted() {
        KeyholeConfig c = KeyholeConfig.fromProperties(sql(
                "transport-type", "mysql",
                "sql-query", "CALL check_access(:file_id, :auth_value)",
                "sql-no-row", "empty",
                "sql-pool-size", "3",
                "sql-pool-wait", "250ms",
                "sql-password", "other",
                "auth-connect-timeout", "500ms",
                "auth-timeout", "2s"));
        ((SqlAuthorizer) c.backend().start()).close();
        KeyholeConfig jdbc = KeyholeConfig.fromProperties(sql("transport-type", "jdbc",
                "sql-dsn", "jdbc:mariadb://db.example/files?user=keyhole"));
        assertEquals("sql over jdbc:mariadb://db.example/files?user=keyhole", jdbc.backend().toString());
        ((SqlAuthorizer) jdbc.backend().start()).close();
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of(new String[] {"sql-dsn", null}, "sql-dsn is required"),
                Arguments.of(new String[] {"sql-dsn", "db:3306:u:d"}, "sql-dsn: expected 5 fields"),
                Arguments.of(new String[] {"sql-query", "SELECT * FROM cdn"}, "sql-query has no placeholder"),
                Arguments.of(new String[] {"sql-query", "SELECT :owner"}, "sql-query has an unknown placeholder :owner"),
                Arguments.of(new String[] {"sql-no-row", "410"}, "sql-no-row must be one of 404, 403, empty"),
                Arguments.of(new String[] {"sql-pool-size", "0"}, "sql-pool-size must be 1..1000"),
                Arguments.of(new String[] {"sql-pool-size", "many"}, "sql-pool-size must be a whole number"),
                Arguments.of(new String[] {"sql-pool-wait", "soon"}, "sql-pool-wait must be a duration"),
                Arguments.of(new String[] {"sql-password", "env:KEYHOLE_NO_SUCH_VARIABLE_SET"},
                        "sql-password: the environment variable KEYHOLE_NO_SUCH_VARIABLE_SET is not set"),
                Arguments.of(new String[] {"sql-password", "file:/nonexistent/keyhole-db-password"},
                        "sql-password: cannot read the file /nonexistent/keyhole-db-password"),
                Arguments.of(new String[] {"transport-type", "unix"}, "transport-type for request-type=sql must be mysql or jdbc"),
                Arguments.of(new String[] {"transport-type", "jdbc"}, "sql-dsn must be a jdbc: URL with transport-type=jdbc"),
                Arguments.of(new String[] {"sql-dsn", "jdbc:postgresql://db/files"},
                        "with transport-type=mysql must be a jdbc:mariadb: or jdbc:mysql: URL"),
                Arguments.of(new String[] {"transport-type", "jdbc", "sql-dsn", "jdbc:nosuchdb://db/files"},
                        "sql-dsn: no JDBC driver on the class path accepts jdbc:nosuchdb://db/files"),
                Arguments.of(new String[] {"sql-dsn", "jdbc:mariadb://db/files?password=x", "sql-password", "y"},
                        "already holds a password"),
                Arguments.of(new String[] {"unix-socket", "/run/auth.sock"}, "unix-socket is for request-type=json"),
                Arguments.of(new String[] {"request-type", "json", "unix-socket", "/run/auth.sock"},
                        "need request-type=sql"),
                Arguments.of(new String[] {"request-type", "xml"}, "request-type must be one of json, sql"),
                Arguments.of(new String[] {"transport-type", "carrier-pigeon"},
                        "transport-type must be one of unix, tcp, http, redis, mysql, jdbc"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("refused")
    void badSettingsAreRefusedNamingTheKey(String[] change, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KeyholeConfig.fromProperties(sql(change)));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void aPasswordFileReplacesTheDsnsPassword(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("db-password");
        Files.writeString(file, db().password() + "\n");
        String dsnWithWrongPassword = db().host() + ":" + db().port() + ":" + db().user() + ":wrong:" + db().database();
        KeyholeConfig c = KeyholeConfig.fromProperties(sql("sql-dsn", dsnWithWrongPassword,
                "sql-password", "file:" + file,
                "sql-query", "SELECT 'ok.txt' AS filename FROM DUAL WHERE :auth_value IS NOT NULL"));
        try (SqlAuthorizer auth = (SqlAuthorizer) c.backend().start()) {
            assertEquals("ok.txt", auth.authorize(request(ALICE_FILE, "alice")).filename());
        }
    }

    @Test
    void secretsComeFromFilesEnvironmentOrText() {
        String path = System.getenv("PATH");
        assertEquals(path, SqlAuthorizer.readSecret("sql-password", "env:PATH"));
        assertEquals("plain", SqlAuthorizer.readSecret("sql-password", "plain"));
    }

    @Test
    void eachSettingOnce() {
        assertThrows(IllegalStateException.class,
                () -> KeyholeConfig.builder().sqlPoolSize(2).sqlPoolSize(3));
        assertThrows(IllegalStateException.class,
                () -> SqlAuthorizer.builder().query(SqlTemplate.DEFAULT_QUERY).query(SqlTemplate.DEFAULT_QUERY));
    }

    /** A DataSource of the application's own (here a plain one) instead of a DSN. */
    @Test
    void aDataSourceCanBeHandedIn() throws Exception {
        DataSource ds = new DriverManagerDataSource(db().jdbcUrl());
        KeyholeConfig c = KeyholeConfig.builder().fsRoot(root).requestType("sql").sqlDataSource(ds)
                .sqlQuery("SELECT 'ds.txt' AS filename FROM DUAL WHERE :auth_value IS NOT NULL")
                .authTimeout(Duration.ofSeconds(2)).build();
        try (SqlAuthorizer auth = (SqlAuthorizer) c.backend().start()) {
            AuthResponse answer = auth.authorize(request(ALICE_FILE, "alice"));
            assertEquals("ds.txt", answer.filename());
            assertTrue(c.backend().toString().contains(DriverManagerDataSource.class.getName()), c.backend().toString());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeyholeConfig.builder()
                .fsRoot(root).requestType("sql").sqlDataSource(ds).sqlDsn("db:3306:u:p:d").build());
        assertTrue(e.getMessage().contains("either a DataSource or sql-dsn"), e.getMessage());
    }

    private record DriverManagerDataSource(String url) implements DataSource {
        @Override
        public Connection getConnection() throws SQLException {
            return java.sql.DriverManager.getConnection(url);
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return java.sql.DriverManager.getConnection(url, username, password);
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }

        @Override
        public String toString() {
            return "DriverManagerDataSource";
        }
    }
}
