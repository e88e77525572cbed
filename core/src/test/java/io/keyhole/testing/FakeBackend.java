package io.keyhole.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
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
 * A real authorisation backend on a Unix stream socket or on TCP loopback, speaking the seed
 * protocol: read the request until the client half-closes, write the answer, close. A request
 * is recorded only once its end of stream was read, so a recorded request proves the
 * half-close. For tests in every module (it ships in {@code keyhole-core}'s test-jar).
 *
 * <pre>{@code
 * try (FakeBackend backend = FakeBackend.start(dir.resolve("auth.sock"), request -> "{\"status\":200}")) {
 *     Transport unix = new UnixSocketTransport(backend.socket(), Duration.ofSeconds(1), Duration.ofMillis(200));
 *     ...
 *     assertEquals(1, backend.connections());
 *     String sent = backend.requests().get(0);
 * }
 * try (FakeBackend backend = FakeBackend.startTcp(request -> "{\"status\":200}")) {
 *     Transport tcp = new TcpTransport(backend.host(), backend.port(), Duration.ofSeconds(1), Duration.ofMillis(200));
 *     ...
 * }
 * }</pre>
 *
 * <p>How each connection is treated is chosen by {@link #mode(Mode)} or, in mode
 * {@link Mode#ANSWER}, by what the answerer returns: its text is the answer, unless it is one of
 * {@link #HANG}, {@link #GARBAGE}, {@link #CLOSE} or {@link #TRICKLE} ({@code null} counts as
 * {@link #CLOSE}). Every thread is a daemon; {@link #close()} stops them all, closes every
 * connection and deletes the socket file, if any. Unix socket paths are limited to about 100
 * bytes, so put the socket in a short temporary directory.
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
    private final InetSocketAddress tcp;
    private final ServerSocketChannel server;
    private final Function<String, String> answerer;
    private final ExecutorService handlers;
    private final Thread acceptor;
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile Mode mode = Mode.ANSWER;

    private FakeBackend(Path socket, InetSocketAddress tcp, ServerSocketChannel server, Function<String, String> answerer) {
        this.socket = socket;
        this.tcp = tcp;
        this.server = server;
        this.answerer = answerer;
        int instance = INSTANCES.incrementAndGet();
        AtomicInteger numbers = new AtomicInteger();
        this.handlers = Executors.newCachedThreadPool(task -> remembered(daemon(task,
                "fake-backend-" + instance + "-connection-" + numbers.incrementAndGet())));
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
        ServerSocketChannel server = listen(StandardProtocolFamily.UNIX, UnixDomainSocketAddress.of(socket));
        return launch(new FakeBackend(socket, null, server, answerer));
    }

    /**
     * Starts a backend listening on TCP at 127.0.0.1, on a port the system picks; see
     * {@link #host()} and {@link #port()}. It never listens beyond the loopback interface.
     *
     * @param answerer maps each request's JSON text to the answer text or a sentinel; called
     *                 from several threads at once
     */
    public static FakeBackend startTcp(Function<String, String> answerer) throws IOException {
        Objects.requireNonNull(answerer, "answerer");
        ServerSocketChannel server = listen(StandardProtocolFamily.INET,
                new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0));
        InetSocketAddress bound = (InetSocketAddress) server.getLocalAddress();
        return launch(new FakeBackend(null, bound, server, answerer));
    }

    /** Starts a TCP backend that gives every request the same answer. */
    public static FakeBackend startTcp(String answer) throws IOException {
        Objects.requireNonNull(answer, "answer");
        return startTcp(request -> answer);
    }

    private static ServerSocketChannel listen(StandardProtocolFamily family, SocketAddress address) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(family);
        try {
            server.bind(address, 1024);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private static FakeBackend launch(FakeBackend backend) {
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

    /**
     * The socket's path.
     *
     * @throws IllegalStateException for a TCP backend
     */
    public Path socket() {
        if (socket == null) {
            throw new IllegalStateException("a TCP backend has no socket file; use host() and port()");
        }
        return socket;
    }

    /**
     * The TCP backend's address, {@code 127.0.0.1}.
     *
     * @throws IllegalStateException for a Unix-socket backend
     */
    public String host() {
        return tcpAddress().getAddress().getHostAddress();
    }

    /**
     * The TCP backend's port.
     *
     * @throws IllegalStateException for a Unix-socket backend
     */
    public int port() {
        return tcpAddress().getPort();
    }

    private InetSocketAddress tcpAddress() {
        if (tcp == null) {
            throw new IllegalStateException("a Unix-socket backend has no port; use socket()");
        }
        return tcp;
    }

    /** {@code unix:<path>} or {@code tcp:127.0.0.1:<port>}, as the matching transport describes itself. */
    public String describe() {
        return socket != null ? "unix:" + socket : "tcp:" + host() + ":" + port();
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

    /** Stops every thread, closes every connection and deletes the socket file, if any. */
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
            // A terminated pool may still have threads finishing their exit; wait until they are gone.
            boolean terminated = handlers.awaitTermination(10, TimeUnit.SECONDS);
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            }
            if (!terminated || acceptor.isAlive() || threads.stream().anyMatch(Thread::isAlive)) {
                throw new IllegalStateException("fake backend threads did not stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (socket != null) {
                Files.deleteIfExists(socket);
            }
        }
    }

    private void closeQuietly(SocketChannel connection) {
        try {
            connection.close();
        } catch (IOException e) {
            failures.add(e);
        }
    }

    private Thread remembered(Thread thread) {
        threads.add(thread);
        return thread;
    }

    private static Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }

    @Override
    public String toString() {
        return "FakeBackend[" + describe() + ", " + connections() + " connections]";
    }
}
