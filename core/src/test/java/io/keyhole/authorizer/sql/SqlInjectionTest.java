package io.keyhole.authorizer.sql;

import static io.keyhole.authorizer.sql.SqlTests.ALICE_FILE;
import static io.keyhole.authorizer.sql.SqlTests.db;
import static io.keyhole.authorizer.sql.SqlTests.over;
import static io.keyhole.authorizer.sql.SqlTests.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.keyhole.AuthRequest;
import io.keyhole.AuthResponse;
import io.keyhole.FileId;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile credential values (a JWT claim is whatever the token's issuer put there) and request
 * paths: they are looked up literally, grant nothing, and never become part of the SQL text.
 */
class SqlInjectionTest {

    static final String TABLE = "cdn_injection";
    static final String QUERY = "SELECT * FROM " + TABLE + " WHERE file_id = :file_id AND auth_value = :auth_value";
    /** The module's quoted form, the one that was injectable when formatted into the text. */
    static final String MODULE_QUERY = "SELECT * FROM " + TABLE + " WHERE file_id='%s' AND auth_value='%s'";

    @BeforeAll
    static void rows() {
        SqlTests.createCdnTable(TABLE);
        db().execute("INSERT INTO " + TABLE + " (file_id, auth_value, filename) VALUES ('" + ALICE_FILE
                + "', 'alice', 'alice.txt')");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "' OR '1'='1",
            "alice' OR '1'='1",
            "alice'-- ",
            "alice' #",
            "alice'/*",
            "%s",
            "alice'; DROP TABLE " + TABLE + "; --",
            "\\' OR 1=1 -- ",
            "alice\u0000",
            ":auth_value",
            "?",
            "alice' UNION SELECT 200, 'x', 'y', 'z', 'w', 'e', 1, 1, 'err', 'v' -- "})
    void hostileAuthValuesGrantNothing(String value) throws Exception {
        for (String query : List.of(QUERY, MODULE_QUERY)) {
            try (SqlAuthorizer auth = over(query).build()) {
                assertEquals(AuthResponse.ofStatus(404), auth.authorize(request(ALICE_FILE, value)), query);
            }
        }
        // and the table is still there, with alice's row
        try (SqlAuthorizer auth = over(QUERY).build()) {
            assertEquals("alice.txt", auth.authorize(request(ALICE_FILE, "alice")).filename());
        }
    }

    @Test
    void aHostileValueIsLookedUpLiterally() throws Exception {
        String hostile = "' OR '1'='1";
        db().execute("INSERT INTO " + TABLE + " (file_id, auth_value, filename) VALUES ('" + ALICE_FILE
                + "', '\\' OR \\'1\\'=\\'1', 'literal.txt')");
        try (SqlAuthorizer auth = over(QUERY).build()) {
            assertEquals("literal.txt", auth.authorize(request(ALICE_FILE, hostile)).filename());
            assertEquals(AuthResponse.ofStatus(404), auth.authorize(request(ALICE_FILE, "' OR '1'='2")));
        } finally {
            db().execute("DELETE FROM " + TABLE + " WHERE filename = 'literal.txt'");
        }
    }

    @Test
    void hostileUrisAreBoundToo() throws Exception {
        try (SqlAuthorizer auth = over("SELECT filename FROM " + TABLE + " WHERE auth_value = :auth_value AND"
                + " :uri = CONCAT('/files/', file_id)").build()) {
            String evil = "/files/" + ALICE_FILE + "' OR '1'='1";
            assertEquals(AuthResponse.ofStatus(404), auth.authorize(
                    new AuthRequest(evil, FileId.parse(ALICE_FILE), "GET", "alice", null, null)));
            assertEquals("alice.txt", auth.authorize(request(ALICE_FILE, "alice")).filename());
        }
    }

    /**
     * What the server was asked to prepare or run as text, read from its general query log: the
     * statement with its markers, and never a request value. (The log prints executions with the
     * values filled in; those are bound values, not text, so they are left out.)
     */
    @Test
    void valuesNeverReachTheStatementText() throws Exception {
        assumeTrue(db().embedded(), "reading the query log needs the embedded server's root account");
        String marker = "kh-injection-probe";
        List<String> texts = new ArrayList<>();
        try (Connection admin = db().admin(); Statement s = admin.createStatement()) {
            s.execute("SET GLOBAL log_output = 'TABLE'");
            s.execute("TRUNCATE mysql.general_log");
            s.execute("SET GLOBAL general_log = 1");
            try {
                for (String query : List.of(QUERY, MODULE_QUERY)) {
                    try (SqlAuthorizer auth = over(query).build()) {
                        auth.authorize(request(ALICE_FILE, "' OR '1'='1' -- " + marker));
                        auth.authorize(new AuthRequest("/x/" + marker + "'", FileId.parse(ALICE_FILE), "GET",
                                marker + "%s", null, null));
                    }
                }
            } finally {
                s.execute("SET GLOBAL general_log = 0");
            }
            try (ResultSet rs = s.executeQuery("SELECT command_type, CONVERT(argument USING utf8mb4)"
                    + " FROM mysql.general_log WHERE command_type IN ('Prepare', 'Query')")) {
                while (rs.next()) {
                    texts.add(rs.getString(1) + ": " + rs.getString(2));
                }
            }
            s.execute("TRUNCATE mysql.general_log");
        }
        assertTrue(texts.stream().anyMatch(t -> t.startsWith("Prepare: ") && t.contains(TABLE + " WHERE file_id")),
                "the log must show the prepared statement: " + texts);
        for (String text : texts) {
            assertFalse(text.contains(marker), text);
        }
    }
}
