package io.keyhole.authorizer.sql;

import static io.keyhole.authorizer.sql.SqlTests.ALICE_FILE;
import static io.keyhole.authorizer.sql.SqlTests.OTHER_FILE;
import static io.keyhole.authorizer.sql.SqlTests.db;
import static io.keyhole.authorizer.sql.SqlTests.over;
import static io.keyhole.authorizer.sql.SqlTests.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.AuthRequest;
import io.keyhole.AuthResponse;
import io.keyhole.AuthorizationException.Kind;
import io.keyhole.AuthorizationException;
import io.keyhole.FileId;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Queries against a real MariaDB: which row answers, and how its columns become an answer. */
class SqlAuthorizerTest {

    @BeforeAll
    static void rows() {
        SqlTests.createCdnTable("cdn");
        db().execute(
                "INSERT INTO cdn (file_id, auth_value, filename, content_type, content_disposition, etag, length, upload_date)"
                        + " VALUES ('" + ALICE_FILE + "', 'alice', 'report.pdf', 'application/pdf', 'attachment',"
                        + " '\"v1\"', 1234, 1700000000)",
                "INSERT INTO cdn (file_id, auth_value, status, error) VALUES ('" + ALICE_FILE + "', 'mallory', 403,"
                        + " 'mallory is blocked')",
                "CREATE OR REPLACE PROCEDURE keyhole_check(IN f VARCHAR(160), IN a VARCHAR(255))"
                        + " BEGIN"
                        + "   UPDATE cdn SET error = NULL WHERE 1 = 0;"
                        + "   SELECT filename, content_type, length FROM cdn WHERE file_id = f AND auth_value = a;"
                        + " END");
    }

    private static AuthResponse ask(SqlSettings.Builder builder, AuthRequest request) throws Exception {
        try (SqlAuthorizer auth = builder.build()) {
            return auth.authorize(request);
        }
    }

    @Test
    void theOwnerGetsTheRowsMetadata() throws Exception {
        AuthResponse answer = ask(SqlAuthorizer.builder().dsn(SqlTests.tcpDsn()), request(ALICE_FILE, "alice"));
        assertEquals(new AuthResponse(null, "report.pdf", "application/pdf", "attachment", "\"v1\"", 1234L,
                1700000000L, null, "alice"), answer);
    }

    @Test
    void anotherUserFindsNoRowAnd404ByDefault() throws Exception {
        assertEquals(AuthResponse.ofStatus(404), ask(over(SqlTemplate.DEFAULT_QUERY), request(ALICE_FILE, "bob")));
        assertEquals(AuthResponse.ofStatus(404), ask(over(SqlTemplate.DEFAULT_QUERY), request(OTHER_FILE, "alice")));
    }

    @Test
    void noCredentialIsBoundAsNullAndMatchesNothing() throws Exception {
        assertEquals(AuthResponse.ofStatus(404), ask(over(SqlTemplate.DEFAULT_QUERY), request(ALICE_FILE, null)));
    }

    @Test
    void aStatusInTheRowIsTheAnswer() throws Exception {
        AuthResponse answer = ask(over(SqlTemplate.DEFAULT_QUERY), request(ALICE_FILE, "mallory"));
        assertEquals(403, answer.status());
        assertEquals("mallory is blocked", answer.error());
    }

    @Test
    void whatNoRowMeansIsConfigurable() throws Exception {
        assertEquals(AuthResponse.ofStatus(403),
                ask(over(SqlTemplate.DEFAULT_QUERY).noRow(SqlAuthorizer.NoRow.FORBIDDEN), request(ALICE_FILE, "bob")));
        assertEquals(AuthResponse.EMPTY,
                ask(over(SqlTemplate.DEFAULT_QUERY).noRow(SqlAuthorizer.NoRow.EMPTY), request(ALICE_FILE, "bob")));
    }

