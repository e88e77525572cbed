package io.keyhole.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.AuthResponse;
import io.keyhole.FileId;
import io.keyhole.backend.JsonSocketServer;
import io.keyhole.tree.HashedTree;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keyhole serve} run as a service, in a child JVM: a warning for a backend socket that is
 * not there yet, {@code /metrics} counting exactly what was answered, {@code /health} following
 * the backend, the audit file (one line per request, no token), SIGHUP taking a new JWT key, and
 * a stop that waits for a download in flight no longer than {@code shutdown-timeout}.
 */
class ServeOperationsTest {

    static final String KEY_1 = "serve-ops-key-one-0123456789abcdef";
    static final String KEY_2 = "serve-ops-key-two-0123456789abcdef";
    static final String ID = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
    static final Pattern READY = Pattern.compile("keyhole: serving \\S+ at (http://127\\.0\\.0\\.1:\\d+/files/) .*");
    static final Pattern ADMIN = Pattern.compile("keyhole: metrics and health at (http://127\\.0\\.0\\.1:\\d+)/metrics .*");

    @TempDir
    Path dir;
    final HttpClient http = HttpClient.newHttpClient();
    final CountDownLatch slowEntered = new CountDownLatch(1);
    final CountDownLatch slowRelease = new CountDownLatch(1);

    static String token(String key, String uid) {
        return Tokens.mint(key.getBytes(StandardCharsets.US_ASCII), "HS256", Map.of("uid", uid), Duration.ofMinutes(5),
                Instant.now());
    }

    private Path config(Path socket, String key, Path audit) throws IOException {
        return Files.writeString(dir.resolve("keyhole.properties"), String.join("\n",
                "listen = 127.0.0.1:0",
                "admin-listen = 127.0.0.1:0",
                "audit-log = " + audit,
                "shutdown-timeout = 1s",
                "mount = /files/",
                "fs-root = " + dir.resolve("tree"),
                "fs-depth = 2",
                "unix-socket = " + socket,
                "jwt-key = " + key,
                "jwt-field = uid",
                ""));
    }

