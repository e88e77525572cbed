package io.keyhole.authorizer.sql;

import static io.keyhole.authorizer.sql.SqlTests.ALICE_FILE;
import static io.keyhole.authorizer.sql.SqlTests.db;
import static io.keyhole.authorizer.sql.SqlTests.over;
import static io.keyhole.authorizer.sql.SqlTests.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.keyhole.AuthorizationException.Kind;
import io.keyhole.AuthorizationException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A database that is slow, busy, silent or gone costs a request at most its deadline, and
 * service comes back by itself. Times asserted are upper bounds with room for a loaded machine.
 */
class SqlFailureTest {

    static final String TABLE = "cdn_failure";
    static final String QUERY = "SELECT * FROM " + TABLE + " WHERE file_id = :file_id AND auth_value = :auth_value";
    /** Slack for a shared, busy machine on top of a configured bound. */
    static final long SLACK_MILLIS = 700;

    @BeforeAll
    static void rows() {
        SqlTests.createCdnTable(TABLE);
        db().execute("INSERT INTO " + TABLE + " (file_id, auth_value, filename) VALUES ('" + ALICE_FILE
                        + "', 'alice', 'alice.txt')",
                "CREATE OR REPLACE PROCEDURE keyhole_slow(IN f VARCHAR(160), IN a VARCHAR(255))"
                        + " BEGIN DO SLEEP(5); SELECT 'late.txt' AS filename; END");
    }

