import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The soak harness: runs {@code keyhole serve} (the command-line jar) for some minutes under a mix
 * of valid, invalid and malicious requests and slow clients, while its JSON backend on a Unix
 * socket (served here) cycles through answering, hanging, refusing connections, answering
 * garbage, answering late but in time, and recovering. It asserts that
 * <ul>
 * <li>every answer has a status expected for its request and for the backend's state while it ran;</li>
 * <li>no refused answer carries a byte of any file, and every granted one carries exactly the file's;</li>
 * <li>every request is answered within its timeout plus one second;</li>
 * <li>the server's file descriptors, threads and heap (after a full GC) stay flat: each minute's
 *     average from minute 2 on within ±10 % of minute 2's.</li>
 * </ul>
 * Run by {@code benchmarks/soak/run.sh}, which builds the jar; JDK classes only.
 */
public final class Soak {

    // ---- settings of the server under test; the deadlines below follow from them
    static final Duration CONNECT_TIMEOUT = Duration.ofMillis(500);
    static final Duration AUTH_TIMEOUT = Duration.ofSeconds(2);
    /** What a request that asks the backend may take: connecting, the answer, one second of slack. */
    static final long ASKING_DEADLINE_MS = CONNECT_TIMEOUT.toMillis() + AUTH_TIMEOUT.toMillis() + 1000;
    /** What a request answered without the backend may take. */
    static final long LOCAL_DEADLINE_MS = 1000;
    /** A hung backend holds a connection this long, well past the answer timeout. */
    static final Duration HANG = Duration.ofSeconds(6);
    static final String MARKER = "KHSOAKFILE";
    static final int FILES = 40;
    static final int FILE_BYTES = 96 * 1024;
    static final int BIG_FILE_BYTES = 8 * 1024 * 1024;
    /** Each client's pause between requests: a soak, not a throughput test. */
    static final long THINK_MS = 20;

    /** The backend's states, in the order of one cycle, with their lengths in seconds. */
    enum Phase {
        ANSWER(20), HANG(8), ANSWER2(6), REFUSE(8), ANSWER3(6), GARBAGE(8), LATE(6);

        final int seconds;

        Phase(int seconds) {
            this.seconds = seconds;
        }

        boolean answers() {
            return this == ANSWER || this == ANSWER2 || this == ANSWER3 || this == LATE;
        }
    }

    /** What the clients do. */
    enum Kind {
        GET_OWN, GET_RANGE, GET_CONDITIONAL, GET_BAD_RANGE, HEAD_OWN, GET_OTHERS, GET_UNKNOWN, NO_TOKEN, BAD_TOKEN,
        TRAVERSAL, UPLOAD, DELETE, DELETE_UNKNOWN, GET_UPLOADED
    }

    final Path work;
    final Path jar;
    final Duration length;
    final Path reportFile;
    final byte[] key = new byte[40];
    final Map<String, byte[]> files = new LinkedHashMap<>();
    final Map<String, String> owner = new ConcurrentHashMap<>();
    final Map<String, byte[]> uploaded = new ConcurrentHashMap<>();
    final List<String> ids = new ArrayList<>();
    String bigId;
    volatile Phase phase = Phase.ANSWER;
    /** Phase changes: when (nanoTime) and to what, in order. */
    final List<long[]> phaseLog = Collections.synchronizedList(new ArrayList<>());
    final ConcurrentLinkedQueue<Result> results = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
    final AtomicLong slowClients = new AtomicLong();
    final AtomicLong backendExchanges = new AtomicLong();
    /** Exchanges the backend itself answered too late outside HANG (a starved machine): [accepted, answered] nanoTime. */
    final List<long[]> lateBackend = Collections.synchronizedList(new ArrayList<>());
    Process server;
    long serverPid;
    int port;
    volatile boolean running = true;
    long startNanos;

    record Result(Kind kind, int status, long millis, long deadline, Set<Phase> phases) {
    }

    record Sample(double minute, long fds, long threads, long heapKiB) {
    }

    Soak(Path work, Path jar, Duration length, Path reportFile) {
        this.work = work;
        this.jar = jar;
        this.length = length;
        this.reportFile = reportFile;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new TreeMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        Path jar = Path.of(a.getOrDefault("--jar", "cli/target/keyhole.jar"));
        double minutes = Double.parseDouble(a.getOrDefault("--minutes", "10"));
        Path report = Path.of(a.getOrDefault("--report", "benchmarks/target/soak/report.md"));
        Path work = Files.createTempDirectory("keyhole-soak");
        Soak soak = new Soak(work, jar, Duration.ofMillis((long) (minutes * 60_000)), report);
        int exit;
        try {
            exit = soak.run();
        } finally {
            soak.stop();
            deleteTree(work);
        }
        System.exit(exit);
    }

