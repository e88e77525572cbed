package io.keyhole.benchmarks;

import io.keyhole.Delivery;
import io.keyhole.Keyhole;
import io.keyhole.KeyholeConfig;
import io.keyhole.backend.JsonSocketServer;
import io.keyhole.testing.TestRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * The whole decision against a real JSON backend on a Unix socket ({@link JsonSocketServer}) with
 * the token and the decision remembered: what every request of a page after the first costs. It
 * opens and closes the 4 KiB file. With the cache off, see {@link UncachedDecisionBenchmark}.
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
    private Keyhole cachedNoDisk;
    private Keyhole cachedOpen;
    private TestRequest request;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("keyhole-cache-bench");
        Path root = Fixtures.tree(dir);
        backend = JsonSocketServer.start(dir.resolve("auth.sock"), q -> SocketBackend.GRANT);
        cached = new Keyhole(KeyholeConfig.builder().fsRoot(root).fsDepth(4).mount("/files/")
                .jwtKey(HotPathBenchmark.KEY).jwtField("uid").unixSocket(backend.socket())
                .authCacheTtl(Duration.ofHours(1)).build());
        cachedNoDisk = new Keyhole(KeyholeConfig.builder().storage(NoDiskStorage.NAME).readOnly(true).fsDepth(4)
                .mount("/files/").jwtKey(HotPathBenchmark.KEY).jwtField("uid").unixSocket(backend.socket())
                .authCacheTtl(Duration.ofHours(1)).build());
        cachedOpen = new Keyhole(KeyholeConfig.builder().fsRoot(root).fsDepth(4).mount("/files/")
                .jwtKey(HotPathBenchmark.KEY).jwtField("uid").unixSocket(backend.socket())
                .authCacheTtl(Duration.ofHours(1)).openCacheValid(Duration.ofHours(1)).build());
        request = Fixtures.request();
        if (!(decideCached() instanceof Delivery.Send) || !(decideCachedNoDisk() instanceof Delivery.Send)
                || !(decideCachedOpen() instanceof Delivery.Send)) {
            throw new IllegalStateException("the fixture does not do what the benchmark measures");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        cached.close();
        cachedNoDisk.close();
        cachedOpen.close();
        backend.close();
        Fixtures.delete(dir);
    }

    /** Route, remembered token, remembered decision, open, evaluate, headers, close. */
    @Benchmark
    public Delivery decideCached() throws IOException {
        return decide(cached);
    }

    /**
     * The same with a storage that opens without a system call ({@link NoDiskStorage}): what
     * Keyhole itself spends on the request, the storage's open aside.
     */
    @Benchmark
    public Delivery decideCachedNoDisk() throws IOException {
        return decide(cachedNoDisk);
    }

    /**
     * The same with the file kept open from an earlier request ({@code open-cache-valid}): a page's
     * files asked again, the tree not looked at.
     */
    @Benchmark
    public Delivery decideCachedOpen() throws IOException {
        return decide(cachedOpen);
    }

    private Delivery decide(Keyhole keyhole) throws IOException {
        return Fixtures.decide(keyhole, request);
    }
}
