package io.keyhole.benchmarks;

import io.keyhole.AuthResponse;
import io.keyhole.AuthorizationException;
import io.keyhole.Delivery;
import io.keyhole.FileId;
import io.keyhole.Keyhole;
import io.keyhole.KeyholeConfig;
import io.keyhole.NameValue;
import io.keyhole.authorizer.JsonRequestType;
import io.keyhole.benchmarks.load.LoadServer;
import io.keyhole.credential.Credential;
import io.keyhole.credential.JwtVerifier;
import io.keyhole.http.EntityTag;
import io.keyhole.http.Outcome;
import io.keyhole.http.Preconditions;
import io.keyhole.http.Representation;
import io.keyhole.storage.OpenedFile;
import io.keyhole.testing.TestRequest;
import io.keyhole.tree.HashedTree;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
 * The per-request hot path, step by step, then as a whole: what one request costs Keyhole before
 * its first byte is sent. The whole decision ({@link #decide}) uses a JWT and an in-process
 * authoriser on a real file in a temporary tree, as the load harness does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HotPathBenchmark {

    static final String ID = "9f86d081884c7d659a2feaa0c55ad015";
    static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private Path root;
    private HashedTree tree;
    private FileId id;
    private String token;
    private JwtVerifier jwt;
    private JsonRequestType json;
    private byte[] answer;
    private Representation representation;
    private TestRequest conditional;
    private TestRequest plain;
    private Keyhole keyhole;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        root = Files.createTempDirectory("keyhole-bench");
        tree = new HashedTree(root, 4);
        id = FileId.parse(ID);
        Path file = tree.pathOf(id);
        Files.createDirectories(file.getParent());
        Files.write(file, new byte[4096]);
        token = LoadServer.token(KEY);
        jwt = new JwtVerifier(KEY, "HS256", "uid", Duration.ofSeconds(30), Clock.systemUTC());
        json = new JsonRequestType();
        answer = ("{\"status\": 200, \"filename\": \"Invoice 2024.pdf\", \"content_type\": \"application/pdf\","
                + " \"content_disposition\": \"attachment\", \"etag\": \"v1\", \"length\": 4096,"
                + " \"upload_date\": 1700000000}").getBytes(StandardCharsets.UTF_8);
        representation = new Representation(4096, Instant.ofEpochSecond(1_700_000_000), EntityTag.strong("v1"));
        String bearer = "Bearer " + token;
        plain = TestRequest.get("/files/" + ID).withHeaders(List.of(new NameValue("Host", "127.0.0.1"),
                new NameValue("Authorization", bearer)));
        conditional = TestRequest.get("/files/" + ID).withHeaders(List.of(new NameValue("Host", "127.0.0.1"),
                new NameValue("Authorization", bearer), new NameValue("If-None-Match", "\"v0\", \"v2\""),
                new NameValue("Range", "bytes=0-1023")));
        AuthResponse grant = new AuthResponse(200, "file.bin", "application/octet-stream", null, null, null, null, null);
        keyhole = new Keyhole(KeyholeConfig.builder().fsRoot(root).fsDepth(4).mount("/files/")
                .jwtKey(KEY).jwtField("uid").authorizer(q -> grant).build());
        // fail here, not in the middle of a measurement
        if (!(decide() instanceof Delivery.Send) || !(verifyJwt() instanceof Credential.Valid)
                || open() != 4096 || !(preconditions() instanceof Outcome.Partial)) {
            throw new IllegalStateException("the fixture does not do what the benchmark measures");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        keyhole.close();
        Fixtures.delete(root);
    }

    /** Route: the strict id grammar on the path below the mount. */
    @Benchmark
    public FileId parseId() {
        return FileId.parse(ID);
    }

    /** Credential: parse, check algorithm, HMAC-SHA256, exp, and read the claim. */
    @Benchmark
    public Credential verifyJwt() {
        return jwt.verify(token);
    }

    /** An authorisation backend's JSON answer, decoded and checked field by field. */
    @Benchmark
    public AuthResponse decodeAnswer() throws AuthorizationException {
        return json.decode(answer, "bench", 0);
    }

    /**
     * Open: the id's place walked one directory descriptor at a time, the file looked at, opened,
     * checked again; and closed, as every request's file is.
     */
    @Benchmark
    public long open() throws IOException {
        try (OpenedFile file = tree.open(id).orElseThrow()) {
            return file.size();
        }
    }

    /** Evaluate: If-None-Match (a list, no match) then a single Range (RFC 9110 §13.2.2). */
    @Benchmark
    public Outcome preconditions() {
        return Preconditions.evaluate("GET", conditional, representation, 16);
    }

    /** All of it: route, JWT, in-process authoriser, open, evaluate, headers; and the close a writer does. */
    @Benchmark
    public Delivery decide() throws IOException {
        return Fixtures.decide(keyhole, plain);
    }
}
