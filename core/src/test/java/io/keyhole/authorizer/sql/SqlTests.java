package io.keyhole.authorizer.sql;

import io.keyhole.AuthRequest;
import io.keyhole.FileId;
import io.keyhole.testing.MariaDb;
import java.time.Duration;
import java.util.Optional;

/** Shared pieces of the SQL tests: the server, DSNs for it, requests. */
final class SqlTests {

    static final String ALICE_FILE = "9f86d081884c7d659a2feaa0c55ad015";
    static final String OTHER_FILE = "2c26b46b68ffc68ff99b453c1d304134";

    private SqlTests() {
    }

    static MariaDb db() {
        return MariaDb.get();
    }

    /** The module's DSN form over TCP. */
    static String tcpDsn() {
        MariaDb db = db();
        return db.host() + ":" + db.port() + ":" + db.user() + ":" + db.password() + ":" + db.database();
    }

    /** The module's DSN form over the Unix socket, when the server has one. */
    static Optional<String> socketDsn() {
        MariaDb db = db();
        return db.socketPath().map(s -> "localhost:" + s + ":" + db.user() + ":" + db.password() + ":" + db.database());
    }

    /** An authoriser for {@code query} over TCP, with short deadlines. */
    static SqlSettings.Builder over(String query) {
        return SqlAuthorizer.builder().dsn(tcpDsn()).query(query)
                .connectTimeout(Duration.ofSeconds(2)).queryTimeout(Duration.ofSeconds(5));
    }

    static AuthRequest request(String fileId, String authValue) {
        return new AuthRequest("/files/" + fileId, FileId.parse(fileId), "GET", authValue, null, null);
    }

    /** The table of the README, with the module's columns. */
    static void createCdnTable(String name) {
        db().execute("CREATE OR REPLACE TABLE " + name + " ("
                + " file_id VARCHAR(160) NOT NULL,"
                + " auth_value VARCHAR(255) NOT NULL,"
                + " status SMALLINT NULL,"
                + " filename VARCHAR(255) NULL,"
                + " content_type VARCHAR(255) NULL,"
                + " content_disposition VARCHAR(32) NULL,"
                + " etag VARCHAR(128) NULL,"
                + " length BIGINT NULL,"
                + " upload_date BIGINT NULL,"
                + " error VARCHAR(255) NULL,"
                + " PRIMARY KEY (file_id, auth_value))");
    }
}
