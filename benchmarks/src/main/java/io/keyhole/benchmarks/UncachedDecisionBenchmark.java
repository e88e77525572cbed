package io.keyhole.benchmarks;

import io.keyhole.Delivery;
import io.keyhole.Keyhole;
import io.keyhole.KeyholeConfig;
import io.keyhole.testing.TestRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole decision with the decision cache off, so that every request asks its backend (the
 * JWT is remembered): {@code backend=socket} asks a JSON backend on a Unix socket running in a
 * process of its own ({@link SocketBackend}: a connection, the question, the answer, per
 * request), {@code backend=socket-kept} the same backend over connections kept between
 * questions ({@code auth-keep-alive}: one line each way, no connect or close per request),
 * {@code backend=in-process} an {@code Authorizer} in the same JVM giving the same answer. Sampled, for p50 and p99; with {@code -prof io.keyhole.benchmarks.CpuProfiler} the
 * difference of the two CPU figures is what the exchange costs Keyhole itself.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class UncachedDecisionBenchmark {

    @Param({"socket", "socket-kept", "in-process"})
    public String backend;

    private Path dir;
    private Process process;
    private Keyhole keyhole;
    private TestRequest request;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("keyhole-uncached-bench");
        Path root = Fixtures.tree(dir);
        KeyholeConfig.Builder config = KeyholeConfig.builder().fsRoot(root).fsDepth(4).mount("/files/")
                .jwtKey(HotPathBenchmark.KEY).jwtField("uid");
        if (backend.startsWith("socket")) {
            Path socket = dir.resolve("auth.sock");
            process = SocketBackend.start(socket);
            config.unixSocket(socket);
            if (backend.equals("socket-kept")) {
                config.authKeepAlive(64);
            }
        } else {
            config.authorizer(question -> SocketBackend.GRANT);
        }
        keyhole = new Keyhole(config.build());
        request = Fixtures.request();
        if (!(decideUncached() instanceof Delivery.Send)) {
            throw new IllegalStateException("the fixture does not do what the benchmark measures");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException, InterruptedException {
        keyhole.close();
        if (process != null) {
            SocketBackend.stop(process);
        }
        Fixtures.delete(dir);
    }

    /** Route, remembered token, the backend asked, open, evaluate, headers, close. */
    @Benchmark
    public Delivery decideUncached() throws IOException {
        return Fixtures.decide(keyhole, request);
    }
}