    @Test
    void storedProceduresAnswerWithTheirFirstResultSet() throws Exception {
        AuthResponse answer = ask(over("CALL keyhole_check(:file_id, :auth_value)"), request(ALICE_FILE, "alice"));
        assertEquals("report.pdf", answer.filename());
        assertEquals(1234L, answer.length());
        assertEquals(AuthResponse.ofStatus(404),
                ask(over("CALL keyhole_check(:file_id, :auth_value)"), request(ALICE_FILE, "bob")));
    }

    @Test
    void theModulesQueriesWorkUnchanged() throws Exception {
        // early module: one %s, the auth value
        AuthResponse early = ask(over("SELECT filename FROM cdn WHERE auth_value = %s AND status IS NULL"),
                request(OTHER_FILE, "alice"));
        assertEquals("report.pdf", early.filename());
        // later module: file id then auth value, quoted by printf
        AuthResponse later = ask(over("SELECT * FROM cdn WHERE file_id='%s' AND auth_value='%s'"),
                request(ALICE_FILE, "alice"));
        assertEquals("report.pdf", later.filename());
        assertEquals(AuthResponse.ofStatus(404),
                ask(over("SELECT * FROM cdn WHERE file_id='%s' AND auth_value='%s'"), request(ALICE_FILE, "bob")));
    }

    @Test
    void uriAndMethodCanBeBound() throws Exception {
        AuthResponse answer = ask(over("SELECT :uri AS filename, :method AS content_type, :file_id AS etag"),
                new AuthRequest("/files/" + ALICE_FILE, FileId.parse(ALICE_FILE), "HEAD", null, null, null));
        assertEquals("/files/" + ALICE_FILE, answer.filename());
        assertEquals("HEAD", answer.contentType());
        assertEquals(ALICE_FILE, answer.etag());
    }

    static Stream<Arguments> columns() {
        long date = 1_700_000_000L; // 2023-11-14T22:13:20Z
        return Stream.of(
                // select list (bound :auth_value makes it a valid query), the answer expected
                Arguments.of("200 AS status", new AuthResponse(200, null, null, null, null, null, null, null)),
                Arguments.of("CAST(403 AS SIGNED) AS Status", AuthResponse.ofStatus(403)),
                Arguments.of("CAST(404 AS DECIMAL(5,0)) AS STATUS", AuthResponse.ofStatus(404)),
                Arguments.of("'410' AS status", AuthResponse.ofStatus(410)),
                Arguments.of("5000000000 AS length", answer(null, 5_000_000_000L, null)),
                Arguments.of("CAST(5000000000 AS DECIMAL(20,0)) AS length", answer(null, 5_000_000_000L, null)),
                Arguments.of("' 123 ' AS length", answer(null, 123L, null)),
                Arguments.of("12.000 AS length", answer(null, 12L, null)),
                Arguments.of(date + " AS upload_date", answer(null, null, date)),
                Arguments.of("'" + date + "' AS upload_date", answer(null, null, date)),
                Arguments.of(date + ".75 AS upload_date", answer(null, null, date)),
                Arguments.of("TIMESTAMP'2023-11-14 22:13:20' AS upload_date", answer(null, null, date)),
                Arguments.of("CAST('2023-11-14 22:13:20.5' AS DATETIME(3)) AS upload_date", answer(null, null, date)),
                Arguments.of("FROM_UNIXTIME(" + date + ") AS upload_date", answer(null, null, date)),
                Arguments.of("DATE'2023-11-14' AS upload_date", answer(null, null, 1_699_920_000L)),
                // the module's spelling is read too; the right one wins when both are there
                Arguments.of("'attachment' AS content_dispostion", disposition("attachment")),
                Arguments.of("'inline' AS content_disposition, 'attachment' AS content_dispostion", disposition("inline")),
                // unknown columns are ignored, NULL is "not sent"
                Arguments.of("'x' AS owner, 42 AS quota, NULL AS filename", AuthResponse.EMPTY),
                Arguments.of("'f.txt' AS filename, 'text/plain' AS content_type, 'e' AS etag, 'why' AS error",
                        new AuthResponse(null, "f.txt", "text/plain", null, "e", null, null, "why")),
                Arguments.of("'alice' AS auth_value",
                        new AuthResponse(null, null, null, null, null, null, null, null, "alice")));
    }

