package io.keyhole.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code redis-server} (Debian's package) on 127.0.0.1 for one test, its data in a
 * directory of the test's, saved on {@link #stop()} and loaded again on {@link #start()}, so a
 * restart keeps the keys. Redis cannot bind port 0 and tell which port it got, so a free port is
 * picked first and kept across restarts. Without the binary the calling test is skipped, unless
 * {@value #REQUIRE_ENV}=1 (as in CI), which makes it fail.
 */
public final class RedisServer implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/bin/redis-server");
    /** Set to {@code 1} to turn a missing redis-server into a failure instead of a skipped test. */
    public static final String REQUIRE_ENV = "KEYHOLE_REQUIRE_REDIS";
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private final Path dir;
    private final int port;
    private Process process;

    private RedisServer(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** Skips the calling test when redis-server is missing, or fails it when {@value #REQUIRE_ENV}=1. */
    public static void assumeInstalled() {
        if (Files.isExecutable(BINARY)) {
            return;
        }
        String install = "install it with 'apt-get install redis-server' (Debian)";
        if ("1".equals(System.getenv(REQUIRE_ENV))) {
            Assertions.fail("redis-server is required (" + REQUIRE_ENV + "=1) but " + BINARY + " is missing; " + install);
        }
        Assumptions.abort("redis-server not found at " + BINARY + "; " + install);
    }

    /** Starts a new server keeping its data in {@code dir}. */
    public static RedisServer start(Path dir) throws IOException {
        assumeInstalled();
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        RedisServer server = new RedisServer(Files.createDirectories(dir), port);
        server.start();
        return server;
    }

    public int port() {
        return port;
    }

    /** (Re)starts the process on the same port and data; returns once it answers PING. */
    public void start() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("already running");
        }
        process = new ProcessBuilder(BINARY.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--dir", dir.toString(), "--dbfilename", "dump.rdb", "--save", "", "--appendonly", "no",
                "--daemonize", "no", "--logfile", dir.resolve("redis.log").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.out").toFile()).start();
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            try {
                if (command("PING").equals("+PONG")) {
                    return;
                }
            } catch (IOException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException("redis-server did not start on port " + port + ":\n"
                            + Files.readString(dir.resolve("redis.out")) + readLog(), notYet);
                }
            }
            try {
                process.waitFor(20, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
    }

    private String readLog() throws IOException {
        Path log = dir.resolve("redis.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** Saves the data and stops the process; connections are refused until {@link #start()}. */
    public void stop() throws IOException {
        if (process == null || !process.isAlive()) {
            return;
        }
        command("SAVE");
        process.destroy();
        try {
            if (!process.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /**
     * Sends one command and returns the reply's raw text without the final CRLF, e.g.
     * {@code +OK}, {@code $-1}, or {@code $5\r\nhello} for a bulk string.
     */
    public String command(String... words) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            socket.setSoTimeout(5000);
            StringBuilder out = new StringBuilder("*" + words.length + "\r\n");
            for (String w : words) {
                out.append('$').append(w.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(w).append("\r\n");
            }
            out.append("*1\r\n$4\r\nQUIT\r\n");
            OutputStream o = socket.getOutputStream();
            o.write(out.toString().getBytes(StandardCharsets.UTF_8));
            o.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            String withoutQuit = text.endsWith("+OK\r\n") ? text.substring(0, text.length() - 5) : text;
            return withoutQuit.endsWith("\r\n") ? withoutQuit.substring(0, withoutQuit.length() - 2) : withoutQuit;
        }
    }

    @Override
    public void close() throws IOException {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
