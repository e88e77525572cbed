package io.keyhole.authorizer.sql;

import static io.keyhole.authorizer.sql.SqlTests.ALICE_FILE;
import static io.keyhole.authorizer.sql.SqlTests.db;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.keyhole.Delivery;
import io.keyhole.FileId;
import io.keyhole.tree.HashedTree;
import io.keyhole.Keyhole;
import io.keyhole.KeyholeConfig;
import io.keyhole.NameValue;
import io.keyhole.RequestView;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The whole decision with a JWT, a real tree and MariaDB answering from its table. */
class SqlKeyholeTest {

    static final String TABLE = "cdn_keyhole";
    static final byte[] KEY = "a-test-key-of-32-bytes-or-longer!".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path root;
    Keyhole keyhole;
    SqlAuthorizer authorizer;

    @BeforeAll
    static void rows() {
        SqlTests.createCdnTable(TABLE);
        db().execute(
                "INSERT INTO " + TABLE + " (file_id, auth_value, filename, content_type, content_disposition, etag,"
                        + " length, upload_date) VALUES ('" + ALICE_FILE + "', 'alice', 'Quarterly report.pdf',"
                        + " 'application/pdf', 'attachment', 'v7', 11, 1700000000)",
                "INSERT INTO " + TABLE + " (file_id, auth_value, status) VALUES ('" + ALICE_FILE + "', 'mallory', 403)");
    }

    @BeforeEach
    void keyhole() throws Exception {
        HashedTree tree = new HashedTree(root, 2);
        Path file = tree.pathOf(FileId.parse(ALICE_FILE));
        Files.createDirectories(file.getParent());
        Files.writeString(file, "hello world");
        Map<String, String> p = new HashMap<>();
        p.put("fs-root", root.toString());
        p.put("fs-depth", "2");
        p.put("mount", "/files/");
        p.put("jwt-key", new String(KEY, StandardCharsets.UTF_8));
        p.put("jwt-field", "uid");
        p.put("request-type", "sql");
        p.put("transport-type", "mysql");
        p.put("sql-dsn", SqlTests.tcpDsn());
        p.put("sql-query", "SELECT * FROM " + TABLE + " WHERE file_id = '%s' AND auth_value = '%s'");
        KeyholeConfig config = KeyholeConfig.fromProperties(p);
        authorizer = (SqlAuthorizer) config.authorizer();
        keyhole = new Keyhole(config);
    }

    @AfterEach
    void close() {
        authorizer.close();
    }

    private static String token(String uid) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().claim("uid", uid)
                .expirationTime(Date.from(Instant.now().plusSeconds(600))).build());
        jwt.sign(new MACSigner(KEY));
        return jwt.serialize();
    }

    private Delivery get(String path, String uid, String... headerLines) throws Exception {
        List<NameValue> headers = new ArrayList<>();
        if (uid != null) {
            headers.add(new NameValue("Authorization", "Bearer " + token(uid)));
        }
        for (String line : headerLines) {
            int colon = line.indexOf(':');
            headers.add(new NameValue(line.substring(0, colon).trim(), line.substring(colon + 1).trim()));
        }
        return keyhole.decide(new Request("GET", path, headers));
    }

    private static String header(Delivery d, String name) {
        return d.headers().stream().filter(h -> h.name().equalsIgnoreCase(name)).map(NameValue::value)
                .findFirst().orElse(null);
    }

    @Test
    void theOwnerGetsTheFileWithTheRowsMetadata() throws Exception {
        Delivery d = get("/files/" + ALICE_FILE, "alice");
        Delivery.Send send = assertInstanceOf(Delivery.Send.class, d);
        assertEquals(200, send.status());
        assertEquals("application/pdf", header(d, "Content-Type"));
        assertEquals("\"v7\"", header(d, "ETag"));
        assertEquals("Tue, 14 Nov 2023 22:13:20 GMT", header(d, "Last-Modified"));
        assertEquals("attachment; filename=\"Quarterly report.pdf\"", header(d, "Content-Disposition"));
        assertEquals(11, send.contentLength());
    }

    @Test
    void theRowsValidatorsAnswerConditionalRequests() throws Exception {
        assertEquals(304, get("/files/" + ALICE_FILE, "alice", "If-None-Match: \"v7\"").status());
    }

    @Test
    void anotherUserGets404AndABlockedOne403() throws Exception {
        assertEquals(404, get("/files/" + ALICE_FILE, "bob").status());
        assertEquals(403, get("/files/" + ALICE_FILE, "mallory").status());
        assertEquals(401, get("/files/" + ALICE_FILE, null).status());
    }

    @ParameterizedTest(name = "uid {0}")
    @ValueSource(strings = {"' OR '1'='1", "alice' -- ", "alice'/*", "%s", "alice'; DELETE FROM " + TABLE + "; --"})
    void hostileClaimsGrantNothing(String uid) throws Exception {
        assertEquals(404, get("/files/" + ALICE_FILE, uid).status());
        assertEquals(200, get("/files/" + ALICE_FILE, "alice").status());
    }

    /** An id with SQL in it is no id: refused before the database is asked. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/files/" + ALICE_FILE + "'%20OR%20'1'='1", "/files/" + ALICE_FILE + "'--",
            "/files/%25s", "/files/abc;drop", "/files/" + ALICE_FILE + "/*"})
    void hostileIdsNeverReachTheDatabase(String path) throws Exception {
        AtomicInteger asked = new AtomicInteger();
        KeyholeConfig counting = KeyholeConfig.builder().fsRoot(root).fsDepth(2).mount("/files/")
                .authorizer(q -> {
                    asked.incrementAndGet();
                    return authorizer.authorize(q);
                }).build();
        assertEquals(404, new Keyhole(counting).decide(new Request("GET", path, List.of())).status());
        assertEquals(0, asked.get());
    }

    @Test
    void aDownDatabaseIs503AndNeverSendsTheFile() throws Exception {
        Map<String, String> p = new HashMap<>();
        p.put("fs-root", root.toString());
        p.put("fs-depth", "2");
        p.put("request-type", "sql");
        p.put("sql-dsn", "127.0.0.1:1:keyhole:pw:keyhole");
        p.put("auth-connect-timeout", "300ms");
        KeyholeConfig config = KeyholeConfig.fromProperties(p);
        SqlAuthorizer down = (SqlAuthorizer) config.authorizer();
        try {
            assertEquals(503, new Keyhole(config).decide(new Request("GET", "/" + ALICE_FILE, List.of())).status());
        } finally {
            down.close();
        }
    }

    /** A request as an adapter would hand it over. */
    private record Request(String method, String path, List<NameValue> headers) implements RequestView {
        @Override
        public String query() {
            return null;
        }

        @Override
        public List<NameValue> cookies() {
            return List.of();
        }

        @Override
        public List<String> values(String name) {
            return headers.stream().filter(h -> h.name().equalsIgnoreCase(name)).map(NameValue::value).toList();
        }
    }
}
