package io.keyhole.benchmarks;

import io.keyhole.AuthRequest;
import io.keyhole.AuthorizationException;
import io.keyhole.FileId;
import io.keyhole.authorizer.JsonRequestType;
import io.keyhole.authorizer.KeepAlive;
import io.keyhole.authorizer.UnixSocketTransport;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.SocketChannel;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One exchange with the JSON backend on a Unix socket ({@link SocketBackend}, a process of its
 * own) and nothing else: no decision, no file. What a connection per question costs the asking
 * JVM at the least, to set beside what it costs Keyhole in a container
 * ({@link UncachedDecisionBenchmark}, the load harness). {@code client=jdk} is the bare minimum
 * the JDK's channels allow: connect, write, half-close, read to the end, close, with no deadline;
 * {@code client=keyhole} the same question through {@link UnixSocketTransport} (two deadlines,
 * the limits on the answer); {@code client=keyhole-kept} over connections kept between questions.
 * Run it with {@code -prof io.keyhole.benchmarks.CpuProfiler} and several thread counts
 * ({@code -t}); {@code benchmarks/exchange/run.sh} also runs the same exchange written in C, which
 * is the floor the kernel sets on this machine.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
// Longer than the other benchmarks' warm-up: with 16 or 64 threads, Keyhole's exchange was still
// being compiled after three iterations, and the JIT's CPU then counted as the exchange's.
@Warmup(iterations = 6, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ExchangeBenchmark {

    @Param({"jdk", "keyhole", "keyhole-kept"})
    public String client;

    private Path dir;
    private Process backend;
    private UnixDomainSocketAddress address;
    private UnixSocketTransport transport;
    private final byte[] question = question();

    /** Each thread's buffer for the answer, direct so that the JDK copies nothing on the way in. */
    @State(Scope.Thread)
    public static class Answer {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(4096);
    }

    /** What Keyhole asks for the benchmarks' file: the question every client here sends. */
    static byte[] question() {
        FileId id = FileId.parse(HotPathBenchmark.ID);
        return new JsonRequestType().encode(new AuthRequest("/files/" + id, id, "GET", "alice", null, null, null));
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("keyhole-exchange-bench");
        Path socket = dir.resolve("auth.sock");
        backend = SocketBackend.start(socket);
        address = UnixDomainSocketAddress.of(socket);
        KeepAlive keepAlive = client.equals("keyhole-kept") ? KeepAlive.of(64) : KeepAlive.OFF;
        transport = new UnixSocketTransport(socket, Duration.ofSeconds(1), Duration.ofSeconds(5),
                UnixSocketTransport.DEFAULT_MAX_ANSWER_BYTES, keepAlive);
        if (!client.equals("jdk") && transport.exchange(question).length == 0) {
            throw new IllegalStateException("the backend gave an empty answer");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException, InterruptedException {
        transport.close();
        SocketBackend.stop(backend);
        Fixtures.delete(dir);
    }

    /** One question and its whole answer; returns the answer's length. */
    @Benchmark
    public int exchange(Answer answer) throws IOException, AuthorizationException {
        if (client.equals("jdk")) {
            return bare(answer.buffer);
        }
        return transport.exchange(question).length;
    }

    private int bare(ByteBuffer in) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(address);
            ByteBuffer out = ByteBuffer.wrap(question);
            while (out.hasRemaining()) {
                channel.write(out);
            }
            channel.shutdownOutput();
            in.clear();
            int total = 0;
            for (int n; (n = channel.read(in)) >= 0; total += n) {
                if (!in.hasRemaining()) {
                    in.clear();
                }
            }
            if (total == 0) {
                throw new IOException("the backend gave an empty answer");
            }
            return total;
        }
    }

    /** Prints the question, for the C client of {@code benchmarks/exchange/run.sh} to send the same bytes. */
    public static void main(String[] args) {
        System.out.print(new String(question(), StandardCharsets.UTF_8));
    }
}
