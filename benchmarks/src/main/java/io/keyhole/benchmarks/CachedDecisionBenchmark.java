package io.keyhole.benchmarks;

import io.keyhole.AuthResponse;
import io.keyhole.Delivery;
import io.keyhole.Keyhole;
import io.keyhole.KeyholeConfig;
import io.keyhole.NameValue;
import io.keyhole.backend.JsonSocketServer;
import io.keyhole.benchmarks.load.LoadServer;
import io.keyhole.testing.TestRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
 * The whole decision against a real JSON backend on a Unix socket ({@link JsonSocketServer}):
 * {@link #decideCached} with the token and the decision remembered (what every request of a page
 * after the first costs), {@link #decideAsking} with the decision cache off, every request a
 * round trip (run it in {@code -bm sample} for p50/p99). Both open and close the 4 KiB file.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CachedDecisionBenchmark {

    private Path dir;
    private JsonSocketServer backend;
    private Keyhole cached;
    private Keyhole asking;
    private TestRequest request;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("keyhole-cache-bench");
        Path root = Files.createDirectory(dir.resolve("tree"));
        Path file = root.resolve("9/f/8/6/" + HotPathBenchmark.ID);
        Files.createDirectories(file.getParent());
        Files.write(file, new byte[4096]);
        AuthResponse grant = new AuthResponse(200, "file.bin", "application/octet-stream", null, "\"v1\"", 4096L,
                1_700_000_000L, null);
        backend = JsonSocketServer.start(dir.resolve("auth.sock"), q -> grant);
        cached = new Keyhole(KeyholeConfig.builder().fsRoot(root).fsDepth(4).mount("/files/")
                .jwtKey(HotPathBenchmark.KEY).jwtField("uid").unixSocket(backend.socket())
                .authCacheTtl(Duration.ofHours(1)).build());
        asking = new Keyhole(KeyholeConfig.builder().fsRoot(root).fsDepth(4).mount("/files/")
                .jwtKey(HotPathBenchmark.KEY).jwtField("uid").unixSocket(backend.socket()).build());
        request = TestRequest.get("/files/" + HotPathBenchmark.ID).withHeaders(List.of(
                new NameValue("Host", "127.0.0.1"),
                new NameValue("Authorization", "Bearer " + LoadServer.token(HotPathBenchmark.KEY))));
        if (!(decideCached() instanceof Delivery.Send) || !(decideAsking() instanceof Delivery.Send)) {
            throw new IllegalStateException("the fixture does not do what the benchmark measures");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        cached.close();
        asking.close();
        backend.close();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Route, remembered token, remembered decision, open, evaluate, headers, close. */
    @Benchmark
    public Delivery decideCached() throws IOException {
        return decide(cached);
    }

    /** The same with the backend asked over its Unix socket: a connection and a round trip per request. */
    @Benchmark
    public Delivery decideAsking() throws IOException {
        return decide(asking);
    }

    private Delivery decide(Keyhole keyhole) throws IOException {
        Delivery delivery = keyhole.decide(request);
        if (delivery instanceof Delivery.Send send) {
            send.file().close();
        }
        return delivery;
    }
}