    private static AuthResponse answer(Integer status, Long length, Long uploadDate) {
        return new AuthResponse(status, null, null, null, null, length, uploadDate, null);
    }

    private static AuthResponse disposition(String value) {
        return new AuthResponse(null, null, null, value, null, null, null, null);
    }

    @ParameterizedTest(name = "SELECT {0}")
    @MethodSource("columns")
    void columnsAreReadByLabelAndConverted(String select, AuthResponse expected) throws Exception {
        assertEquals(expected, ask(over("SELECT " + select + " FROM DUAL WHERE :auth_value IS NOT NULL"),
                request(ALICE_FILE, "alice")));
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of("'abc' AS status", "column status must hold a whole number, was 'abc'"),
                Arguments.of("99 AS status", "column status must be an HTTP status 100..599, was 99"),
                Arguments.of("600 AS status", "column status must be 0..599, was 600"),
                Arguments.of("200.5 AS status", "column status must be a whole number, was 200.5"),
                Arguments.of("-1 AS length", "column length must be 0.."),
                Arguments.of("1.5 AS length", "column length must be a whole number, was 1.5"),
                Arguments.of("'yesterday' AS upload_date", "column upload_date must hold a whole number"),
                Arguments.of("TIMESTAMP'1960-01-01 00:00:00' AS upload_date", "column upload_date must be 0.."),
                Arguments.of("TRUE = TRUE AS status, 1 AS x", null),
                Arguments.of("200 AS status, 403 AS STATUS", "column status appears twice"));
    }

    @ParameterizedTest(name = "SELECT {0}")
    @MethodSource("badValues")
    void aValueThatCannotBeReadIsABadAnswerNamingTheColumn(String select, String message) throws Exception {
        SqlSettings.Builder builder = over("SELECT " + select + " FROM DUAL WHERE :auth_value IS NOT NULL");
        if (message == null) {
            // MariaDB's booleans are integers: 1 is no HTTP status
            message = "column status must be an HTTP status 100..599, was 1";
        }
        AuthorizationException e = assertThrows(AuthorizationException.class,
                () -> ask(builder, request(ALICE_FILE, "alice")));
        assertEquals(Kind.BAD_ANSWER, e.kind());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void whenSeveralRowsComeBackTheFirstDecides() throws Exception {
        AuthResponse answer = ask(over("SELECT 'first' AS filename FROM DUAL WHERE :auth_value IS NOT NULL"
                + " UNION ALL SELECT 'second' AS filename"), request(ALICE_FILE, "alice"));
        assertEquals("first", answer.filename());
    }

    @Test
    void aFailingQueryIsABadAnswerAndTheConnectionStaysUsable() throws Exception {
        try (SqlAuthorizer auth = over("SELECT * FROM no_such_table WHERE a = :auth_value").build()) {
            for (int i = 0; i < 3; i++) {
                AuthorizationException e = assertThrows(AuthorizationException.class,
                        () -> auth.authorize(request(ALICE_FILE, "alice")));
                assertEquals(Kind.BAD_ANSWER, e.kind());
                assertTrue(e.getMessage().contains("no_such_table"), e.getMessage());
                assertTrue(e.getMessage().contains("SQLState 42S02"), e.getMessage());
            }
        }
    }

    @Test
    void describesItselfWithoutThePassword() {
        try (SqlAuthorizer auth = over(SqlTemplate.DEFAULT_QUERY).build()) {
            String text = auth.toString();
            assertTrue(text.startsWith("sql over mysql://keyhole@"), text);
            assertTrue(!text.contains(db().password()), text);
        }
    }

    @Test
    void aNullCellIsNotSent() throws Exception {
        AuthResponse answer = ask(over("SELECT NULL AS status, NULL AS length FROM DUAL WHERE :auth_value IS NOT NULL"),
                request(ALICE_FILE, "alice"));
        assertNull(answer.status());
        assertNull(answer.length());
    }
}
