package io.keyhole.benchmarks;

import io.keyhole.AuthResponse;
import io.keyhole.backend.JsonSocketServer;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A JSON backend on a Unix socket in a process of its own, granting every question with the same
 * answer: what {@link UncachedDecisionBenchmark} asks, so that the backend's CPU is not counted
 * as Keyhole's. Prints {@code ready} once it listens and ends when its standard input closes.
 *
 * <pre>{@code java -cp benchmarks.jar io.keyhole.benchmarks.SocketBackend /tmp/auth.sock}</pre>
 */
public final class SocketBackend {

    /** What every question is answered: a grant with a tag and a date, as a real backend sends. */
    static final AuthResponse GRANT = new AuthResponse(200, "file.bin", "application/octet-stream", null, "\"v1\"",
            4096L, 1_700_000_000L, null);

    private SocketBackend() {
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
