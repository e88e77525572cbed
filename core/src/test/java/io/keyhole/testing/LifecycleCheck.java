package io.keyhole.testing;

import com.sun.net.httpserver.HttpServer;
import io.keyhole.FileId;
import io.keyhole.tree.HashedTree;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ref.Reference;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Proves that a stopped container leaves nothing of Keyhole's behind. Starts Keyhole in a real
 * container against a real backend, serves {@value #CLIENTS} requests at once (held at the backend
 * until all are in, so that pools and transports really open that many connections), stops the
 * container, and counts what is left: the backend's connections (for MariaDB, Keyhole's user in
 * the server's process list), the process's threads, its open descriptors and its mapped files.
 * Each adapter's lifecycle test hands in how its container starts and stops.
 *
 * <p>The whole round runs twice; only the second is judged. The first loads classes and starts
 * what the JVM and the container start once and keep (Jetty's and Tomcat's static helpers, JDK
 * caches): against a snapshot taken after it, every thread and descriptor the second round opened
 * must be gone again. Threads named {@code keyhole-} must be gone against a snapshot taken before
 * the first round, so a thread Keyhole left in the first round is caught too.
 */
public final class LifecycleCheck {

    /** Requests in flight at once. */
    public static final int CLIENTS = 6;
    /** Connections the SQL pool may open; fewer than {@link #CLIENTS}, so requests also queue for one. */
    public static final int POOL_SIZE = 3;
    /** The file every request asks for. */
    public static final String ID = "5b2e0c1d9f8a7e6d5c4b3a2918070605";
    /**
     * Large enough that every zero-copy path is taken: Jetty maps regions of 1 MiB and more,
     * Tomcat sends files above 48 KiB by sendfile.
     */
    static final int FILE_BYTES = 3 << 20;
    /** Names of Keyhole's own threads. */
    public static final String KEYHOLE_THREADS = "keyhole-";
    /**
     * How long release may take. Closing is synchronous in Keyhole, but some of what it ends
     * finishes on other threads: a thread pool's worker dies after its executor's shutdown
     * returned, the database server drops a closed session from its process list when its own
     * thread gets to it, and the JDK's HTTP client before Java 21 ends only once collected.
     */
    static final long PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(10);

    private static final String TABLE = "keyhole_lifecycle";

    private LifecycleCheck() {
    }

    /**
     * A container running Keyhole; {@link #close()} stops the container, which stops Keyhole. It
     * must keep a reference to Keyhole's adapter (the filter, handler or valve instance) even once
     * closed: the check keeps the container reachable until it is done, so that only closing can
     * release what Keyhole held, not the collector (the JDK closes the socket of a connection a
     * forgotten pool dropped once it is collected, which would hide a pool that was never closed).
     */
    public interface Container extends AutoCloseable {
        /** Where the mount's ids are served, e.g. {@code http://127.0.0.1:8080/app/files/}. */
        URI mount();

        /** Stops the container, and with it the adapter. */
        void stop() throws Exception;

        /** {@link #stop()}, with its checked failures unchecked, so a try-with-resources may hold it. */
        @Override
        default void close() {
            try {
                stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while stopping the container", e);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("stopping the container failed: " + e, e);
            }
        }
    }

    /** Starts a container running Keyhole configured by {@code settings} (keys of {@code KeyholeConfig.Builder.KEYS}). */
    @FunctionalInterface
    public interface Starter {
        Container start(Map<String, String> settings) throws Exception;
    }

    /** One moment's counts. {@code backendConnections} is -1 where the backend cannot tell. */
    public record Counts(int backendConnections, int keyholeThreads, int threads, int sockets, int descriptors) {
        @Override
        public String toString() {
            return "backend connections " + backendConnections + ", keyhole threads " + keyholeThreads + ", threads "
                    + threads + ", sockets " + sockets + ", descriptors " + descriptors;
        }