    int run() throws Exception {
        new SecureRandom().nextBytes(key);
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) ('a' + (key[i] & 0x0f)); // printable, so it fits the properties file
        }
        Path tree = work.resolve("tree");
        for (char c : "0123456789abcdef".toCharArray()) {
            Files.createDirectories(tree.resolve(String.valueOf(c)));
        }
        Random random = new Random(42);
        for (int i = 0; i < FILES; i++) {
            String id = String.format(Locale.ROOT, "%x%015x", i % 16, random.nextLong() & 0x0fffffffffffffffL);
            byte[] content = fileContent(id, FILE_BYTES, random);
            Files.write(tree.resolve(id.substring(0, 1)).resolve(id), content);
            files.put(id, content);
            owner.put(id, i % 4 == 0 ? "bob" : "alice");
            ids.add(id);
        }
        bigId = "b" + "0".repeat(15);
        byte[] big = fileContent(bigId, BIG_FILE_BYTES, random);
        Files.write(tree.resolve("b").resolve(bigId), big);
        files.put(bigId, big);
        owner.put(bigId, "alice");

        Path socket = work.resolve("backend.sock");
        Backend backend = new Backend(socket);
        backend.start();

        port = freePort();
        Path config = work.resolve("keyhole.properties");
        Files.writeString(config, String.join("\n",
                "listen=127.0.0.1:" + port,
                "fs-root=" + tree,
                "fs-depth=1",
                "unix-socket=" + socket,
                "jwt-key=" + new String(key, StandardCharsets.US_ASCII),
                "jwt-field=uid",
                "read-only=no",
                "upload-max-size=1m",
                "auth-connect-timeout=" + CONNECT_TIMEOUT.toMillis() + "ms",
                "auth-timeout=" + AUTH_TIMEOUT.toMillis() + "ms",
                ""));
        startServer(config);

        startNanos = System.nanoTime();
        long end = startNanos + length.toNanos();
        ExecutorService pool = Executors.newCachedThreadPool();
        pool.submit(() -> cyclePhases(backend, end));
        int clients = 4;
        for (int i = 0; i < clients; i++) {
            pool.submit(() -> clientLoop(end));
        }
        for (int i = 0; i < 4; i++) {
            pool.submit(() -> slowClientLoop(end));
        }
        pool.submit(() -> sampleLoop(end));
        pool.shutdown();
        if (!pool.awaitTermination(length.toSeconds() + 120, TimeUnit.SECONDS)) {
            failures.add("the harness's own threads did not finish");
        }
        running = false;
        backend.stop();
        return report();
    }

    // ---- the server under test

    void startServer(Path config) throws Exception {
        Path log = work.resolve("server.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        server = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseG1GC", "-jar", jar.toString(), "serve", "--config",
                config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        serverPid = server.pid();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains("keyhole: serving")) {
                return;
            }
            if (!server.isAlive()) {
                throw new IllegalStateException("keyhole serve exited: " + Files.readString(log));
            }
            Thread.sleep(100); // waiting for a process's first line: no event to wait on
        }
        throw new IllegalStateException("keyhole serve did not start within 120 s");
    }

    void stop() {
        running = false;
        if (server != null && server.isAlive()) {
            server.destroy();
            try {
                if (!server.waitFor(20, TimeUnit.SECONDS)) {
                    server.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            Path log = work.resolve("server.log");
            if (Files.exists(log)) {
                Files.createDirectories(reportFile.toAbsolutePath().getParent());
                Files.copy(log, reportFile.toAbsolutePath().resolveSibling("server.log"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            System.err.println("cannot keep the server's log: " + e);
        }
    }

    // ---- the backend: JSON over a Unix socket, in the state of the current phase

    final class Backend {
        final Path socket;
        volatile ServerSocketChannel channel;
        final ExecutorService handlers = Executors.newCachedThreadPool();
        Thread acceptor;

        Backend(Path socket) {
            this.socket = socket;
        }

        void start() throws IOException {
            open();
            acceptor = new Thread(this::acceptLoop, "backend-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        synchronized void open() throws IOException {
            Files.deleteIfExists(socket);
            ServerSocketChannel c = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            c.bind(UnixDomainSocketAddress.of(socket));
            channel = c;
            notifyAll();
        }

        /** Refusing: the socket is gone, so connecting fails at once (ECONNREFUSED / ENOENT). */
        synchronized void close() throws IOException {
            ServerSocketChannel c = channel;
            channel = null;
            if (c != null) {
                c.close();
            }
            Files.deleteIfExists(socket);
        }

        void stop() throws IOException {
            close();
            handlers.shutdownNow();
        }

        void acceptLoop() {
            while (running) {
                ServerSocketChannel c;
                synchronized (this) {
                    while ((c = channel) == null && running) {
                        try {
                            wait(500);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
                if (c == null) {
                    return;
                }
                try {
                    SocketChannel conn = c.accept();
                    handlers.submit(() -> handle(conn));
                } catch (IOException e) {
                    // closed for the REFUSE phase; the loop waits for the next open
                }
            }
        }

        void handle(SocketChannel conn) {
            long accepted = System.nanoTime();
            Phase now = phase;
            backendExchanges.incrementAndGet();
            try (conn) {
                ByteArrayOutputStream in = new ByteArrayOutputStream();
                ByteBuffer buf = ByteBuffer.allocate(8192);
                while (conn.read(buf) >= 0) {
                    buf.flip();
                    in.write(buf.array(), 0, buf.limit());
                    buf.clear();
                }
                String question = in.toString(StandardCharsets.UTF_8);
                byte[] answer = switch (now) {
                    case HANG -> {
                        Thread.sleep(HANG.toMillis());
                        yield new byte[0];
                    }
                    case GARBAGE -> garbage();
                    case LATE -> {
                        Thread.sleep(AUTH_TIMEOUT.toMillis() * 2 / 3);
                        yield answer(question).getBytes(StandardCharsets.UTF_8);
                    }
                    default -> answer(question).getBytes(StandardCharsets.UTF_8);
                };
                if (now != Phase.HANG && System.nanoTime() - accepted > AUTH_TIMEOUT.toNanos() * 9 / 10) {
                    lateBackend.add(new long[] {accepted, System.nanoTime()});
                }
                conn.write(ByteBuffer.wrap(answer));
            } catch (IOException | InterruptedException e) {
                // Keyhole gave up on the exchange first (its timeout); that is the point of HANG
            }
        }

        byte[] garbage() {
            String[] kinds = {"not json", "{\"status\":200", "{\"status\":200}{\"status\":200}", "{\"status\":99}",
                    "", "{\"status\":\"200\"}", "[200]", "{\"length\":-1,\"status\":200}",
                    "{\"status\":200,\"status\":403}", "\u0000\u0001\u0002"};
            return kinds[ThreadLocalRandom.current().nextInt(kinds.length)].getBytes(StandardCharsets.UTF_8);
        }

        String answer(String question) {
            String uri = field(question, "uri");
            String user = field(question, "jwt_value");
            String method = field(question, "http_method");
            if ("POST".equals(method)) {
                return "{\"status\":200}";
            }
            String id = uri == null ? "" : uri.substring(uri.lastIndexOf('/') + 1);
            String who = owner.get(id);
            if (who == null) {
                return "{\"status\":404}";
            }
            if (!who.equals(user)) {
                return "{\"status\":403}";
            }
            if ("DELETE".equals(method)) {
                return "{\"status\":200}";
            }
            return "{\"status\":200,\"filename\":\"" + id + ".bin\",\"content_type\":\"application/octet-stream\"}";
        }
    }

    static final Pattern FIELD = Pattern.compile("\"([a-z_]+)\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    static String field(String json, String name) {
        Matcher m = FIELD.matcher(json);
        while (m.find()) {
            if (m.group(1).equals(name)) {
                return m.group(2);
            }
        }
        return null;
    }

    void cyclePhases(Backend backend, long end) {
        try {
            int i = 0;
            Phase[] order = Phase.values();
            while (System.nanoTime() < end) {
                Phase next = order[i++ % order.length];
                if (next == Phase.REFUSE) {
                    backend.close();
                } else if (phase == Phase.REFUSE) {
                    backend.open();
                }
                phase = next;
                phaseLog.add(new long[] {System.nanoTime(), next.ordinal()});
                long until = Math.min(end, System.nanoTime() + TimeUnit.SECONDS.toNanos(next.seconds));
                while (System.nanoTime() < until) {
                    TimeUnit.NANOSECONDS.sleep(Math.min(until - System.nanoTime(), 200_000_000L));
                }
            }
            if (phase == Phase.REFUSE) {
                backend.open();
            }
            phase = Phase.ANSWER;
            phaseLog.add(new long[] {System.nanoTime(), Phase.ANSWER.ordinal()});
        } catch (Exception e) {
            failures.add("phase cycle: " + e);
        }
    }

    /** The phases in force at any time in [from, to], plus the one before (an exchange may have started in it). */
    Set<Phase> phasesDuring(long from, long to) {
        Set<Phase> seen = EnumSet.noneOf(Phase.class);
        synchronized (phaseLog) {
            Phase before = Phase.ANSWER;
            for (long[] change : phaseLog) {
                if (change[0] <= from) {
                    before = Phase.values()[(int) change[1]];
                } else if (change[0] <= to) {
                    seen.add(Phase.values()[(int) change[1]]);
                }
            }
            seen.add(before);
        }
        return seen;
    }

    boolean backendLateDuring(long from, long to) {
        synchronized (lateBackend) {
            return lateBackend.stream().anyMatch(w -> w[0] <= to && w[1] >= from);
        }
    }

    // ---- clients

    void clientLoop(long end) {
        Random r = new Random();
        while (System.nanoTime() < end) {
            Kind kind = pick(r);
            try {
                one(kind, r);
            } catch (Exception e) {
                failures.add(kind + ": " + e);
            }
        }
    }

    static Kind pick(Random r) {
        int n = r.nextInt(100);
        if (n < 25) return Kind.GET_OWN;
        if (n < 33) return Kind.GET_RANGE;
        if (n < 38) return Kind.GET_CONDITIONAL;
        if (n < 41) return Kind.GET_BAD_RANGE;
        if (n < 44) return Kind.HEAD_OWN;
        if (n < 50) return Kind.GET_OTHERS;
        if (n < 55) return Kind.GET_UNKNOWN;
        if (n < 59) return Kind.NO_TOKEN;
        if (n < 65) return Kind.BAD_TOKEN;
        if (n < 72) return Kind.TRAVERSAL;
        if (n < 84) return Kind.UPLOAD;
        if (n < 88) return Kind.DELETE_UNKNOWN;
        if (n < 94) return Kind.GET_UPLOADED;
        return Kind.DELETE;
    }

    void one(Kind kind, Random r) throws Exception {
        String id = ids.get(r.nextInt(ids.size()));
        while (kind == Kind.GET_OWN && !"alice".equals(owner.get(id)) || kind == Kind.GET_OTHERS && !"bob".equals(owner.get(id))) {
            id = ids.get(r.nextInt(ids.size()));
        }
        TimeUnit.MILLISECONDS.sleep(THINK_MS);
        String alice = "Authorization: Bearer " + token("alice", 3600);
        String request;
        byte[] body = null;
        byte[] expected = null;
        boolean asks = true;
        String uploadedId = null;
        switch (kind) {
            case GET_OWN, GET_OTHERS, GET_UNKNOWN -> {
                if (kind == Kind.GET_UNKNOWN) {
                    id = String.format(Locale.ROOT, "%016x", r.nextLong() | 1L << 62);
                }
                request = "GET /" + id + " HTTP/1.1\r\n" + alice + "\r\n";
                expected = files.get(id);
            }
            case GET_RANGE -> {
                int from = r.nextInt(FILE_BYTES);
                int to = from + r.nextInt(FILE_BYTES - from);
                request = "GET /" + id + " HTTP/1.1\r\n" + alice + "\r\nRange: bytes=" + from + "-" + to + "\r\n";
                expected = "alice".equals(owner.get(id)) ? Arrays.copyOfRange(files.get(id), from, to + 1) : null;
            }
            case GET_CONDITIONAL -> request = "GET /" + id + " HTTP/1.1\r\n" + alice + "\r\nIf-None-Match: *\r\n";
            case GET_BAD_RANGE -> {
                String[] ranges = {"bytes=999999999-", "bytes=5-1", "bytes=-0", "items=0-1", "bytes=" + "0-0,".repeat(200),
                        "bytes=0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1"};
                request = "GET /" + id + " HTTP/1.1\r\n" + alice + "\r\nRange: " + ranges[r.nextInt(ranges.length)] + "\r\n";
            }
            case HEAD_OWN -> request = "HEAD /" + id + " HTTP/1.1\r\n" + alice + "\r\n";
            case NO_TOKEN -> {
                request = "GET /" + id + " HTTP/1.1\r\n";
                asks = false;
            }
            case BAD_TOKEN -> {
                String[] bad = {token("alice", -3600), token("alice", 3600).replaceAll("\\.[^.]*$", ".AAAA"),
                        noneToken(), "not.a.jwt", "Bearer", token("alice", 3600) + "x", "a".repeat(9000)};
                request = "GET /" + id + " HTTP/1.1\r\nAuthorization: Bearer " + bad[r.nextInt(bad.length)] + "\r\n";
                asks = false;
            }
            case TRAVERSAL -> {
                // escapes and near-misses of an id; each ends in 400 (Jetty) or 404 (the id grammar)
                String[] paths = {"/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/0/../../" + id,
                        "/..%2f..%2fetc%2fpasswd", "/%00" + id, "/" + id + "%00", "/" + id.toUpperCase(Locale.ROOT)
                        .replace('B', 'G'), "/" + id + ".", "/%5c..%5c" + id, "/" + id.charAt(0) + "/" + id, "/" + id + "/",
                        "/" + id + "%2f..%2f..%2fetc%2fpasswd", "/%c0%ae%c0%ae/etc/passwd"};
                request = "GET " + paths[r.nextInt(paths.length)] + " HTTP/1.1\r\n" + alice + "\r\n";
                asks = false;
            }
            case UPLOAD -> {
                byte[] content = fileContent("up" + r.nextInt(), 1024 + r.nextInt(16 * 1024), r);
                String boundary = "soak" + Long.toHexString(r.nextLong());
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                b.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"d\"; filename=\"f.bin\"\r\n"
                        + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                b.writeBytes(content);
                b.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
                body = b.toByteArray();
                expected = content;
                request = "POST / HTTP/1.1\r\n" + alice + "\r\nContent-Type: multipart/form-data; boundary=" + boundary
                        + "\r\nContent-Length: " + body.length + "\r\n";
            }
            case DELETE, GET_UPLOADED -> {
                List<String> mine = new ArrayList<>(uploaded.keySet());
                if (mine.isEmpty()) {
                    return;
                }
                uploadedId = mine.get(r.nextInt(mine.size()));
                expected = kind == Kind.GET_UPLOADED ? uploaded.get(uploadedId) : uploaded.remove(uploadedId);
                if (expected == null) {
                    return; // another client deleted it meanwhile
                }
                request = (kind == Kind.DELETE ? "DELETE /" : "GET /") + uploadedId + " HTTP/1.1\r\n" + alice + "\r\n";
            }
            case DELETE_UNKNOWN -> request = "DELETE /" + String.format(Locale.ROOT, "%016x", r.nextLong() | 1L << 61)
                    + " HTTP/1.1\r\n" + alice + "\r\n";
            default -> throw new IllegalStateException();
        }
        request += "Host: 127.0.0.1\r\nConnection: close\r\n\r\n";
        long deadline = asks ? ASKING_DEADLINE_MS : LOCAL_DEADLINE_MS;
        long from = System.nanoTime();
        Response response = exchange(request, body, kind == Kind.HEAD_OWN);
        long to = System.nanoTime();
        long millis = TimeUnit.NANOSECONDS.toMillis(to - from);
        String line = request.substring(0, request.indexOf(" HTTP/1.1"));
        Set<Phase> phases = phasesDuring(from, to);
        results.add(new Result(kind, response.status, millis, deadline, phases));

        if (millis > deadline) {
            failures.add(kind + " " + line + " took " + millis + " ms, deadline " + deadline + " ms (status "
                    + response.status + ", backend " + phases + ")");
        }
        Set<Integer> allowed = new java.util.TreeSet<>(allowed(kind, phases));
        if (asks && backendLateDuring(from, to)) {
            allowed.add(504); // the backend, starved of CPU, answered late: a 504 is the right answer
        }
        if (!allowed.contains(response.status)) {
            failures.add(kind + " " + line + " answered " + response.status + ", expected one of " + allowed
                    + " (backend " + phases + ")");
        }
        boolean granted = response.status == 200 || response.status == 206 || response.status == 201;
        if (!granted || kind == Kind.UPLOAD) {
            if (indexOf(response.body, MARKER.getBytes(StandardCharsets.US_ASCII)) >= 0) {
                failures.add(kind + " answered " + response.status + " with file bytes in its body");
            }
        } else if (expected != null && kind != Kind.HEAD_OWN && kind != Kind.DELETE
                && !Arrays.equals(expected, response.body)) {
            failures.add(kind + " answered " + response.status + " with " + response.body.length
                    + " bytes that are not the file's " + expected.length);
        }
        if (kind == Kind.UPLOAD && response.status == 201) {
            String location = response.header("location");
            String newId = location == null ? null : location.substring(location.lastIndexOf('/') + 1);
            if (newId == null) {
                failures.add("an upload's 201 has no Location");
            } else {
                owner.put(newId, "alice");
                uploaded.put(newId, expected);
            }
        }
        if (kind == Kind.DELETE) {
            if (response.status == 204 || response.status == 404) {
                owner.remove(uploadedId);
            } else {
                uploaded.put(uploadedId, expected); // refused: the file is still there
            }
        }
    }

    /** The statuses a request of {@code kind} may get while the backend went through {@code phases}. */
    static Set<Integer> allowed(Kind kind, Set<Phase> phases) {
        Set<Integer> ok = new java.util.TreeSet<>();
        switch (kind) {
            case NO_TOKEN -> ok.add(401);
            case BAD_TOKEN -> {
                ok.add(401);
                ok.add(431); // the 9,000-character token: the container refuses the header first
            }
            case TRAVERSAL -> {
                ok.add(400);
                ok.add(404);
            }
            default -> {
                for (Phase p : phases) {
                    switch (p) {
                        case HANG -> ok.add(504);
                        case REFUSE -> {
                            ok.add(503);
                            // a connection already in the backlog when the socket closed: dropped unanswered
                            ok.add(502);
                        }
                        case GARBAGE -> ok.add(502);
                        default -> ok.addAll(answered(kind));
                    }
                }
            }
        }
        return ok;
    }

    static Set<Integer> answered(Kind kind) {
        return switch (kind) {
            case GET_OWN -> Set.of(200);
            case GET_RANGE -> Set.of(206, 403);
            case GET_CONDITIONAL -> Set.of(304, 403);
            case GET_BAD_RANGE -> Set.of(200, 206, 416, 403);
            case HEAD_OWN -> Set.of(200, 403);
            case GET_OTHERS -> Set.of(403);
            case GET_UNKNOWN, DELETE_UNKNOWN -> Set.of(404);
            case UPLOAD -> Set.of(201);
            // an upload's file may be gone already: deleted by another client after this one picked it
            case DELETE -> Set.of(204, 404);
            case GET_UPLOADED -> Set.of(200, 404);
            default -> Set.of();
        };
    }

    /**
     * Slow clients: headers a byte at a time, uploads that trickle, downloads never read or read a
     * few bytes a second. Only their count matters.
     */
    void slowClientLoop(long end) {
        Random r = new Random();
        while (System.nanoTime() < end) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                s.setSoTimeout(1000);
                slowClients.incrementAndGet();
                OutputStream out = s.getOutputStream();
                long until = Math.min(end, System.nanoTime() + TimeUnit.SECONDS.toNanos(15 + r.nextInt(15)));
                int mode = r.nextInt(4);
                if (mode == 0) {
                    byte[] head = ("GET /" + ids.get(0) + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                            + token("alice", 3600) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
                    for (int i = 0; i < head.length && System.nanoTime() < until; i++) {
                        out.write(head[i]);
                        out.flush();
                        TimeUnit.MILLISECONDS.sleep(500);
                    }
                } else if (mode == 1) {
                    out.write(("GET /" + bigId + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token("alice", 3600)
                            + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    while (System.nanoTime() < until) {
                        TimeUnit.MILLISECONDS.sleep(200); // never reads: the server's writes wait
                    }
                } else if (mode == 3) {
                    // takes a few bytes a second: steady enough for the idle timeout, too slow for min-download-rate
                    out.write(("GET /" + bigId + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token("alice", 3600)
                            + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    InputStream in = s.getInputStream();
                    byte[] few = new byte[16];
                    while (System.nanoTime() < until && in.read(few) >= 0) {
                        TimeUnit.MILLISECONDS.sleep(500);
                    }
                } else {
                    out.write(("POST / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token("alice", 3600)
                            + "\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n"
                            + "--b\r\nContent-Disposition: form-data; name=\"d\"; filename=\"s\"\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    while (System.nanoTime() < until) {
                        out.write('x');
                        out.flush();
                        TimeUnit.MILLISECONDS.sleep(500);
                    }
                }
            } catch (IOException e) {
                // the server closed a slow client: what its idle timeout and minimum rates are for
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    // ---- resources of the server process

    void sampleLoop(long end) {
        try {
            while (System.nanoTime() < end) {
                double minute = (System.nanoTime() - startNanos) / 60e9;
                long fds;
                try (var list = Files.list(Path.of("/proc/" + serverPid + "/fd"))) {
                    fds = list.count();
                }
                long threads = Files.readAllLines(Path.of("/proc/" + serverPid + "/status")).stream()
                        .filter(l -> l.startsWith("Threads:")).mapToLong(l -> Long.parseLong(l.substring(8).trim()))
                        .findFirst().orElse(-1);
                long heap = heapAfterGc();
                samples.add(new Sample(minute, fds, threads, heap));
                long next = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (System.nanoTime() < Math.min(next, end)) {
                    TimeUnit.MILLISECONDS.sleep(200);
                }
            }
        } catch (Exception e) {
            failures.add("sampling: " + e);
        }
    }

    /**
     * The live heap in KiB: jcmd's class histogram runs a full GC first and counts what
     * survives, at the same moment (unlike "used" read after a separate GC, which already holds
     * the next requests' garbage).
     */
    long heapAfterGc() throws Exception {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        String histogram = run(jcmd, Long.toString(serverPid), "GC.class_histogram");
        Matcher m = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)").matcher(histogram);
        return m.find() ? Long.parseLong(m.group(1)) / 1024 : -1;
    }

    static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    // ---- HTTP on the wire

    record Response(int status, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    Response exchange(String head, byte[] body, boolean headRequest) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            InputStream in = s.getInputStream();
            byte[] all;
            try {
                all = in.readAllBytes();
            } catch (SocketTimeoutException e) {
                return new Response(-1, Map.of(), new byte[0]);
            }
            int split = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            if (split < 0) {
                return new Response(-2, Map.of(), all);
            }
            String[] lines = new String(all, 0, split, StandardCharsets.ISO_8859_1).split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, String> headers = new TreeMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
            byte[] rest = Arrays.copyOfRange(all, split + 4, all.length);
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                rest = dechunk(rest);
            }
            return new Response(status, headers, headRequest ? new byte[0] : rest);
        }
    }

    static byte[] dechunk(byte[] chunked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < chunked.length) {
            int eol = indexOf(Arrays.copyOfRange(chunked, i, chunked.length), "\r\n".getBytes(StandardCharsets.US_ASCII));
            if (eol < 0) {
                break;
            }
            int size = Integer.parseInt(new String(chunked, i, eol, StandardCharsets.US_ASCII).split(";")[0].trim(), 16);
            i += eol + 2;
            if (size == 0) {
                break;
            }
            out.write(chunked, i, Math.min(size, chunked.length - i));
            i += size + 2;
        }
        return out.toByteArray();
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    // ---- tokens and files

    String token(String uid, long lifetimeSeconds) {
        long exp = Instant.now().getEpochSecond() + lifetimeSeconds;
        String header = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String claims = b64(("{\"uid\":\"" + uid + "\",\"exp\":" + exp + "}").getBytes(StandardCharsets.UTF_8));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return header + "." + claims + "." + b64(mac.doFinal((header + "." + claims).getBytes(StandardCharsets.US_ASCII)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String noneToken() {
        return b64("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64(("{\"uid\":\"alice\",\"exp\":" + (Instant.now().getEpochSecond() + 3600) + "}")
                .getBytes(StandardCharsets.UTF_8)) + ".";
    }

    static String b64(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Random bytes with the marker every 4 KiB, so a stray piece of any file is recognised. */
    static byte[] fileContent(String id, int size, Random r) {
        byte[] b = new byte[size];
        r.nextBytes(b);
        byte[] mark = (MARKER + id).getBytes(StandardCharsets.US_ASCII);
        for (int at = 0; at + mark.length <= size; at += 4096) {
            System.arraycopy(mark, 0, b, at, mark.length);
        }
        return b;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static void deleteTree(Path p) {
        try (var walk = Files.walk(p)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary directory; nothing depends on its removal
        }
    }

    // ---- the report

    int report() throws IOException {
        List<Result> all = new ArrayList<>(results);
        Files.createDirectories(reportFile.toAbsolutePath().getParent());
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(reportFile))) {
            out.printf(Locale.ROOT, "Soak of `keyhole serve`: %.1f minutes, %d requests (%d slow-client connections, %d backend exchanges), load average %s%n%n",
                    length.toMillis() / 60000.0, all.size(), slowClients.get(), backendExchanges.get(),
                    Files.readString(Path.of("/proc/loadavg")).trim());
            out.println("| request | count | statuses | p50 ms | p99 ms | max ms | deadline ms |");
            out.println("|---|---:|---|---:|---:|---:|---:|");
            for (Kind kind : Kind.values()) {
                List<Result> of = all.stream().filter(x -> x.kind() == kind).toList();
                if (of.isEmpty()) {
                    continue;
                }
                Map<Integer, Long> statuses = new TreeMap<>();
                of.forEach(x -> statuses.merge(x.status(), 1L, Long::sum));
                long[] ms = of.stream().mapToLong(Result::millis).sorted().toArray();
                out.printf(Locale.ROOT, "| %s | %d | %s | %d | %d | %d | %d |%n", kind.name().toLowerCase(Locale.ROOT),
                        of.size(), statuses.toString().replace("=", "×").replace("{", "").replace("}", ""),
                        ms[ms.length / 2], ms[(int) Math.min(ms.length - 1, Math.ceil(ms.length * 0.99) - 1)],
                        ms[ms.length - 1], of.get(0).deadline());
            }
            out.println();
            out.println("Server resources, sampled every 10 s; each minute's lowest sample (requests in flight come and go, a leak raises the floor):");
            out.println();
            out.println("| minute | file descriptors | threads | live heap after full GC (KiB) |");
            out.println("|---:|---:|---:|---:|");
            Map<Integer, List<Sample>> byMinute = new TreeMap<>();
            for (Sample s : samples) {
                byMinute.computeIfAbsent((int) s.minute(), k -> new ArrayList<>()).add(s);
            }
            Map<Integer, double[]> averages = new TreeMap<>();
            byMinute.forEach((minute, list) -> {
                // each minute's floor: requests in flight come and go, a leak raises the floor
                double[] avg = {list.stream().mapToLong(Sample::fds).min().orElse(0),
                        list.stream().mapToLong(Sample::threads).min().orElse(0),
                        list.stream().mapToLong(Sample::heapKiB).min().orElse(0)};
                averages.put(minute, avg);
                out.printf(Locale.ROOT, "| %d–%d | %.0f | %.0f | %.0f |%n", minute, minute + 1, avg[0], avg[1], avg[2]);
            });
            double[] base = averages.get(1); // minute 2 is [1, 2)
            if (base != null) {
                String[] names = {"file descriptors", "threads", "heap"};
                averages.forEach((minute, avg) -> {
                    if (minute > 1) {
                        for (int i = 0; i < 3; i++) {
                            double change = (avg[i] - base[i]) / base[i];
                            if (Math.abs(change) > 0.10) {
                                failures.add(String.format(Locale.ROOT, "%s in minute %d: %.0f, %+.0f %% against minute 2 (%.0f)",
                                        names[i], minute + 1, avg[i], 100 * change, base[i]));
                            }
                        }
                    }
                });
            } else {
                out.println();
                out.println("(shorter than 2 minutes: no flatness check)");
            }
            out.println();
            long late = all.stream().filter(x -> x.millis() > x.deadline()).count();
            long lateWhileAnswering = all.stream().filter(x -> x.millis() > x.deadline()
                    && x.phases().stream().allMatch(Phase::answers)).count();
            out.printf(Locale.ROOT, "Backend exchanges that the harness's own backend answered late outside HANG (CPU starvation): %d%n%n",
                    lateBackend.size());
            out.printf(Locale.ROOT, "Late answers: %d of %d (%d while the backend answered normally throughout, %d while it"
                    + " hung, refused or answered garbage)%n%n", late, all.size(), lateWhileAnswering, late - lateWhileAnswering);
            List<String> f = new ArrayList<>(failures);
            Map<String, Long> byCategory = new TreeMap<>();
            for (String x : f) {
                String[] words = x.split(" ");
                byCategory.merge(words[0] + (x.contains(" took ") ? " late" : x.contains(" answered ") ? " status "
                        + x.replaceAll(".* answered (-?\\d+).*", "$1") : " other"), 1L, Long::sum);
            }
            if (!byCategory.isEmpty()) {
                out.println("| problem | count |");
                out.println("|---|---:|");
                byCategory.forEach((k, v) -> out.printf(Locale.ROOT, "| %s | %d |%n", k, v));
                out.println();
            }
            if (f.isEmpty()) {
                out.println("Verdict: PASS — every status expected, no file byte in a refused answer, every request within its deadline, resources flat.");
            } else {
                out.println("Verdict: FAIL — " + f.size() + " problems; the first 30:");
                out.println();
                f.stream().limit(30).forEach(x -> out.println("- " + x));
            }
        }
        System.out.println(Files.readString(reportFile));
        return failures.isEmpty() ? 0 : 1;
    }
}
