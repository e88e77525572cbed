package io.keyhole.authorizer.sql;

import static io.keyhole.authorizer.sql.SqlTests.db;
import static io.keyhole.authorizer.sql.SqlTests.over;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.AuthRequest;
import io.keyhole.AuthResponse;
import io.keyhole.AuthorizationException;
import io.keyhole.Disposition;
import io.keyhole.FileId;
import io.keyhole.StoredMetadata;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The statements of uploads and deletes against a real MariaDB: what they write, and what their counts answer. */
class SqlWritesTest {

    static final String TABLE = "cdn_writes";
    static final FileId ID = FileId.parse("40482fb01e0da292a1d208257a52059c");
    static final StoredMetadata STORED = new StoredMetadata(ID, 48_213, "9f86d081884c7d659a2feaa0c55ad015",
            Instant.parse("2026-11-22T10:15:30.999Z"), "application/pdf", "Zpráva 'č. 1'.pdf", Disposition.ATTACHMENT);
    static final String INSERT = SqlTemplate.DEFAULT_INSERT_QUERY.replace("INTO cdn (", "INTO " + TABLE + " (");
    static final String DELETE = SqlTemplate.DEFAULT_DELETE_QUERY.replace("FROM cdn ", "FROM " + TABLE + " ");

    @BeforeEach
    void table() {
        SqlTests.createCdnTable(TABLE);
    }

    static AuthRequest upload(String who) {
        return new AuthRequest("/files/" + ID, ID, "POST", who, null, null, STORED);
    }

    static AuthRequest delete(String who) {
        return new AuthRequest("/files/" + ID, ID, "DELETE", who, null, null);
    }

    static SqlAuthorizer writer() {
        return over("SELECT * FROM " + TABLE + " WHERE file_id = :file_id AND auth_value = :auth_value")
                .insertQuery(INSERT).deleteQuery(DELETE).build();
    }

