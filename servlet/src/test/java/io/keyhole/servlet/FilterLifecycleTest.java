package io.keyhole.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.testing.MariaDb;
import io.keyhole.testing.RawHttp;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the filter built from init-params, it closes when the container destroys it. */
class FilterLifecycleTest {

    @TempDir
    Path root;

    @Test
    void destroyClosesTheSqlPool() throws Exception {
        MariaDb db = MariaDb.get();
        int before = connections(db);
        // held until the end, so that only destroy() can close its connections (not the driver's cleaner)
        KeyholeFilter filter = new KeyholeFilter();
        JettyHarness jetty = JettyHarness.start(filter, Map.of(
                "fs-root", root.toString(),
                "request-type", "sql",
                "sql-dsn", db.jdbcUrl(),
                "sql-query", "SELECT 403 AS status FROM DUAL WHERE :file_id IS NOT NULL OR :auth_value IS NULL",
                "sql-pool-size", "3"));
        assertEquals(403, RawHttp.request(jetty.port(), "GET", "/abcdef0123456789").status());
        assertTrue(connections(db) > before, "the request left a pooled connection open");
        jetty.close();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (connections(db) > before && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertTrue(connections(db) <= before, "destroy() closed the pool: " + connections(db) + " > " + before);
        java.lang.ref.Reference.reachabilityFence(filter);
    }

    /** Connections of the test user, not counting the one asking. */
    private static int connections(MariaDb db) throws Exception {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl());
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM information_schema.PROCESSLIST"
                     + " WHERE USER = '" + db.user() + "' AND ID <> CONNECTION_ID()")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
