package io.keyhole.benchmarks;

import io.keyhole.AuthResponse;
import io.keyhole.backend.JsonSocketServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A JSON backend on a Unix socket in a process of its own, granting every question with the same
 * answer: what {@link UncachedDecisionBenchmark} and {@link ExchangeBenchmark} ask, so that the
 * backend's CPU is not counted as theirs. Prints {@code ready} once it listens and ends when its
 * standard input closes.
 *
 * <pre>{@code java -cp benchmarks.jar io.keyhole.benchmarks.SocketBackend /tmp/auth.sock}</pre>
 */
public final class SocketBackend {

    /** What every question is answered: a grant with a tag and a date, as a real backend sends. */
    static final AuthResponse GRANT = new AuthResponse(200, "file.bin", "application/octet-stream", null, "\"v1\"",
            4096L, 1_700_000_000L, null);

    private SocketBackend() {
    }

    /** The backend in a JVM of its own, on this JVM's class path; returns once it listens on {@code socket}. */
    static Process start(Path socket) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process started = new ProcessBuilder(java.toString(), "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                SocketBackend.class.getName(), socket.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (line == null || !line.startsWith("ready")) {
            started.destroyForcibly();
            throw new IllegalStateException("the backend process did not start: " + line);
        }
        return started;
    }

    /** Ends a backend {@link #start started} by this JVM: closes its standard input, then waits for it. */
    static void stop(Process backend) throws IOException, InterruptedException {
        backend.getOutputStream().close();
        if (!backend.waitFor(10, TimeUnit.SECONDS)) {
            backend.destroyForcibly();
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: SocketBackend <socket path>");
            System.exit(2);
        }
        try (JsonSocketServer server = JsonSocketServer.start(Path.of(args[0]), question -> GRANT)) {
            System.out.println("ready " + server.socket());
            System.out.flush();
            while (System.in.read() >= 0) {
                // the parent holds our standard input open for as long as it wants us
            }
        }
    }
}