    static List<String> rows() throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = db().connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT auth_value, file_id, filename, content_type, content_disposition, etag,"
                     + " length, upload_date FROM " + TABLE + " ORDER BY auth_value")) {
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= 8; i++) {
                    row.append(i > 1 ? "|" : "").append(rs.getString(i));
                }
                out.add(row.toString());
            }
        }
        return out;
    }

    @Test
    void anUploadIsRecordedWithEveryFieldBound() throws Exception {
        try (SqlAuthorizer auth = writer()) {
            AuthResponse answer = auth.authorize(upload("alice"));
            // a row changed: the answer carries what was recorded, so the matrix sees a non-empty answer
            assertEquals(new AuthResponse(null, "Zpráva 'č. 1'.pdf", "application/pdf", "attachment",
                    "9f86d081884c7d659a2feaa0c55ad015", 48_213L, 1795342530L, null), answer);
            assertEquals(List.of("alice|" + ID + "|Zpráva 'č. 1'.pdf|application/pdf|attachment|"
                    + "9f86d081884c7d659a2feaa0c55ad015|48213|1795342530"), rows());

            // REPLACE of the same key reports two changed rows; still one row, still non-empty
            assertEquals(answer, auth.authorize(upload("alice")));
            assertEquals(1, rows().size());

            // and the download query finds it
            AuthResponse download = auth.authorize(new AuthRequest("/files/" + ID, ID, "GET", "alice", null, null));
            assertEquals("Zpráva 'č. 1'.pdf", download.filename());
            assertEquals(48_213L, download.length());
        }
    }

    @Test
    void theLaterModulesPositionalInsert() throws Exception {
        try (SqlAuthorizer auth = over("SELECT * FROM " + TABLE + " WHERE auth_value = %s")
                .insertQuery("INSERT INTO " + TABLE + " (auth_value, file_id, filename, content_type, content_disposition,"
                        + " etag) VALUES ('%s', '%s', '%s', '%s', '%s', '%s')").build()) {
            auth.authorize(upload("alice"));
        }
        assertEquals(List.of("alice|" + ID + "|Zpráva 'č. 1'.pdf|application/pdf|attachment|"
                + "9f86d081884c7d659a2feaa0c55ad015|null|null"), rows());
    }

    @Test
    void anInsertThatChangesNothingIsAnEmptyAnswer() throws Exception {
        try (SqlAuthorizer auth = over("SELECT * FROM " + TABLE + " WHERE auth_value = %s")
                .insertQuery("INSERT IGNORE INTO " + TABLE + " (auth_value, file_id) VALUES (:auth_value, :file_id)").build()) {
            assertEquals(new AuthResponse(null, "Zpráva 'č. 1'.pdf", "application/pdf", "attachment",
                    "9f86d081884c7d659a2feaa0c55ad015", 48_213L, 1795342530L, null), auth.authorize(upload("alice")));
            assertEquals(AuthResponse.EMPTY, auth.authorize(upload("alice")));
        }
    }

    @Test
    void aDeleteAnswersWhetherItRemovedTheUploadersRow() throws Exception {
        try (SqlAuthorizer auth = writer()) {
            auth.authorize(upload("alice"));
            // bob's delete matches no row: an empty answer, which the default matrix refuses
            assertEquals(AuthResponse.EMPTY, auth.authorize(delete("bob")));
            assertEquals(1, rows().size());
            // alice's removes hers: a non-empty answer naming the file
            AuthResponse answer = auth.authorize(delete("alice"));
            assertEquals(new AuthResponse(null, ID.value(), null, null, null, null, null, null), answer);
            assertEquals(List.of(), rows());
            assertEquals(AuthResponse.EMPTY, auth.authorize(delete("alice")));
        }
    }

    @Test
    void aDeleteReturningItsRowAnswersWithTheRow() throws Exception {
        try (SqlAuthorizer auth = over("SELECT * FROM " + TABLE + " WHERE auth_value = %s").insertQuery(INSERT)
                .deleteQuery("DELETE FROM " + TABLE + " WHERE file_id = :file_id AND auth_value = :auth_value"
                        + " RETURNING filename, length").build()) {
            auth.authorize(upload("alice"));
            AuthResponse answer = auth.authorize(delete("alice"));
            assertEquals("Zpráva 'č. 1'.pdf", answer.filename());
            assertEquals(48_213L, answer.length());
            // no row returned: sql-no-row, as for the query
            assertEquals(AuthResponse.ofStatus(404), auth.authorize(delete("alice")));
        }
    }

    /** A SIGNAL (SQLSTATE 45000) is the database refusing the statement: 502, not an outage, and not run twice. */
    @Test
    void aSignalFromATriggerIsABadAnswerRunOnce() throws Exception {
        // MyISAM keeps the trigger's count even though the statement fails: it shows how often it ran
        db().execute("CREATE OR REPLACE TABLE " + TABLE + "_tries (n INT) ENGINE=MyISAM",
                "CREATE OR REPLACE TRIGGER " + TABLE + "_refuse BEFORE INSERT ON " + TABLE + " FOR EACH ROW BEGIN"
                        + " INSERT INTO " + TABLE + "_tries VALUES (1);"
                        + " SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'uploads are closed'; END");
        try (SqlAuthorizer auth = writer()) {
            // a used connection first, so that a misread failure would be retried on a fresh one
            auth.authorize(new AuthRequest("/files/" + ID, ID, "GET", "alice", null, null));
            AuthorizationException e = assertThrows(AuthorizationException.class, () -> auth.authorize(upload("alice")));
            assertEquals(AuthorizationException.Kind.BAD_ANSWER, e.kind());
            assertTrue(e.getMessage().contains("uploads are closed"), e.getMessage());
        } finally {
            db().execute("DROP TRIGGER " + TABLE + "_refuse");
        }
        try (Connection c = db().connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + TABLE + "_tries")) {
            rs.next();
            assertEquals(1, rs.getInt(1));
        }
        assertEquals(List.of(), rows());
    }

    @Test
    void aFailingStatementIsABadAnswer() throws Exception {
        try (SqlAuthorizer auth = over("SELECT * FROM " + TABLE + " WHERE auth_value = %s")
                .insertQuery("INSERT INTO no_such_table (file_id) VALUES (:file_id)").build()) {
            AuthorizationException e = assertThrows(AuthorizationException.class, () -> auth.authorize(upload("alice")));
            assertEquals(AuthorizationException.Kind.BAD_ANSWER, e.kind());
        }
    }
}