        static Counts of(Holdings h, int backendConnections) {
            return new Counts(backendConnections, h.threads(name -> name.startsWith(KEYHOLE_THREADS)),
                    h.threads(name -> true), h.sockets(), h.descriptors());
        }
    }

    /** What one judged round counted: before the start, while all requests were held, after the stop. */
    public record Report(String what, Counts before, Counts serving, Counts after, long releasedMillis) {
        @Override
        public String toString() {
            return what + ":\n  before  " + before + "\n  serving " + serving + "\n  after   " + after
                    + " (all released " + releasedMillis + " ms after the stop returned)";
        }
    }

    /** Keyhole authorised by SQL: a pool of {@value #POOL_SIZE} connections to the test MariaDB. */
    public static Report sql(String what, Path dir, Starter starter) throws Exception {
        return run(what, dir, starter, new SqlBackend(MariaDb.get()));
    }

    /** Keyhole authorised by JSON over a Unix socket, one connection per request. */
    public static Report unixSocket(String what, Path dir, Starter starter) throws Exception {
        try (UnixBackend backend = new UnixBackend(dir.resolve("auth.sock"))) {
            return run(what, dir, starter, backend);
        }
    }

    /** Keyhole authorised by JSON over HTTP: the JDK's client, kept-alive connections, a thread pool of Keyhole's. */
    public static Report http(String what, Path dir, Starter starter) throws Exception {
        try (HttpBackend backend = new HttpBackend()) {
            return run(what, dir, starter, backend);
        }
    }

    private static Report run(String what, Path dir, Starter starter, Backend backend) throws Exception {
        if (!Holdings.available()) {
            throw new IllegalStateException("counting descriptors needs /proc/self/fd and /proc/self/maps (Linux)");
        }
        HashedTree tree = new HashedTree(dir.resolve("tree"), 2);
        tree.create();
        byte[] content = new byte[FILE_BYTES];
        new Random(7).nextBytes(content);
        Files.write(tree.pathOf(FileId.parse(ID)), content);
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("fs-root", tree.root().toString());
        settings.put("fs-depth", "2");
        settings.put("mount", "/files/");
        settings.putAll(backend.settings());

        Holdings first = Holdings.now();
        // Round one: loads classes and starts what stays for the JVM's life; judged only for keyhole- threads.
        int connectionsFirst = backend.connections();
        Served warm = serve(starter, settings, backend, content);
        awaitReleased(what + " (first round)", first, null, backend, connectionsFirst, tree.root());
        Reference.reachabilityFence(warm.container());

        Holdings before = Holdings.now();
        int connectionsBefore = backend.connections();
        Served judged = serve(starter, settings, backend, content);
        long stopped = System.nanoTime();
        Holdings after = awaitReleased(what, first, before, backend, connectionsBefore, tree.root());
        long releasedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
        Reference.reachabilityFence(judged.container());
        return new Report(what, Counts.of(before, connectionsBefore), judged.serving(),
                Counts.of(after, backend.connections()), releasedMillis);
    }

    /** A stopped container, and the counts of the moment all its requests were held. */
    private record Served(Container container, Counts serving) {
    }

    /** Starts the container, serves {@link #CLIENTS} requests at once, stops it. */
    private static Served serve(Starter starter, Map<String, String> settings, Backend backend, byte[] content)
            throws Exception {
        Counts serving;
        Container container = starter.start(settings);
        try (container) {
            backend.hold(CLIENTS);
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                Thread client = new Thread(() -> {
                    try {
                        get(container.mount(), content);
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }, "test-client-" + i);
                client.start();
                clients.add(client);
            }
            try {
                backend.awaitHeld(CLIENTS);
                serving = Counts.of(Holdings.now(), backend.connections());
            } finally {
                backend.release();
                for (Thread client : clients) {
                    // Joined, so that no client thread is alive when threads are counted.
                    client.join(TimeUnit.NANOSECONDS.toMillis(PATIENCE_NANOS) * 3);
                }
            }
            if (!failures.isEmpty()) {
                AssertionError e = new AssertionError(failures.size() + " of " + CLIENTS + " requests failed: "
                        + failures.get(0), failures.get(0));
                failures.stream().skip(1).forEach(e::addSuppressed);
                throw e;
            }
        }
        return new Served(container, serving);
    }

