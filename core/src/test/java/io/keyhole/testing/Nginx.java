package io.keyhole.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A real nginx for integration tests: Debian's {@code /usr/sbin/nginx}, run in the foreground
 * from a private temporary prefix (configuration, pid file, logs and temp directories all inside
 * it) on a free loopback port.
 *
 * <pre>{@code
 * try (Nginx nginx = Nginx.start(port -> """
 *         server {
 *             listen 127.0.0.1:%d;
 *             location / { return 200 "hello"; }
 *         }
 *         """.formatted(port))) {
 *     URI uri = nginx.uri("/");
 * }
 * }</pre>
 *
 * <p>Without nginx installed the calling test is skipped, unless the environment variable
 * {@value #REQUIRE_ENV} is {@code 1} (as in CI), in which case it fails.
 */
public final class Nginx implements AutoCloseable {

    /** Where Debian installs nginx. */
    public static final Path BINARY = Path.of("/usr/sbin/nginx");

    /** Set to {@code 1} to turn a missing nginx into a failure instead of a skipped test. */
    public static final String REQUIRE_ENV = "KEYHOLE_REQUIRE_NGINX";

    private static final Duration STARTUP_LIMIT = Duration.ofSeconds(20);
    private static final Duration SHUTDOWN_LIMIT = Duration.ofSeconds(10);
    // Another process may take the free port between our probe and nginx's bind.
    private static final int BIND_ATTEMPTS = 3;

    private final Path prefix;
    private final Process process;
    private final int port;

    private Nginx(Path prefix, Process process, int port) {
        this.prefix = prefix;
        this.process = process;
        this.port = port;
    }

    /**
     * Skips the calling test when nginx is missing, or fails it when {@value #REQUIRE_ENV}=1.
     * {@link #start} calls this itself.
     */
    public static void assumeInstalled() {
        if (Files.isExecutable(BINARY)) {
            return;
        }
        String install = "install it with 'apt-get install nginx' (Debian/Ubuntu; the system service need not run)";
        if ("1".equals(System.getenv(REQUIRE_ENV))) {
            Assertions.fail("nginx is required (" + REQUIRE_ENV + "=1) but " + BINARY + " is missing; " + install);
        }
        Assumptions.abort("nginx not found at " + BINARY + "; " + install
                + ", or set " + REQUIRE_ENV + "=1 to make its absence a failure");
    }

    /**
     * Starts nginx and waits until its port accepts connections.
     *
     * @param httpBlock given the port nginx must listen on (on 127.0.0.1), returns what goes
     *                  inside {@code http { ... }}: one or more {@code server} blocks and
     *                  whatever they need
     * @throws IllegalStateException when nginx rejects the configuration or does not come up;
     *                               the message carries its error log
     */
    public static Nginx start(IntFunction<String> httpBlock) throws IOException {
        assumeInstalled();
        IllegalStateException lastFailure = null;
        for (int attempt = 1; attempt <= BIND_ATTEMPTS; attempt++) {
            int port = freePort();
            Path prefix = Files.createTempDirectory("keyhole-nginx-");
            try {
                return launch(prefix, port, httpBlock.apply(port));
            } catch (IllegalStateException e) {
                deleteTree(prefix);
                if (!e.getMessage().contains("Address already in use")) {
                    throw e;
                }
                lastFailure = e;
            }
        }
        throw lastFailure;
    }

    private static Nginx launch(Path prefix, int port, String httpBlock) throws IOException {
        Path logs = Files.createDirectories(prefix.resolve("logs"));
        Path temp = Files.createDirectories(prefix.resolve("temp"));
        Path conf = Files.createDirectories(prefix.resolve("conf")).resolve("nginx.conf");
        Files.writeString(conf, config(prefix, logs, temp, httpBlock), StandardCharsets.UTF_8);

        Path errorLog = logs.resolve("error.log");
        Path output = logs.resolve("output.log");
        Process process = new ProcessBuilder(BINARY.toString(),
                "-p", prefix + "/",
                "-c", conf.toString(),
                // -e: the compiled-in /var/log/nginx/error.log may not be writable for us
                "-e", errorLog.toString(),
                "-g", "daemon off;")
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        Nginx nginx = new Nginx(prefix, process, port);
        nginx.awaitReady();
        return nginx;
    }

    private static String config(Path prefix, Path logs, Path temp, String httpBlock) {
        StringBuilder c = new StringBuilder();
        c.append("# Written by ").append(Nginx.class.getName()).append(" for one test run.\n");
        // As root, workers would drop to 'nobody' and could not read the test's private temp directories.
        if (runningAsRoot()) {
            c.append("user root;\n");
        }
        c.append("worker_processes 1;\n");
        c.append("pid ").append(prefix.resolve("nginx.pid")).append(";\n");
        c.append("error_log ").append(logs.resolve("error.log")).append(" info;\n");
        c.append("events {\n    worker_connections 128;\n}\n");
        c.append("http {\n");
        c.append("    access_log ").append(logs.resolve("access.log")).append(";\n");
        for (String kind : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
            c.append("    ").append(kind).append("_temp_path ").append(temp.resolve(kind)).append(";\n");
        }
        c.append("    default_type application/octet-stream;\n");
        c.append(httpBlock.indent(4));
        c.append("}\n");
        return c.toString();
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + STARTUP_LIMIT.toNanos();
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("nginx exited with status " + process.exitValue()
                        + " before listening on port " + port + "\n" + diagnostics());
            }
            try (Socket probe = new Socket()) {
                probe.connect(address, 200);
                return;
            } catch (IOException notYet) {
                // not listening yet: wait a little, returning early if nginx exits meanwhile
                waitForExit(Duration.ofMillis(25));
            }
        }
        stop();
        throw new IllegalStateException("nginx did not accept connections on port " + port + " within "
                + STARTUP_LIMIT.toSeconds() + " s\n" + diagnostics());
    }

    /** The loopback port nginx listens on. */
    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:port} followed by {@code path}. */
    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** The temporary prefix directory (configuration in {@code conf/}, logs in {@code logs/}). */
    public Path prefix() {
        return prefix;
    }

    /** The configuration nginx was started with. */
    public String config() {
        return read(prefix.resolve("conf/nginx.conf"));
    }

    /** The error log's contents so far. */
    public String errorLog() {
        return read(prefix.resolve("logs/error.log"));
    }

    /** Whether the nginx master process is still running. */
    public boolean isRunning() {
        return process.isAlive();
    }

    /** The nginx master's process id. */
    public long pid() {
        return process.pid();
    }

    /**
     * Stops nginx (TERM, then KILL if it has not exited after 10 s), waits until the master and
     * its workers are gone, and deletes the prefix directory.
     */
    @Override
    public void close() {
        try {
            stop();
        } finally {
            deleteTree(prefix);
        }
    }

    private void stop() {
        // Taken before signalling: once the master is gone its workers are no longer its descendants.
        List<ProcessHandle> workers = process.descendants().toList();
        process.destroy();
        if (!waitForExit(SHUTDOWN_LIMIT)) {
            process.destroyForcibly();
            waitForExit(SHUTDOWN_LIMIT);
        }
        for (ProcessHandle worker : workers) {
            if (worker.isAlive()) {
                worker.destroyForcibly();
            }
            try {
                worker.onExit().get(SHUTDOWN_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("nginx worker " + worker.pid() + " did not exit", e);
            }
        }
        if (process.isAlive()) {
            throw new IllegalStateException("nginx master " + process.pid() + " did not exit");
        }
    }

    private boolean waitForExit(Duration limit) {
        try {
            return process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for nginx", e);
        }
    }

    private String diagnostics() {
        return "--- nginx output ---\n" + read(prefix.resolve("logs/output.log"))
                + "--- error log ---\n" + errorLog()
                + "--- nginx.conf ---\n" + config();
    }

    private static boolean runningAsRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete nginx prefix " + root, e);
        }
    }
}
