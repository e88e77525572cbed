package io.keyhole.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A real authorisation backend on a Unix stream socket, speaking the seed protocol: read the
 * request until the client half-closes, write the answer, close. For tests in every module
 * (it ships in {@code keyhole-core}'s test-jar).
 *
 * <pre>{@code
 * try (FakeBackend backend = FakeBackend.start(dir.resolve("auth.sock"), request -> "{\"status\":200}")) {
 *     Transport unix = new UnixSocketTransport(backend.socket(), Duration.ofSeconds(1), Duration.ofMillis(200));
 *     ...
 *     assertEquals(1, backend.connections());
 *     String sent = backend.requests().get(0);
 * }
 * }</pre>
 *
 * <p>How each connection is treated is chosen by {@link #mode(Mode)} or, in mode
 * {@link Mode#ANSWER}, by what the answerer returns: its text is the answer, unless it is one of
 * {@link #HANG}, {@link #GARBAGE}, {@link #CLOSE} or {@link #TRICKLE} ({@code null} counts as
 * {@link #CLOSE}). Every thread is a daemon; {@link #close()} stops them all, closes every
 * connection and deletes the socket file. Unix socket paths are limited to about 100 bytes, so
 * put the socket in a short temporary directory.
 */
public final class FakeBackend implements AutoCloseable {

    /** How a connection is treated. */
    public enum Mode {
        /** Read the request, write what the answerer returns (or act on its sentinel), close. */
        ANSWER,
        /** Read the request, then never answer nor close until the backend is closed. */
        HANG,
        /** Read the request, answer something that is not JSON, close. */
        GARBAGE,
        /** Read the request, close without a byte of answer. */
        CLOSE,
        /** Close at once, without reading the request. */
        DROP,
        /** Read the request, then send the start of an answer one byte every few ms, forever. */
        TRICKLE
    }

    /** Answerer result: treat this connection as {@link Mode#HANG}. */
    public static final String HANG = "\u0000fake-backend:hang";
    /** Answerer result: treat this connection as {@link Mode#GARBAGE}. */
    public static final String GARBAGE = "\u0000fake-backend:garbage";
    /** Answerer result: treat this connection as {@link Mode#CLOSE}. */
    public static final String CLOSE = "\u0000fake-backend:close";
    /** Answerer result: treat this connection as {@link Mode#TRICKLE}. */
    public static final String TRICKLE = "\u0000fake-backend:trickle";

    /** What {@link Mode#GARBAGE} sends. */
    public static final String GARBAGE_ANSWER = "<html>502 this is not JSON</html>";

    private static final int MAX_REQUEST_BYTES = 1 << 20;
    private static final long TRICKLE_INTERVAL_MILLIS = 10;
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final Path socket;
    private final ServerSocketChannel server;
    private final Function<String, String> answerer;
    private final ExecutorService handlers;
    private final Thread acceptor;
    /** Every thread the pool made: awaitTermination returns before they have quite ended. */
    private final List<Thread> workers = new CopyOnWriteArrayList<>();
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile Mode mode = Mode.ANSWER;

    private FakeBackend(Path socket, ServerSocketChannel server, Function<String, String> answerer) {
        this.socket = socket;
        this.server = server;
        this.answerer = answerer;
        int instance = INSTANCES.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        this.handlers = Executors.newCachedThreadPool(task -> {
            Thread t = daemon(task, "fake-backend-" + instance + "-connection-" + threads.incrementAndGet());
            workers.add(t);
            return t;
        });
        this.acceptor = daemon(this::acceptLoop, "fake-backend-" + instance + "-accept");
    }

    /**
     * Starts a backend listening on {@code socket} (which must not exist yet).
     *
     * @param answerer maps each request's JSON text to the answer text or a sentinel; called
     *                 from several threads at once
     */
    public static FakeBackend start(Path socket, Function<String, String> answerer) throws IOException {
        Objects.requireNonNull(socket, "socket");
        Objects.requireNonNull(answerer, "answerer");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(socket), 1024);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        FakeBackend backend = new FakeBackend(socket, server, answerer);
        backend.acceptor.start();
        return backend;
    }

    /** Starts a backend that gives every request the same answer. */
    public static FakeBackend start(Path socket, String answer) throws IOException {
        Objects.requireNonNull(answer, "answer");
        return start(socket, request -> answer);
    }

    /** Treats connections accepted from now on as {@code mode} ({@link Mode#ANSWER} lets the answerer decide). */
    public FakeBackend mode(Mode mode) {
        this.mode = Objects.requireNonNull(mode, "mode");
        return this;
    }

    /** The socket's path. */
    public Path socket() {
        return socket;
    }

    /** Every request received so far (UTF-8 text), in arrival order. */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    /** The most recent request, or {@code null} when none came yet. */
    public String lastRequest() {
        List<String> all = requests();
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    /** How many connections were accepted so far. */
    public int connections() {
        return connections.get();
    }

    /** Connections currently open on the backend's side. */
    public int openConnections() {
        return open.size();
    }

    /** Exceptions thrown by the answerer (the connection was then closed without an answer). */
    public List<Throwable> failures() {
        return List.copyOf(failures);
    }

    private void acceptLoop() {
        while (true) {
            SocketChannel connection;
            try {
                connection = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!server.isOpen()) {
                    return;
                }
                failures.add(e);
                continue;
            }
            connections.incrementAndGet();
            open.add(connection);
            try {
                handlers.execute(() -> serve(connection));
            } catch (RejectedExecutionException e) {
                closeQuietly(connection);
                return;
            }
        }
    }

    private void serve(SocketChannel connection) {
        try {
            Mode current = mode;
            if (current == Mode.DROP) {
                return;
            }
            String request = readRequest(connection);
            requests.add(request);
            String answer = switch (current) {
                case HANG -> HANG;
                case GARBAGE -> GARBAGE;
                case CLOSE -> CLOSE;
                case TRICKLE -> TRICKLE;
                default -> answer(request);
            };
            if (answer == null || answer.equals(CLOSE)) {
                return;
            }
            if (answer.equals(HANG)) {
                closing.await();
            } else if (answer.equals(TRICKLE)) {
                trickle(connection);
            } else {
                write(connection, answer.equals(GARBAGE) ? GARBAGE_ANSWER : answer);
            }
        } catch (IOException e) {
            // The client went away (a transport that gave up at its deadline): nothing to answer.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.remove(connection);
            closeQuietly(connection);
        }
    }

    private String answer(String request) {
        try {
            return answerer.apply(request);
        } catch (RuntimeException e) {
            failures.add(e);
            return CLOSE;
        }
    }

    private static String readRequest(SocketChannel connection) throws IOException {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        while (connection.read(buffer) >= 0) {
            request.write(buffer.array(), 0, buffer.position());
            buffer.clear();
            if (request.size() > MAX_REQUEST_BYTES) {
                throw new IOException("request larger than " + MAX_REQUEST_BYTES + " bytes");
            }
        }
        request.write(buffer.array(), 0, buffer.position());
        return request.toString(StandardCharsets.UTF_8);
    }

    private static void write(SocketChannel connection, String answer) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8));
        while (out.hasRemaining()) {
            connection.write(out);
        }
    }

    /** The start of a plausible answer, then spaces, paced by the closing latch so close() ends it at once. */
    private void trickle(SocketChannel connection) throws IOException, InterruptedException {
        write(connection, "{\"status\":200,\"error\":\"");
        while (!closing.await(TRICKLE_INTERVAL_MILLIS, TimeUnit.MILLISECONDS)) {
            write(connection, " ");
        }
    }

    /** Stops every thread, closes every connection and deletes the socket file. */
    @Override
    public void close() throws IOException {
        closing.countDown();
        server.close();
        for (SocketChannel connection : List.copyOf(open)) {
            closeQuietly(connection);
        }
        handlers.shutdownNow();
        try {
            acceptor.join(TimeUnit.SECONDS.toMillis(10));
            if (!handlers.awaitTermination(10, TimeUnit.SECONDS) || acceptor.isAlive()) {
                throw new IllegalStateException("fake backend threads did not stop");
            }
            for (Thread worker : workers) {
                worker.join(TimeUnit.SECONDS.toMillis(10));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            Files.deleteIfExists(socket);
        }
    }

    private void closeQuietly(SocketChannel connection) {
        try {
            connection.close();
        } catch (IOException e) {
            failures.add(e);
        }
    }

    private static Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }

    @Override
    public String toString() {
        return "FakeBackend[unix:" + socket + ", " + connections() + " connections]";
    }
}
