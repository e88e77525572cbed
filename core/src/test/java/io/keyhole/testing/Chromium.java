package io.keyhole.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A real headless Chromium for end-to-end tests, driven over the DevTools protocol with the
 * JDK's own WebSocket client: no browser-automation library, no driver binary. Debian's
 * {@code /usr/bin/chromium}, started with a fresh profile and without any background networking,
 * so that it talks only to the servers under test.
 *
 * <pre>{@code
 * try (Chromium chromium = Chromium.start()) {
 *     Chromium.Tab tab = chromium.open();
 *     tab.navigate("http://app.localhost:8080/");
 *     String title = tab.evaluate("document.title").asText();
 * }
 * }</pre>
 *
 * <p>Host names ending in {@code .localhost} resolve to the loopback address inside Chromium,
 * so two servers on 127.0.0.1 can be two sites with separate cookies. Without Chromium the
 * calling test is skipped, unless the environment variable {@value #REQUIRE_ENV} is {@code 1}
 * (as in CI), in which case it fails.
 */
public final class Chromium implements AutoCloseable {

    /** Where Debian installs Chromium. */
    public static final Path BINARY = Path.of("/usr/bin/chromium");

    /** Set to {@code 1} to turn a missing Chromium into a failure instead of a skipped test. */
    public static final String REQUIRE_ENV = "KEYHOLE_REQUIRE_BROWSER";

    private static final Duration STARTUP_LIMIT = Duration.ofSeconds(30);
    private static final Duration COMMAND_LIMIT = Duration.ofSeconds(30);
    private static final Duration SHUTDOWN_LIMIT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Marks a loader id whose navigation became a download rather than a document. */
    private static final String DOWNLOAD = "download:";

    private final Process process;
    private final Path profile;
    private final Connection connection;

    private Chromium(Process process, Path profile, Connection connection) {
        this.process = process;
        this.profile = profile;
        this.connection = connection;
    }

    /**
     * Skips the calling test when Chromium is missing, or fails it when {@value #REQUIRE_ENV}=1.
     * {@link #start} calls this itself.
     */
    public static void assumeInstalled() {
        if (Files.isExecutable(BINARY)) {
            return;
        }
        String install = "install it with 'apt-get install chromium' (Debian)";
        if ("1".equals(System.getenv(REQUIRE_ENV))) {
            Assertions.fail("Chromium is required (" + REQUIRE_ENV + "=1) but " + BINARY + " is missing; " + install);
        }
        Assumptions.abort("Chromium not found at " + BINARY + "; " + install + ", or set " + REQUIRE_ENV
                + "=1 to make its absence a failure");
    }

    /** Starts Chromium headless with a new, empty profile and connects to it. */
    public static Chromium start() throws IOException {
        assumeInstalled();
        Path profile = Files.createTempDirectory("keyhole-chromium-");
        Path output = profile.resolve("chromium.log");
        Path userData = Files.createDirectories(profile.resolve("user-data"));
        Process process = new ProcessBuilder(BINARY.toString(),
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-extensions", "--disable-default-apps", "--mute-audio",
                // a video may play without a click, as when a user presses play
                "--autoplay-policy=no-user-gesture-required",
                "--user-data-dir=" + userData,
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                "about:blank")
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        try {
            URI endpoint = awaitEndpoint(process, userData.resolve("DevToolsActivePort"), output);
            return new Chromium(process, profile, Connection.open(endpoint));
        } catch (IOException | RuntimeException | Error e) {
            stop(process);
            deleteTree(profile);
            throw e;
        }
    }

    /** Chromium writes its DevTools port into the profile once it listens. */
    private static URI awaitEndpoint(Process process, Path portFile, Path output) throws IOException {
        long deadline = System.nanoTime() + STARTUP_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Chromium exited with status " + process.exitValue()
                        + " before it listened\n" + read(output));
            }
            if (Files.exists(portFile)) {
                List<String> lines = Files.readAllLines(portFile, StandardCharsets.UTF_8);
                if (lines.size() >= 2 && !lines.get(1).isBlank()) {
                    return URI.create("ws://127.0.0.1:" + lines.get(0).trim() + lines.get(1).trim());
                }
            }
            try {
                // returns early if Chromium exits meanwhile
                process.waitFor(25, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Chromium", e);
            }
        }
        throw new IllegalStateException("Chromium did not open its DevTools port within " + STARTUP_LIMIT.toSeconds()
                + " s\n" + read(output));
    }

    /**
     * Opens a new tab in a new browser context: its own cookies and cache, as in a fresh private
     * window. Network events are recorded from the start.
     */
    public Tab open() {
        String context = connection.call(null, "Target.createBrowserContext", Map.of())
                .get("browserContextId").asText();
        String targetId = connection.call(null, "Target.createTarget", Map.of("url", "about:blank",
                        "browserContextId", context))
                .get("targetId").asText();
        String session = connection.call(null, "Target.attachToTarget", Map.of("targetId", targetId, "flatten", true))
                .get("sessionId").asText();
        Tab tab = new Tab(session);
        connection.listen(session, tab::onEvent);
        tab.call("Page.enable", Map.of());
        tab.call("Page.setLifecycleEventsEnabled", Map.of("enabled", true));
        tab.call("Runtime.enable", Map.of());
        tab.call("Network.enable", Map.of());
        return tab;
    }

    /** What Chromium has written to its output so far, for failure messages. */
    public String log() {
        return read(profile.resolve("chromium.log"));
    }

    /** Closes the browser and every process it started, and deletes the profile. */
    @Override
    public void close() {
        try {
            try {
                connection.call(null, "Browser.close", Map.of());
            } catch (RuntimeException alreadyGone) {
                // the process is stopped below either way
            }
            connection.close();
            stop(process);
        } finally {
            deleteTree(profile);
        }
    }

    private static void stop(Process process) {
        // Taken first: once the main process is gone its children are no longer its descendants.
        List<ProcessHandle> children = process.descendants().toList();
        try {
            if (!process.waitFor(SHUTDOWN_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(SHUTDOWN_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
            }
            for (ProcessHandle child : children) {
                child.destroyForcibly();
                child.onExit().get(SHUTDOWN_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping Chromium", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("a Chromium process did not exit", e);
        }
    }

    /** One browser tab: navigation, script, and a record of its network traffic. */
    public final class Tab {

        private final String session;
        private final List<Exchange> exchanges = new CopyOnWriteArrayList<>();
        private final List<Map<String, String>> sent = new CopyOnWriteArrayList<>();
        /** Loader ids of documents that have loaded, and of navigations that became downloads; guarded by itself. */
        private final Set<String> loaded = new HashSet<>();

        private Tab(String session) {
            this.session = session;
        }

        /** Sends a DevTools command to this tab and returns its result. */
        public JsonNode call(String method, Map<String, ?> params) {
            return connection.call(session, method, params);
        }

        /**
         * Loads {@code url} as if typed into the address bar, following redirects, and waits
         * (bounded) until that document has loaded or the navigation became a download.
         */
        public void navigate(String url) {
            JsonNode result = call("Page.navigate", Map.of("url", url));
            if (result.hasNonNull("errorText")) {
                throw new IllegalStateException("navigation to " + url + " failed: " + result.get("errorText").asText());
            }
            if (!result.hasNonNull("loaderId")) {
                return; // within the same document: nothing to load
            }
            String loader = result.get("loaderId").asText();
            long deadline = System.nanoTime() + COMMAND_LIMIT.toNanos();
            synchronized (loaded) {
                while (!loaded.contains(loader) && !loaded.contains(DOWNLOAD + loader)) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new AssertionError("the page at " + url + " did not load within "
                                + COMMAND_LIMIT.toSeconds() + " s; network:\n" + describe(exchanges));
                    }
                    try {
                        TimeUnit.NANOSECONDS.timedWait(loaded, left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while loading " + url, e);
                    }
                }
            }
        }

        /**
         * Evaluates JavaScript in the page, waiting for a promise to settle, and returns the
         * value as JSON.
         *
         * @throws IllegalStateException with the script's exception
         */
        public JsonNode evaluate(String expression) {
            JsonNode result = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true,
                    "awaitPromise", true));
            if (result.has("exceptionDetails")) {
                throw new IllegalStateException("script failed: " + result.get("exceptionDetails"));
            }
            JsonNode value = result.get("result").get("value");
            return value == null ? JSON.nullNode() : value;
        }

        /** Polls a JavaScript condition until it is true, within {@code limit}. */
        public void awaitTrue(String expression, Duration limit) {
            long deadline = System.nanoTime() + limit.toNanos();
            while (!evaluate(expression).asBoolean()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("'" + expression + "' was not true within " + limit.toSeconds() + " s;"
                            + " network:\n" + describe(exchanges));
                }
                evaluate("new Promise(r => setTimeout(r, 20))");
            }
        }

        /** Every response the tab received so far, redirects included, in order. */
        public List<Exchange> exchanges() {
            return List.copyOf(exchanges);
        }

        /**
         * The header fields of every request the tab sent so far, as they went over the wire
         * ({@code Host} and {@code Cookie} included), one map per request or redirect hop.
         */
        public List<Map<String, String>> sentHeaders() {
            return List.copyOf(sent);
        }

        /** The body of the last response to the request {@code requestId}. */
        public byte[] body(String requestId) {
            JsonNode r = call("Network.getResponseBody", Map.of("requestId", requestId));
            String body = r.get("body").asText();
            return r.get("base64Encoded").asBoolean() ? Base64.getDecoder().decode(body)
                    : body.getBytes(StandardCharsets.UTF_8);
        }

        private void onEvent(String method, JsonNode params) {
            switch (method) {
                case "Network.requestWillBeSent" -> {
                    if (params.has("redirectResponse")) {
                        exchanges.add(exchange(params.get("requestId").asText(), params.get("redirectResponse")));
                    }
                }
                case "Network.responseReceived" -> exchanges.add(exchange(params.get("requestId").asText(),
                        params.get("response")));
                case "Network.requestWillBeSentExtraInfo" -> sent.add(headers(params.get("headers")));
                case "Page.lifecycleEvent" -> {
                    if (params.get("name").asText().equals("load")) {
                        done(params.get("loaderId").asText());
                    }
                }
                case "Page.downloadWillBegin" -> done(DOWNLOAD + params.path("loaderId").asText());
                default -> {
                }
            }
        }

        private void done(String loader) {
            synchronized (loaded) {
                loaded.add(loader);
                loaded.notifyAll();
            }
        }

        private Exchange exchange(String id, JsonNode response) {
            return new Exchange(id, response.get("url").asText(), response.get("status").asInt(),
                    headers(response.get("headers")));
        }
    }

    private static Map<String, String> headers(JsonNode object) {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        object.properties().forEach(h -> headers.put(h.getKey(), h.getValue().asText()));
        return Collections.unmodifiableMap(headers);
    }

    /**
     * One response seen by a tab.
     *
     * @param requestId the DevTools request id (shared by the hops of one redirect chain)
     * @param headers   its header fields, names case-insensitive
     */
    public record Exchange(String requestId, String url, int status, Map<String, String> headers) {

        /** The Location header of a redirect, else {@code null}. */
        public String location() {
            return headers.get("Location");
        }
    }

    /** The DevTools WebSocket: numbered commands, their answers, and events per session. */
    private static final class Connection implements WebSocket.Listener {

        private final AtomicInteger ids = new AtomicInteger();
        private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
        private final Map<String, Consumer<JsonNode>> sessions = new ConcurrentHashMap<>();
        private final StringBuilder partial = new StringBuilder();
        private volatile WebSocket socket;

        static Connection open(URI endpoint) {
            Connection c = new Connection();
            try {
                c.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                        .connectTimeout(COMMAND_LIMIT)
                        .buildAsync(endpoint, c)
                        .get(COMMAND_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while connecting to Chromium", e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("cannot connect to Chromium's DevTools at " + endpoint, e);
            }
            return c;
        }

        void listen(String session, EventHandler handler) {
            sessions.put(session, message -> handler.on(message.get("method").asText(), message.get("params")));
        }

        interface EventHandler {
            void on(String method, JsonNode params);
        }

        JsonNode call(String session, String method, Map<String, ?> params) {
            int id = ids.incrementAndGet();
            ObjectNode message = JSON.createObjectNode();
            message.put("id", id);
            message.put("method", method);
            message.set("params", JSON.valueToTree(params));
            if (session != null) {
                message.put("sessionId", session);
            }
            CompletableFuture<JsonNode> answer = new CompletableFuture<>();
            pending.put(id, answer);
            try {
                synchronized (this) {
                    socket.sendText(message.toString(), true).get(COMMAND_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
                }
                JsonNode reply = answer.get(COMMAND_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
                if (reply.has("error")) {
                    throw new IllegalStateException(method + " failed: " + reply.get("error"));
                }
                return reply.get("result");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted during " + method, e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException(method + " got no answer within " + COMMAND_LIMIT.toSeconds() + " s", e);
            } finally {
                pending.remove(id);
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                dispatch(text);
            }
            webSocket.request(1);
            return null;
        }

        private void dispatch(String text) {
            JsonNode message;
            try {
                message = JSON.readTree(text);
            } catch (IOException e) {
                throw new UncheckedIOException("Chromium sent something that is not JSON", e);
            }
            if (message.has("id")) {
                CompletableFuture<JsonNode> answer = pending.get(message.get("id").asInt());
                if (answer != null) {
                    answer.complete(message);
                }
            } else if (message.has("sessionId")) {
                Consumer<JsonNode> handler = sessions.get(message.get("sessionId").asText());
                if (handler != null) {
                    handler.accept(message);
                }
            }
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            pending.values().forEach(f -> f.completeExceptionally(error));
        }

        void close() {
            try {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(SHUTDOWN_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                socket.abort();
            }
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
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
            throw new UncheckedIOException("could not delete the Chromium profile " + root, e);
        }
    }

    /** For failure messages: one line per response. */
    public static String describe(List<Exchange> exchanges) {
        List<String> lines = new ArrayList<>();
        for (Exchange e : exchanges) {
            lines.add(e.status() + " " + e.url() + (e.location() == null ? "" : " -> " + e.location()));
        }
        return String.join("\n", lines);
    }
}
