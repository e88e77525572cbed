package io.keyhole.benchmarks;

import io.keyhole.AuthRequest;
import io.keyhole.AuthResponse;
import io.keyhole.AuthorizationException;
import io.keyhole.Authorizer;
import io.keyhole.FileId;
import io.keyhole.authorizer.sql.SqlAuthorizer;
import io.keyhole.testing.MariaDb;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One authorisation round trip: bind, execute, read the row, as a request thread sees it. Against
 * the MariaDB of core's test fixture (started in the forked JVM, or the one named by
 * {@code KEYHOLE_TEST_JDBC_URL}), over TCP on loopback and over the Unix socket, next to an
 * in-process authoriser that returns a constant (the floor: what the call itself costs).
 *
 * <p>SampleTime gives the distribution; read p0.50 and p0.99 from the output.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 10)
@Fork(1)
public class SqlAuthorizationBenchmark {

    static final String FILE = "9f86d081884c7d659a2feaa0c55ad015";
    static final String TABLE = "cdn_benchmark";

    private AuthRequest request;
    private Authorizer constant;
    private SqlAuthorizer tcp;
    private SqlAuthorizer socket;

    @Setup(Level.Trial)
    public void setUp() throws AuthorizationException {
        MariaDb db = MariaDb.get();
        db.execute("CREATE OR REPLACE TABLE " + TABLE + " (file_id VARCHAR(160) NOT NULL, auth_value VARCHAR(255) NOT NULL,"
                        + " filename VARCHAR(255), content_type VARCHAR(255), content_disposition VARCHAR(32),"
                        + " etag VARCHAR(128), length BIGINT, upload_date BIGINT, status SMALLINT, error VARCHAR(255),"
                        + " PRIMARY KEY (file_id, auth_value))",
                // a table that is not trivially small, so the look-up goes through the index
                "INSERT INTO " + TABLE + " (file_id, auth_value, filename, length, upload_date)"
                        + " SELECT LPAD(HEX(seq), 32, '0'), CONCAT('user', seq % 1000), CONCAT('f', seq, '.bin'), seq, 1700000000"
                        + " FROM seq_1_to_100000",
                "INSERT INTO " + TABLE + " VALUES ('" + FILE + "', 'alice', 'report.pdf', 'application/pdf', 'attachment',"
                        + " 'v1', 1234, 1700000000, NULL, NULL)");
        request = new AuthRequest("/files/" + FILE, FileId.parse(FILE), "GET", "alice", null, null);
        AuthResponse fixed = new AuthResponse(null, "report.pdf", "application/pdf", "attachment", "v1", 1234L,
                1700000000L, null, "alice");
        constant = q -> fixed;
        String query = "SELECT * FROM " + TABLE + " WHERE file_id = :file_id AND auth_value = :auth_value";
        String credentials = db.user() + ":" + db.password() + ":" + db.database();
        tcp = SqlAuthorizer.builder().dsn(db.host() + ":" + db.port() + ":" + credentials).query(query).build();
        socket = db.socketPath().map(p -> SqlAuthorizer.builder().dsn("localhost:" + p + ":" + credentials)
                .query(query).build()).orElse(null);
        // fail here, not in the middle of a measurement, if something is off
        check(tcp.authorize(request));
        if (socket != null) {
            check(socket.authorize(request));
        }
    }

    private static void check(AuthResponse answer) {
        if (!"report.pdf".equals(answer.filename())) {
            throw new IllegalStateException("unexpected answer " + answer);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        tcp.close();
        if (socket != null) {
            socket.close();
        }
    }

    /** The floor: an authoriser in the same JVM that answers a constant. */
    @Benchmark
    public AuthResponse inProcessConstant() throws AuthorizationException {
        return constant.authorize(request);
    }

    @Benchmark
    public AuthResponse sqlOverTcp() throws AuthorizationException {
        return tcp.authorize(request);
    }

    @Benchmark
    public AuthResponse sqlOverUnixSocket() throws AuthorizationException {
        if (socket == null) {
            throw new IllegalStateException("the database has no socket here (KEYHOLE_TEST_JDBC_URL is set)");
        }
        return socket.authorize(request);
    }
}