    private static long millisSince(long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    @Test
    void aSlowQueryTimesOutWithinAuthTimeout() throws Exception {
        for (String query : List.of("SELECT SLEEP(5) AS s, 'late.txt' AS filename FROM DUAL WHERE :auth_value IS NOT NULL",
                "CALL keyhole_slow(:file_id, :auth_value)")) {
            try (SqlAuthorizer auth = over(query).queryTimeout(Duration.ofMillis(1000)).build()) {
                long start = System.nanoTime();
                AuthorizationException e = assertThrows(AuthorizationException.class,
                        () -> auth.authorize(request(ALICE_FILE, "alice")));
                long took = millisSince(start);
                assertEquals(Kind.TIMEOUT, e.kind(), e.getMessage());
                assertTrue(took >= 1000 && took < 1000 + SLACK_MILLIS, query + " took " + took + " ms");
                assertTrue(e.getMessage().contains("auth-timeout (1000 ms)"), e.getMessage());
            }
        }
        // the connection that timed out is not handed out again
        try (SqlAuthorizer auth = over("SELECT IF(:auth_value = 'slow', SLEEP(5), 0) AS s, 'f.txt' AS filename")
                .queryTimeout(Duration.ofMillis(500)).poolSize(1).build()) {
            assertThrows(AuthorizationException.class, () -> auth.authorize(request(ALICE_FILE, "slow")));
            assertEquals("f.txt", auth.authorize(request(ALICE_FILE, "alice")).filename());
        }
    }

    @Test
    void anExhaustedPoolFailsAfterPoolWaitNamingTheSetting() throws Exception {
        try (SqlAuthorizer auth = over("SELECT IF(:auth_value = 'slow', SLEEP(3), 0) AS s, 'f.txt' AS filename")
                .poolSize(1).poolWait(Duration.ofMillis(200)).build()) {
            ExecutorService slow = Executors.newSingleThreadExecutor();
            try {
                Future<?> busy = slow.submit(() -> auth.authorize(request(ALICE_FILE, "slow")));
                awaitSleepingQuery();
                long start = System.nanoTime();
                AuthorizationException e = assertThrows(AuthorizationException.class,
                        () -> auth.authorize(request(ALICE_FILE, "alice")));
                long took = millisSince(start);
                assertEquals(Kind.UNAVAILABLE, e.kind());
                assertTrue(took >= 200 && took < 200 + SLACK_MILLIS, "took " + took + " ms");
                assertTrue(e.getMessage().contains("sql-pool-size=1"), e.getMessage());
                assertTrue(e.getMessage().contains("waited 200 ms (sql-pool-wait)"), e.getMessage());
                busy.get(10, TimeUnit.SECONDS);
                assertEquals("f.txt", auth.authorize(request(ALICE_FILE, "alice")).filename());
            } finally {
                slow.shutdownNow();
            }
        }
    }

    /** Waits until the server runs a SLEEP for our user, so the single connection is surely taken. */
    private static void awaitSleepingQuery() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        try (Connection c = db().connect(); Statement s = c.createStatement()) {
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM information_schema.PROCESSLIST"
                        + " WHERE INFO LIKE '%SLEEP(3)%' AND ID <> CONNECTION_ID()")) {
                    rs.next();
                    if (rs.getInt(1) > 0) {
                        return;
                    }
                }
                Thread.sleep(20);
            }
        }
        throw new AssertionError("the slow query never started");
    }

    /**
     * A server that accepts connections but never speaks (a hung database, a wrong port behind a
     * proxy): connecting gives up after auth-connect-timeout, and the requests that follow fail at
     * once instead of waiting again.
     */
    @Test
    void aSilentServerCostsTheConnectTimeoutOnceThenFailsFast() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             SqlAuthorizer auth = SqlAuthorizer.builder()
                     .dsn("127.0.0.1:" + silent.getLocalPort() + ":keyhole:pw:keyhole")
                     .connectTimeout(Duration.ofMillis(400)).build()) {
            long start = System.nanoTime();
            AuthorizationException first = assertThrows(AuthorizationException.class,
                    () -> auth.authorize(request(ALICE_FILE, "alice")));
            long took = millisSince(start);
            assertEquals(Kind.UNAVAILABLE, first.kind());
            assertTrue(took >= 400 && took < 400 + SLACK_MILLIS, "took " + took + " ms");
            for (int i = 0; i < 20; i++) {
                long t = System.nanoTime();
                AuthorizationException next = assertThrows(AuthorizationException.class,
                        () -> auth.authorize(request(ALICE_FILE, "alice")));
                assertEquals(Kind.UNAVAILABLE, next.kind());
                assertTrue(millisSince(t) < 100, "a request while the database is down took " + millisSince(t) + " ms");
                assertTrue(next.getMessage().contains("unreachable"), next.getMessage());
            }
        }
    }

    @Test
    void aWrongPasswordIsUnavailableAndNeverQuoted() {
        String secret = "Wr0ng-Secret-Value";
        try (SqlAuthorizer auth = SqlAuthorizer.builder()
                .dsn(db().host() + ":" + db().port() + ":" + db().user() + ":" + secret + ":" + db().database())
                .build()) {
            AuthorizationException e = assertThrows(AuthorizationException.class,
                    () -> auth.authorize(request(ALICE_FILE, "alice")));
            assertEquals(Kind.UNAVAILABLE, e.kind());
            assertTrue(e.getMessage().contains("Access denied"), e.getMessage());
            for (Throwable t = e; t != null; t = t.getCause()) {
                assertFalse(String.valueOf(t.getMessage()).contains(secret), t.getMessage());
            }
            assertFalse(auth.toString().contains(secret));
        }
    }

    /**
     * The database stops in the middle of a run: requests fail at once with 503 and no thread is
     * left waiting inside the authoriser or the driver; when it is back, the same authoriser
     * serves again without a restart.
     */
    @Test
    void aDatabaseOutageFailsFastAndHealsItself() throws Exception {
        assumeTrue(db().embedded(), "needs a server this JVM can stop and start");
        int threads = 8;
        try (SqlAuthorizer auth = over(QUERY).poolSize(4).connectTimeout(Duration.ofMillis(500)).build()) {
            ExecutorService clients = Executors.newFixedThreadPool(threads);
            try {
                // warm: every pooled connection in use once
                List<Future<String>> warm = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    warm.add(clients.submit(() -> auth.authorize(request(ALICE_FILE, "alice")).filename()));
                }
                for (Future<String> f : warm) {
                    assertEquals("alice.txt", f.get(10, TimeUnit.SECONDS));
                }

                assertTrue(auth.probe(), "the health probe reaches the database");

                db().stop();
                assertEquals(Kind.UNAVAILABLE, assertThrows(AuthorizationException.class, auth::probe).kind());
                Set<Thread> threadsBefore = Thread.getAllStackTraces().keySet();
                List<Future<Long>> during = new ArrayList<>();
                for (int i = 0; i < threads * 10; i++) {
                    during.add(clients.submit(() -> {
                        long start = System.nanoTime();
                        AuthorizationException e = assertThrows(AuthorizationException.class,
                                () -> auth.authorize(request(ALICE_FILE, "alice")));
                        assertEquals(Kind.UNAVAILABLE, e.kind(), e.getMessage());
                        return millisSince(start);
                    }));
                }
                long slowest = 0;
                for (Future<Long> f : during) {
                    slowest = Math.max(slowest, f.get(10, TimeUnit.SECONDS));
                }
                // bound: the pool wait plus one connect attempt; in practice a refused connect takes a millisecond
                assertTrue(slowest < 500 + 500 + SLACK_MILLIS, "slowest failing request took " + slowest + " ms");
                List<String> started = Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> !threadsBefore.contains(t)).map(Thread::getName).toList();
                assertEquals(List.of(), started, "threads started while the database was down");
                assertEquals(List.of(), threadsInside(), "threads still inside the authoriser or the driver");

                db().start();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                String answer = null;
                while (answer == null && System.nanoTime() < deadline) {
                    try {
                        answer = clients.submit(() -> auth.authorize(request(ALICE_FILE, "alice")).filename())
                                .get(10, TimeUnit.SECONDS);
                    } catch (java.util.concurrent.ExecutionException e) {
                        Thread.sleep(100);
                    }
                }
                assertEquals("alice.txt", answer, "service did not resume after the database came back");
                assertTrue(auth.probe(), "the health probe sees the database back");
                List<Future<String>> after = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    after.add(clients.submit(() -> auth.authorize(request(ALICE_FILE, "alice")).filename()));
                }
                for (Future<String> f : after) {
                    assertEquals("alice.txt", f.get(10, TimeUnit.SECONDS));
                }
            } finally {
                clients.shutdownNow();
                db().start();
            }
        }
    }

    /** Threads with a frame in the driver or in the authoriser's own classes (not in these tests). */
    private static List<String> threadsInside() {
        List<String> inside = new ArrayList<>();
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            for (StackTraceElement frame : e.getValue()) {
                String c = frame.getClassName();
                if (c.startsWith("org.mariadb.") || c.startsWith(SqlAuthorizer.class.getName())
                        || c.startsWith(ConnectionPool.class.getName()) || c.startsWith("io.keyhole.internal.sql.")) {
                    inside.add(e.getKey().getName() + " at " + frame);
                    break;
                }
            }
        }
        return inside;
    }
}
