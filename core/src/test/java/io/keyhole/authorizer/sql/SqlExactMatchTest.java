package io.keyhole.authorizer.sql;

import static io.keyhole.authorizer.sql.SqlTests.ALICE_FILE;
import static io.keyhole.authorizer.sql.SqlTests.db;
import static io.keyhole.authorizer.sql.SqlTests.over;
import static io.keyhole.authorizer.sql.SqlTests.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.testing.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The review's SQL finding against a real MariaDB: with a {@code VARCHAR} in the server's default
 * collation, {@code ALICE} and {@code "alice "} found alice's row. The row's {@code auth_value}
 * is now compared exactly, and the documented schema compares exactly by itself.
 */
class SqlExactMatchTest {

    private static void aliceOwns(String table) {
        db().execute("INSERT INTO " + table + " (file_id, auth_value, status, filename) VALUES ('" + ALICE_FILE
                + "', 'alice', 200, 'alice.pdf')");
    }

    /** The schema as the README had it: MariaDB's default collation, case-insensitive and padding. */
    @ParameterizedTest(name = "uid \"{0}\"")
    @ValueSource(strings = {"ALICE", "alice ", "Alice", "alice  "})
    void aRowForAnotherSpellingIsNoRow(String claim) throws Exception {
        SqlTests.createCdnTable("cdn_default_collation");
        aliceOwns("cdn_default_collation");
        try (SqlAuthorizer sql = over("SELECT * FROM cdn_default_collation WHERE file_id = :file_id"
                + " AND auth_value = :auth_value").build();
             LogCapture log = LogCapture.start()) {
            assertEquals(200, sql.authorize(request(ALICE_FILE, "alice")).status());
            assertEquals(404, sql.authorize(request(ALICE_FILE, claim)).status(), "the claim '" + claim + "'");
            assertTrue(log.containing("another auth_value than the request's").size() == 1, log.lines().toString());
        }
    }

    /** The table of docs/sql.md, run as written, with a query that does not even return auth_value. */
    @ParameterizedTest(name = "uid \"{0}\"")
    @ValueSource(strings = {"ALICE", "alice "})
    void theDocumentedSchemaComparesExactly(String claim) throws Exception {
        String docs = Files.readString(Path.of("..", "docs", "sql.md"));
        Matcher create = Pattern.compile("CREATE TABLE cdn \\((.*?)\\n\\);", Pattern.DOTALL).matcher(docs);
        assertTrue(create.find(), "docs/sql.md shows the table");
        String columns = create.group(1).replaceAll("--[^\\n]*", "");
        db().execute("CREATE OR REPLACE TABLE cdn_documented (" + columns + ")");
        aliceOwns("cdn_documented");
        try (SqlAuthorizer sql = over("SELECT status, filename FROM cdn_documented WHERE file_id = :file_id"
                + " AND auth_value = :auth_value").build()) {
            assertEquals(200, sql.authorize(request(ALICE_FILE, "alice")).status());
            assertEquals(404, sql.authorize(request(ALICE_FILE, claim)).status(), "the claim '" + claim + "'");
        }
    }
}
