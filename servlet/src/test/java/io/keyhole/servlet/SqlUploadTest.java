package io.keyhole.servlet;

import static io.keyhole.servlet.UploadHttp.form;
import static io.keyhole.servlet.UploadHttp.post;
import static io.keyhole.servlet.UploadHttp.snapshot;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyhole.FileId;
import io.keyhole.testing.MariaDb;
import io.keyhole.testing.RawHttp;
import io.keyhole.testing.Tokens;
import io.keyhole.tree.HashedTree;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Upload → insert → download → delete through a real Jetty, with a real MariaDB as the only backend. */
class SqlUploadTest {

    static final String TABLE = "cdn_http";

    @TempDir
    static Path root;
    static JettyHarness jetty;

    @BeforeAll
    static void start() throws Exception {
        new HashedTree(root, 2).create();
        MariaDb db = MariaDb.get();
        db.execute("CREATE OR REPLACE TABLE " + TABLE + " ("
                + " file_id VARCHAR(160) NOT NULL, auth_value VARCHAR(255) NOT NULL, status SMALLINT NULL,"
                + " filename VARCHAR(255) NULL, content_type VARCHAR(255) NULL, content_disposition VARCHAR(32) NULL,"
                + " etag VARCHAR(128) NULL, length BIGINT NULL, upload_date BIGINT NULL, error VARCHAR(255) NULL,"
                + " PRIMARY KEY (file_id, auth_value))");
        jetty = JettyHarness.start(Map.ofEntries(
                Map.entry("fs-root", root.toString()),
                Map.entry("fs-depth", "2"),
                Map.entry("mount", "/files/"),
                Map.entry("jwt-key", new String(Tokens.KEY, StandardCharsets.UTF_8)),
                Map.entry("jwt-field", "uid"),
                Map.entry("request-type", "sql"),
                Map.entry("sql-dsn", db.host() + ":" + db.port() + ":" + db.user() + ":" + db.password() + ":" + db.database()),
                Map.entry("sql-query", "SELECT * FROM " + TABLE + " WHERE file_id = :file_id AND auth_value = :auth_value"),
                Map.entry("sql-insert-query", "INSERT INTO " + TABLE + " (auth_value, file_id, filename, content_type,"
                        + " content_disposition, etag, length, upload_date) VALUES (:auth_value, :file_id, :filename,"
                        + " :content_type, :content_disposition, :etag, :length, :upload_date)"),
                Map.entry("sql-delete-query", "DELETE FROM " + TABLE + " WHERE file_id = :file_id AND auth_value = :auth_value"),
                Map.entry("read-only", "no")));
    }

    @AfterAll
    static void stop() throws Exception {
        jetty.close();
    }

    static String bearer(String user) {
        return "Authorization: Bearer " + Tokens.valid(user);
    }

    static List<String> row(String id) throws Exception {
        try (Connection c = MariaDb.get().connect();
             PreparedStatement ps = c.prepareStatement("SELECT auth_value, filename, content_type, content_disposition,"
                     + " etag, length, upload_date FROM " + TABLE + " WHERE file_id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                List<String> out = new ArrayList<>();
                while (rs.next()) {
                    for (int i = 1; i <= 7; i++) {
                        out.add(rs.getString(i));
                    }
                }
                return out;
            }
        }
    }

    @Test
    void uploadInsertDownloadDelete() throws Exception {
        byte[] content = new byte[123_456];
        new Random(5).nextBytes(content);

        // upload: the file is stored, the row inserted with everything the client is told
        RawHttp.Response up = post(jetty.port(), "/files/", form("n", "Invoice 2026-11.pdf", "cd", "attachment", "d", content),
                bearer("alice"));
        assertEquals(201, up.status(), up.text());
        JsonNode body = new ObjectMapper().readTree(up.body());
        String id = body.get("file_id").asText();
        assertEquals(List.of("alice", "Invoice 2026-11.pdf", "application/pdf", "attachment", body.get("etag").asText(),
                Integer.toString(content.length), body.get("upload_date").asText()), row(id));
        Path file = new HashedTree(root, 2).pathOf(FileId.parse(id));
        assertArrayEquals(content, Files.readAllBytes(file));

        // download: the row answers, the bytes and the metadata come back
        RawHttp.Response down = RawHttp.request(jetty.port(), "GET", "/files/" + id, bearer("alice"));
        assertEquals(200, down.status());
        assertArrayEquals(content, down.body());
        assertEquals("application/pdf", down.header("Content-Type"));
        assertEquals("\"" + body.get("etag").asText() + "\"", down.header("ETag"));
        assertTrue(down.header("Content-Disposition").startsWith("attachment; filename=\"Invoice 2026-11.pdf\""));

        // another user finds no row
        assertEquals(404, RawHttp.request(jetty.port(), "GET", "/files/" + id, bearer("bob")).status());

        // another user's delete removes no row: an empty answer, refused; file and row stay
        assertEquals(403, RawHttp.request(jetty.port(), "DELETE", "/files/" + id, bearer("bob")).status());
        assertTrue(Files.exists(file));
        assertEquals(7, row(id).size());

        // the owner's delete removes the row, then the file
        assertEquals(204, RawHttp.request(jetty.port(), "DELETE", "/files/" + id, bearer("alice")).status());
        assertFalse(Files.exists(file));
        assertEquals(List.of(), row(id));
        assertEquals(404, RawHttp.request(jetty.port(), "GET", "/files/" + id, bearer("alice")).status());
    }

    @Test
    void anInsertThatFailsTakesTheFileBackOut() throws Exception {
        MariaDb.get().execute("CREATE OR REPLACE TRIGGER " + TABLE + "_no_dave BEFORE INSERT ON " + TABLE + " FOR EACH ROW"
                + " IF NEW.auth_value = 'dave' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'no uploads by dave'; END IF");
        try {
            List<Path> before = snapshot(root);
            RawHttp.Response r = post(jetty.port(), "/files/", form("d", "refused".getBytes(StandardCharsets.UTF_8)),
                    bearer("dave"));
            assertEquals(502, r.status());
            assertEquals(before, snapshot(root));
        } finally {
            MariaDb.get().execute("DROP TRIGGER " + TABLE + "_no_dave");
        }
    }
}