    /** GET of the file, over a connection of its own that the server closes; checks status and every byte. */
    private static void get(URI mount, byte[] content) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(mount.getHost(), mount.getPort()), 5000);
            socket.setSoTimeout(30_000);
            String request = "GET " + mount.getRawPath() + ID + " HTTP/1.1\r\nHost: " + mount.getHost() + "\r\n"
                    + "Connection: close\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            byte[] response = socket.getInputStream().readAllBytes();
            String text = new String(response, 0, Math.min(response.length, 2000), StandardCharsets.ISO_8859_1);
            int headEnd = text.indexOf("\r\n\r\n");
            if (headEnd < 0 || !text.startsWith("HTTP/1.1 200 ")) {
                throw new AssertionError("expected 200 with the file, got: " + text.lines().findFirst().orElse("nothing"));
            }
            byte[] body = Arrays.copyOfRange(response, headEnd + 4, response.length);
            if (!Arrays.equals(content, body)) {
                throw new AssertionError("the body differs from the file: " + body.length + " bytes, file "
                        + content.length);
            }
        }
    }

    /**
     * Waits, up to {@link #PATIENCE_NANOS}, until nothing the round opened is left, and fails
     * naming what is: backend connections beyond {@code connectionsBefore}, {@code keyhole-}
     * threads not in {@code first}, mappings of the tree, and, unless {@code before} is
     * {@code null} (the first round), any thread or descriptor not in {@code before}. Polls
     * rather than waits a fixed time: what is released late (see {@link #PATIENCE_NANOS}) is
     * usually released within milliseconds.
     */
    private static Holdings awaitReleased(String what, Holdings first, Holdings before, Backend backend,
                                          int connectionsBefore, Path tree) throws Exception {
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        long collected = System.nanoTime();
        while (true) {
            int connections = backend.connections();
            Holdings now = Holdings.now();
            List<Thread> keyholeThreads = now.threadsSince(first, name -> !name.startsWith(KEYHOLE_THREADS));
            List<Thread> threads = before == null ? List.of() : now.threadsSince(before, backend::ownThread);
            Map<Integer, String> descriptors = before == null ? Map.of() : now.descriptorsSince(before);
            List<String> mapped = now.mappedBelow(tree);
            boolean released = connections <= connectionsBefore && keyholeThreads.isEmpty() && threads.isEmpty()
                    && descriptors.isEmpty() && mapped.isEmpty();
            if (released) {
                return now;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(what + ": " + TimeUnit.NANOSECONDS.toSeconds(PATIENCE_NANOS)
                        + " s after the container stopped, it still holds:"
                        + (connections > connectionsBefore ? "\n  backend connections: " + connections
                                + " (" + connectionsBefore + " before)" : "")
                        + (keyholeThreads.isEmpty() ? "" : "\n  Keyhole's threads: " + names(keyholeThreads))
                        + (threads.isEmpty() ? "" : "\n  threads started since: " + names(threads))
                        + (descriptors.isEmpty() ? "" : "\n  descriptors opened since: " + descriptors)
                        + (mapped.isEmpty() ? "" : "\n  mapped regions of the tree: " + mapped));
            }
            if (Runtime.version().feature() < 21 && System.nanoTime() - collected > 500_000_000L
                    && threads.stream().anyMatch(t -> t.getName().matches("HttpClient-\\d+-SelectorManager"))) {
                // Before Java 21 the JDK's HTTP client has no close(): its selector thread ends, and
                // closes the kept-alive connections, once it finds the client collected. Later, close() ends it.
                System.gc();
                collected = System.nanoTime();
            }
            Thread.sleep(10);
        }
    }

    private static String names(List<Thread> threads) {
        return threads.stream().map(Holdings::describe).collect(Collectors.joining(", "));
    }

    /** A real backend granting every request, which can hold requests until all are in. */
    private interface Backend extends AutoCloseable {
        Map<String, String> settings();

        /** Holds the next {@code n} requests until {@link #release()}. */
        void hold(int n) throws Exception;

        /** Returns once {@code n} requests are held, each on a connection of its own. */
        void awaitHeld(int n) throws Exception;

        void release() throws Exception;

        /** Connections open to the backend now; -1 when it cannot tell. */
        int connections() throws Exception;

        /** Whether {@code name} is a thread of the backend's own, which stands for another process. */
        default boolean ownThread(String name) {
            return false;
        }

        @Override
        default void close() throws IOException {
        }
    }

    /**
     * MariaDB. While requests are held, a session of the test's own has the grant table locked
     * for writing, so every query waits on a connection of its own: the pool opens all
     * {@value #POOL_SIZE} it may, and the other requests wait for one of them.
     */
    private static final class SqlBackend implements Backend {
        private final MariaDb db;
        private Connection locker;

        SqlBackend(MariaDb db) {
            this.db = db;
            db.execute("CREATE OR REPLACE TABLE " + TABLE + " (file_id VARCHAR(64) PRIMARY KEY, status SMALLINT NOT NULL)",
                    "INSERT INTO " + TABLE + " VALUES ('" + ID + "', 200)");
        }

        @Override
        public Map<String, String> settings() {
            return Map.of("request-type", "sql",
                    "sql-dsn", db.jdbcUrl(),
                    "sql-query", "SELECT status FROM " + TABLE + " WHERE file_id = :file_id",
                    "sql-pool-size", String.valueOf(POOL_SIZE),
                    "sql-pool-wait", "10s",
                    "auth-timeout", "10s");
        }

        @Override
        public void hold(int n) throws SQLException {
            locker = db.connect();
            try (Statement s = locker.createStatement()) {
                s.execute("LOCK TABLES " + TABLE + " WRITE");
            }
        }

        @Override
        public void awaitHeld(int n) throws Exception {
            long deadline = System.nanoTime() + PATIENCE_NANOS;
            // The server lists a session once its thread took the connection: asynchronous, so polled.
            while (waiting() < POOL_SIZE) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("the pool never had " + POOL_SIZE + " queries waiting at once: "
                            + waiting());
                }
                Thread.sleep(10);
            }
        }

        /** Sessions of Keyhole's user waiting for the locked table. */
        private int waiting() throws SQLException {
            try (Connection c = db.connect();
                 PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM information_schema.PROCESSLIST"
                         + " WHERE USER = ? AND STATE LIKE 'Waiting for table%'")) {
                s.setString(1, db.user());
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        }

        @Override
        public void release() throws SQLException {
            if (locker != null) {
                try (Connection c = locker) {
                    try (Statement s = c.createStatement()) {
                        s.execute("UNLOCK TABLES");
                    }
                } finally {
                    locker = null;
                }
            }
        }

        /** Sessions of Keyhole's user, not counting the one asking nor the test's locking one. */
        @Override
        public int connections() throws SQLException {
            long lockerId = -1;
            if (locker != null) {
                try (Statement s = locker.createStatement(); ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
                    rs.next();
                    lockerId = rs.getLong(1);
                }
            }
            try (Connection c = db.connect();
                 PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM information_schema.PROCESSLIST"
                         + " WHERE USER = ? AND ID <> CONNECTION_ID() AND ID <> ?")) {
                s.setString(1, db.user());
                s.setLong(2, lockerId);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        }
    }

    /** The seed protocol on a real Unix socket ({@link FakeBackend}), holding each answer until all requests are in. */
    private static final class UnixBackend implements Backend {
        private final FakeBackend backend;
        private volatile CountDownLatch arrived = new CountDownLatch(0);
        private volatile CountDownLatch released = new CountDownLatch(0);

        UnixBackend(Path socket) throws IOException {
            this.backend = FakeBackend.start(socket, request -> {
                arrived.countDown();
                try {
                    if (!released.await(PATIENCE_NANOS, TimeUnit.NANOSECONDS)) {
                        return FakeBackend.CLOSE;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return FakeBackend.CLOSE;
                }
                return "{\"status\":200}";
            });
        }

        @Override
        public Map<String, String> settings() {
            return Map.of("transport-type", "unix", "unix-socket", backend.socket().toString());
        }

        @Override
        public void hold(int n) {
            arrived = new CountDownLatch(n);
            released = new CountDownLatch(1);
        }

        @Override
        public void awaitHeld(int n) throws InterruptedException {
            if (!arrived.await(PATIENCE_NANOS, TimeUnit.NANOSECONDS)) {
                throw new AssertionError("the backend never had " + n + " requests at once; "
                        + (n - arrived.getCount()) + " arrived");
            }
        }

        @Override
        public void release() {
            released.countDown();
        }

        @Override
        public int connections() {
            return backend.openConnections();
        }

        @Override
        public boolean ownThread(String name) {
            return name.startsWith("fake-backend-");
        }

        @Override
        public void close() throws IOException {
            backend.close();
        }
    }

    /** JSON over HTTP from the JDK's server on loopback, holding each answer until all requests are in. */
    private static final class HttpBackend implements Backend {
        private static final AtomicInteger INSTANCES = new AtomicInteger();
        private final HttpServer server;
        private final ExecutorService handlers;
        private volatile CountDownLatch arrived = new CountDownLatch(0);
        private volatile CountDownLatch released = new CountDownLatch(0);

        HttpBackend() throws IOException {
            String name = "test-http-backend-" + INSTANCES.incrementAndGet();
            AtomicInteger threads = new AtomicInteger();
            handlers = Executors.newFixedThreadPool(CLIENTS, r -> {
                Thread t = new Thread(r, name + "-" + threads.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            server.setExecutor(handlers);
            server.createContext("/auth", exchange -> {
                try (InputStream in = exchange.getRequestBody(); OutputStream out = exchange.getResponseBody()) {
                    in.readAllBytes();
                    arrived.countDown();
                    if (!released.await(PATIENCE_NANOS, TimeUnit.NANOSECONDS)) {
                        exchange.sendResponseHeaders(503, -1);
                        return;
                    }
                    byte[] answer = "{\"status\":200}".getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().add("Content-Type", "application/json");
                    exchange.sendResponseHeaders(200, answer.length);
                    out.write(answer);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            server.start();
        }

        @Override
        public Map<String, String> settings() {
            return Map.of("transport-type", "http",
                    "http-url", "http://127.0.0.1:" + server.getAddress().getPort() + "/auth");
        }

        @Override
        public void hold(int n) {
            arrived = new CountDownLatch(n);
            released = new CountDownLatch(1);
        }

        @Override
        public void awaitHeld(int n) throws InterruptedException {
            if (!arrived.await(PATIENCE_NANOS, TimeUnit.NANOSECONDS)) {
                throw new AssertionError("the backend never had " + n + " requests at once; "
                        + (n - arrived.getCount()) + " arrived");
            }
        }

        @Override
        public void release() {
            released.countDown();
        }

        /** The JDK's server does not tell; the client's kept-alive connections show among the descriptors. */
        @Override
        public int connections() {
            return -1;
        }

        @Override
        public boolean ownThread(String name) {
            return name.startsWith("test-http-backend-") || name.equals("HTTP-Dispatcher");
        }

        @Override
        public void close() {
            server.stop(0);
            handlers.shutdownNow();
        }
    }
}