    private JsonSocketServer backend(Path socket) throws IOException {
        return JsonSocketServer.start(socket, q -> switch (q.authValue()) {
            case "alice" -> new AuthResponse(200, "data.bin", "application/x-test", null, "\"e1\"", null, null, null);
            case "slow" -> {
                slowEntered.countDown();
                try {
                    slowRelease.await(JavaProcess.PATIENCE.toSeconds(), TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                yield AuthResponse.ofStatus(200);
            }
            default -> AuthResponse.ofStatus(403);
        });
    }

    private HttpResponse<String> get(URI uri, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri);
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servedAsAService() throws Exception {
        HashedTree tree = new HashedTree(dir.resolve("tree"), 2);
        tree.create();
        Files.write(tree.pathOf(FileId.parse(ID)), new byte[10_000]);
        Path socket = dir.resolve("auth.sock");
        Path audit = dir.resolve("audit.jsonl");
        Path config = config(socket, KEY_1, audit);

        try (JavaProcess child = JavaProcess.main("serve", "--config", config.toString())) {
            Matcher ready = READY.matcher(child.awaitLine(l -> l.startsWith("keyhole: serving")));
            assertTrue(ready.matches());
            Matcher adminLine = ADMIN.matcher(child.awaitLine(l -> l.startsWith("keyhole: metrics")));
            assertTrue(adminLine.matches());
            URI file = URI.create(ready.group(1) + ID);
            URI admin = URI.create(adminLine.group(1) + "/");
            child.awaitStderr("the backend socket " + socket + " does not exist");

            // health follows the backend: down before it listens, up, down when it goes, up again
            assertEquals(503, get(admin.resolve("health")).statusCode());
            JsonSocketServer backend = backend(socket);
            HttpResponse<String> up = get(admin.resolve("health"));
            assertEquals(200, up.statusCode(), up.body());
            assertTrue(up.body().startsWith("{\"status\":\"UP\""), up.body());

            // N requests of each kind
            int n = 3;
            String alice = token(KEY_1, "alice");
            String bob = token(KEY_1, "bob");
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                statuses.add(get(file, "Authorization", "Bearer " + alice).statusCode());
                statuses.add(get(file, "Authorization", "Bearer " + alice, "If-None-Match", "\"e1\"").statusCode());
                statuses.add(get(file, "Authorization", "Bearer " + bob).statusCode());
                statuses.add(get(file).statusCode());
            }
            assertEquals(List.of(200, 304, 403, 401, 200, 304, 403, 401, 200, 304, 403, 401), statuses);
            String metrics = awaitMetric(admin, "keyhole_requests_total{operation=\"download\",outcome=\"denied\",status=\"401\"} " + n);
            assertTrue(metrics.contains("keyhole_requests_total{operation=\"download\",outcome=\"granted\",status=\"200\"} " + n + "\n"), metrics);
            assertTrue(metrics.contains("keyhole_requests_total{operation=\"download\",outcome=\"not-modified\",status=\"304\"} " + n + "\n"), metrics);
            assertTrue(metrics.contains("keyhole_requests_total{operation=\"download\",outcome=\"denied\",status=\"403\"} " + n + "\n"), metrics);
            assertTrue(metrics.contains("keyhole_bytes_total{operation=\"download\"} " + (n * 10_000 + n * "forbidden\n".length()
                    + n * "credential required\n".length()) + "\n"), metrics);
            assertTrue(metrics.contains("keyhole_authorization_seconds_count{backend=\"json over unix:" + socket
                    + "\",result=\"granted\"} " + 2 * n + "\n"), metrics);
            assertTrue(metrics.contains("result=\"denied\"} " + n + "\n"), metrics);

            // a line is written as its request completes, after the client has its answer: the last
            // may still be on its way, and one request's line may follow the next one's
            List<String> lines = awaitLines(audit, 4 * n);
            assertEquals(4 * n, lines.size(), String.join("\n", lines));
            List<Integer> logged = new ArrayList<>();
            for (String line : lines) {
                Matcher status = Pattern.compile("\"status\":(\\d+),").matcher(line);
                assertTrue(status.find(), line);
                logged.add(Integer.parseInt(status.group(1)));
            }
            assertEquals(statuses.stream().sorted().toList(), logged.stream().sorted().toList(), String.join("\n", lines));
            for (int i = 0; i < lines.size(); i++) {
                for (String token : List.of(alice, bob)) {
                    assertFalse(lines.get(i).contains(token), "a token in the audit log: " + lines.get(i));
                    assertFalse(lines.get(i).contains(token.split("\\.")[2]), "a signature in the audit log: " + lines.get(i));
                }
            }

            backend.close();
            HttpResponse<String> down = get(admin.resolve("health"));
            assertEquals(503, down.statusCode());
            assertTrue(down.body().startsWith("{\"status\":\"DOWN\""), down.body());
            backend = backend(socket);
            assertEquals(200, get(admin.resolve("health")).statusCode());

            // SIGHUP: the new key from the file, the old one refused, without a restart
            config(socket, KEY_2, audit);
            child.signal("HUP");
            child.awaitLine(l -> l.startsWith("keyhole: reloaded"));
            assertEquals(401, get(file, "Authorization", "Bearer " + alice).statusCode());
            assertEquals(200, get(file, "Authorization", "Bearer " + token(KEY_2, "alice")).statusCode());

            // a stop waits for the download in flight, but not beyond shutdown-timeout
            CompletableFuture<HttpResponse<String>> pending = http.sendAsync(HttpRequest.newBuilder(file)
                    .header("Authorization", "Bearer " + token(KEY_2, "slow")).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(slowEntered.await(JavaProcess.PATIENCE.toSeconds(), TimeUnit.SECONDS));
            long start = System.nanoTime();
            child.signal("TERM");
            child.awaitExit();
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(took >= 900, "the stop did not wait for the request in flight: " + took + " ms");
            assertTrue(took < 15_000, "the stop waited far beyond shutdown-timeout: " + took + " ms");
            slowRelease.countDown();
            try {
                assertNotEquals(200, pending.get(JavaProcess.PATIENCE.toSeconds(), TimeUnit.SECONDS).statusCode());
            } catch (java.util.concurrent.ExecutionException cutOff) {
                // the connection was closed under it: what a limit means
            }
            backend.close();
        } finally {
            slowRelease.countDown();
        }
    }

    /**
     * Started under nohup, SIGHUP reaches nothing: the JVM leaves it ignored. {@code serve} says so
     * when it starts, and a hang-up then neither stops it nor reloads it.
     */
    @Test
    void hangUpIgnoredUnderNohupIsSaid() throws Exception {
        new HashedTree(dir.resolve("tree"), 2).create();
        Path config = config(dir.resolve("auth.sock"), KEY_1, dir.resolve("audit.jsonl"));

        try (JavaProcess child = JavaProcess.mainUnderNohup("serve", "--config", config.toString())) {
            Matcher ready = READY.matcher(child.awaitLine(l -> l.startsWith("keyhole: serving")));
            assertTrue(ready.matches());
            child.awaitLine(l -> l.startsWith("keyhole: metrics"));
            child.awaitStderr("keyhole: warning: SIGHUP cannot reload the configuration in this JVM (the process was"
                    + " started with SIGHUP ignored, as nohup does; start it without nohup");

            child.signal("HUP");
            // still serving: no token, 401 from the running engine
            assertEquals(401, get(URI.create(ready.group(1) + ID)).statusCode());
            assertEquals(0, child.terminate(), child.stderr());
            assertEquals(List.of("keyhole: server stopped"), child.remainingLines());
            assertFalse(child.stderr().contains("reload refused"), child.stderr());
        }
    }

    /** The file's lines once it has {@code count} of them (or what it has when patience runs out). */
    private static List<String> awaitLines(Path file, int count) throws Exception {
        long deadline = System.nanoTime() + JavaProcess.PATIENCE.toNanos();
        List<String> lines = Files.readAllLines(file);
        while (lines.size() < count && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            lines = Files.readAllLines(file);
        }
        return lines;
    }

    private String awaitMetric(URI admin, String line) throws Exception {
        long deadline = System.nanoTime() + JavaProcess.PATIENCE.toNanos();
        String body;
        do {
            body = get(admin.resolve("metrics")).body();
        } while (!body.contains(line + "\n") && System.nanoTime() < deadline);
        assertTrue(body.contains(line + "\n"), body);
        return body;
    }

    @Test
    void versionIsPrinted() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, Main.run(new String[] {"--version"}, new PrintStream(out, true), System.err));
        String printed = out.toString(StandardCharsets.UTF_8).strip();
        assertTrue(printed.matches("keyhole \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), printed);
    }
}
