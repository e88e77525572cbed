package io.keyhole.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.keyhole.AuthRequest;
import io.keyhole.AuthorizationException;
import io.keyhole.FileId;
import io.keyhole.authorizer.sql.SqlAuthorizer;
import io.keyhole.testing.MariaDb;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The SQL backend's connection pool through a database outage: Keyhole's own pool against HikariCP
 * handed in as a {@code DataSource}, with the same bounds (4 connections, 500 ms to connect, 500 ms
 * to wait for a connection), and HikariCP handed to Keyhole, whose down-state then applies on top.
 * Eight request threads warm the pool, the database stops, 80 requests are asked, the database starts again, and requests are asked until one succeeds. Prints per pool:
 * the failing requests' latency (median, p90, max), the threads the pool started during the
 * outage, the threads still inside the pool or driver after it, and how long after the restart
 * service came back.
 *
 * <p>Run with {@code java -cp benchmarks/target/benchmarks.jar io.keyhole.benchmarks.SqlPoolOutage}
 * (it starts its own MariaDB, or uses the one named by {@code KEYHOLE_TEST_JDBC_URL}, which it
 * must be able to stop: embedded only).
 */
public final class SqlPoolOutage {

    static final String TABLE = "cdn_outage";
    static final String FILE = "9f86d081884c7d659a2feaa0c55ad015";
    static final int THREADS = 8;
    static final Duration CONNECT = Duration.ofMillis(500);
    static final Duration POOL_WAIT = Duration.ofMillis(500);

    private SqlPoolOutage() {
    }

    public static void main(String[] args) throws Exception {
        MariaDb db = MariaDb.get();
        if (!db.embedded()) {
            throw new IllegalStateException("needs a MariaDB this JVM can stop and start (unset " + MariaDb.ENV_URL + ")");
        }
        db.execute("CREATE OR REPLACE TABLE " + TABLE + " (file_id VARCHAR(160) NOT NULL, auth_value VARCHAR(255) NOT NULL,"
                        + " filename VARCHAR(255), PRIMARY KEY (file_id, auth_value))",
                "INSERT INTO " + TABLE + " VALUES ('" + FILE + "', 'alice', 'alice.txt')");
        String query = "SELECT * FROM " + TABLE + " WHERE file_id = :file_id AND auth_value = :auth_value";
        System.out.printf("loadavg at start: %s%n", loadavg());
        System.out.println("| pool | failing requests: median / p90 / max ms | threads started during the outage"
                + " | threads inside the pool or driver afterwards | service back after restart |");
        System.out.println("|---|---|---|---|---|");

        AuthRequest alice = new AuthRequest("/files/" + FILE, FileId.parse(FILE), "GET", "alice", null, null);
        try (SqlAuthorizer own = SqlAuthorizer.builder()
                .dsn(db.host() + ":" + db.port() + ":" + db.user() + ":" + db.password() + ":" + db.database())
                .poolSize(4).connectTimeout(CONNECT).poolWait(POOL_WAIT).query(query).build()) {
            System.out.println(run("Keyhole's own (`sql-pool-size=4`, `sql-pool-wait=500ms`)", db,
                    () -> own.authorize(alice)));
        }
        try (HikariDataSource pool = hikari(db)) {
            String sql = "SELECT * FROM " + TABLE + " WHERE file_id = ? AND auth_value = ?";
            System.out.println(run("HikariCP 7.1.0 alone (`maximumPoolSize=4`, `connectionTimeout=500`)", db, () -> {
                try (Connection c = pool.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
                    s.setString(1, FILE);
                    s.setString(2, "alice");
                    try (ResultSet rs = s.executeQuery()) {
                        return rs.next() ? rs.getString("filename") : null;
                    }
                }
            }));
        }
        try (HikariDataSource pool = hikari(db);
             SqlAuthorizer borrowed = SqlAuthorizer.builder().dataSource(pool).query(query).build()) {
            System.out.println(run("HikariCP 7.1.0 handed to Keyhole (`dataSource(...)`)", db,
                    () -> borrowed.authorize(alice)));
        }
        System.out.printf("loadavg at end: %s%n", loadavg());
        System.exit(0);
    }

    private static HikariDataSource hikari(MariaDb db) {
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(db.jdbcUrl() + (db.jdbcUrl().contains("?") ? "&" : "?") + "connectTimeout=" + CONNECT.toMillis());
        hikari.setUsername(db.user());
        hikari.setPassword(db.password());
        hikari.setMaximumPoolSize(4);
        hikari.setConnectionTimeout(POOL_WAIT.toMillis());
        hikari.setValidationTimeout(250);
        hikari.setInitializationFailTimeout(-1);
        return new HikariDataSource(hikari);
    }

    /** Warms, stops the database, asks 80 times from 8 threads, starts it, waits for service. */
    private static String run(String name, MariaDb db, Callable<Object> ask) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(THREADS);
        try {
            for (Future<?> f : submit(clients, THREADS, () -> untilAnswered(ask, TimeUnit.SECONDS.toNanos(30)))) {
                f.get(60, TimeUnit.SECONDS);
            }
            Set<Thread> warm = Thread.getAllStackTraces().keySet();
            db.stop();
            List<Future<Long>> failing = submit(clients, THREADS * 10, () -> {
                long start = System.nanoTime();
                try {
                    ask.call();
                    throw new IllegalStateException("answered while the database was down");
                } catch (AuthorizationException | SQLException expected) {
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                }
            });
            long[] millis = new long[failing.size()];
            for (int i = 0; i < millis.length; i++) {
                millis[i] = failing.get(i).get(60, TimeUnit.SECONDS);
            }
            Arrays.sort(millis);
            List<String> started = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> !warm.contains(t)).map(Thread::getName).sorted().toList();
            List<String> inside = inside();

            db.start();
            long restarted = System.nanoTime();
            Long back = clients.submit(() -> untilAnswered(ask, TimeUnit.SECONDS.toNanos(60))).get(70, TimeUnit.SECONDS);
            return "| " + name + " | " + millis[millis.length / 2] + " / " + millis[millis.length * 9 / 10] + " / "
                    + millis[millis.length - 1] + " | " + started.size() + (started.isEmpty() ? "" : " " + started)
                    + " | " + inside.size() + (inside.isEmpty() ? "" : " " + inside) + " | "
                    + (back == null ? "not within 60 s" : TimeUnit.NANOSECONDS.toMillis(back - restarted) + " ms") + " |";
        } finally {
            clients.shutdownNow();
            db.start();
        }
    }

    /** Asks until an answer comes; the time it came, or null after {@code limitNanos}. */
    private static Long untilAnswered(Callable<Object> ask, long limitNanos) {
        long start = System.nanoTime();
        while (System.nanoTime() - start < limitNanos) {
            try {
                ask.call();
                return System.nanoTime();
            } catch (Exception notYet) {
                Thread.onSpinWait();
            }
        }
        return null;
    }

    private static <T> List<Future<T>> submit(ExecutorService clients, int count, Callable<T> task) {
        List<Future<T>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            futures.add(clients.submit(task));
        }
        return futures;
    }

    /** Threads with a frame in a pool or the driver: waiting connects, housekeepers. */
    private static List<String> inside() {
        List<String> inside = new ArrayList<>();
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            for (StackTraceElement frame : e.getValue()) {
                String c = frame.getClassName();
                if (c.startsWith("com.zaxxer.hikari.") || c.startsWith("io.keyhole.authorizer.sql.") || c.startsWith("org.mariadb.")) {
                    inside.add(e.getKey().getName());
                    break;
                }
            }
        }
        return inside;
    }

    private static String loadavg() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
