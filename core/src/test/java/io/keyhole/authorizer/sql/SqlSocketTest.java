package io.keyhole.authorizer.sql;

import static io.keyhole.authorizer.sql.SqlTests.ALICE_FILE;
import static io.keyhole.authorizer.sql.SqlTests.db;
import static io.keyhole.authorizer.sql.SqlTests.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.keyhole.AuthorizationException.Kind;
import io.keyhole.AuthorizationException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The module's DSN with a socket path instead of the port: {@code localhost:/path/mysqld.sock:user:pw:db}. */
class SqlSocketTest {

    /** USER() shows the client's host as the server saw it: "localhost" only for a socket connection. */
    static final String WHO = "SELECT USER() AS filename FROM DUAL WHERE :auth_value IS NOT NULL";

    @Test
    void theSeedDsnWithASocketPathConnectsOverTheSocket() throws Exception {
        assumeTrue(db().socketPath().isPresent(), "needs the embedded server's socket");
        String dsn = SqlTests.socketDsn().orElseThrow();
        try (SqlAuthorizer auth = SqlAuthorizer.builder().dsn(dsn).query(WHO).build()) {
            assertEquals(db().user() + "@localhost", auth.authorize(request(ALICE_FILE, "alice")).filename());
            assertTrue(auth.toString().contains("(socket " + db().socketPath().get() + ")"), auth.toString());
        }
        // the same query over TCP shows the loopback address
        try (SqlAuthorizer auth = SqlAuthorizer.builder().dsn(SqlTests.tcpDsn()).query(WHO).build()) {
            assertEquals(db().user() + "@127.0.0.1", auth.authorize(request(ALICE_FILE, "alice")).filename());
        }
    }

    @Test
    void aSocketThatIsNotThereIsUnavailableNamingThePath(@TempDir Path dir) {
        Path missing = dir.resolve("mysqld.sock");
        try (SqlAuthorizer auth = SqlAuthorizer.builder().dsn("localhost:" + missing + ":u:p:d").query(WHO)
                .connectTimeout(Duration.ofMillis(300)).build()) {
            AuthorizationException e = assertThrows(AuthorizationException.class,
                    () -> auth.authorize(request(ALICE_FILE, "alice")));
            assertEquals(Kind.UNAVAILABLE, e.kind());
            assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        }
    }

    @Test
    void aSlowQueryOverTheSocketTimesOutToo() {
        assumeTrue(db().socketPath().isPresent(), "needs the embedded server's socket");
        try (SqlAuthorizer auth = SqlAuthorizer.builder().dsn(SqlTests.socketDsn().orElseThrow())
                .query("SELECT SLEEP(5) AS s FROM DUAL WHERE :auth_value IS NOT NULL")
                .queryTimeout(Duration.ofMillis(500)).build()) {
            long start = System.nanoTime();
            AuthorizationException e = assertThrows(AuthorizationException.class,
                    () -> auth.authorize(request(ALICE_FILE, "alice")));
            long took = (System.nanoTime() - start) / 1_000_000;
            assertEquals(Kind.TIMEOUT, e.kind(), e.getMessage());
            assertTrue(took >= 500 && took < 500 + SqlFailureTest.SLACK_MILLIS, "took " + took + " ms");
        }
    }
}
