package io.keyhole.tomcat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.AuthResponse;
import io.keyhole.backend.JsonSocketServer;
import io.keyhole.servlet.KeyholeFilter;
import io.keyhole.testing.LogCapture;
import io.keyhole.testing.TestTree;
import io.keyhole.testing.Tokens;
import io.keyhole.testing.WebApplication;
import io.keyhole.testing.Wire;
import java.io.IOException;
import java.nio.file.Files;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.catalina.Context;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keyhole as most Tomcat users deploy it: {@code KeyholeFilter} declared in a web application's
 * {@code web.xml}, Keyhole and its libraries in its {@code WEB-INF/lib} (or {@code WEB-INF/classes}
 * where the build hands over class directories), {@code keyhole-tomcat} among them, deployed as
 * Tomcat deploys a WAR. Keyhole then comes from the application's class loader, not Tomcat's.
 */
class TomcatWarTest {

    @TempDir
    Path dir;
    Path root;
    TestTree tree;

    @BeforeEach
    void tree() throws IOException {
        root = Files.createDirectories(dir.resolve("tree"));
        tree = TestTree.create(root, 256 * 1024);
    }

    /** The renderer bundled with the application finds Tomcat's sendfile below it, as in a plain context. */
    @Test
    void aLargeFileGoesBySendfile() throws Exception {
        try (JsonSocketServer backend = JsonSocketServer.start(dir.resolve("auth.sock"), question -> AuthResponse.ofStatus(200));
             TomcatServer tomcat = TomcatServer.webApplication(dir.resolve("tomcat"),
                     webapp(backend.socket(), TomcatServer.WAR_LIBRARIES))) {
            assertComesFromTheApplication(tomcat.context);
            HttpResponse<byte[]> r = Wire.send("GET", tomcat.base() + "files/" + TestTree.LARGE,
                    "Authorization", "Bearer " + Tokens.valid("alice"));
            assertEquals(200, r.statusCode());
            assertArrayEquals(tree.large(), r.body());
            TomcatServer.Seen seen = tomcat.seen();
            assertEquals(root.resolve("0/1/" + TestTree.LARGE).toRealPath().toString(), seen.sendfile());
            assertEquals(0L, seen.start());
            assertEquals(256L * 1024, seen.end());
            assertEquals(0, seen.written(), "the output stream must not carry the body");
        }
    }

    /**
     * {@code keyhole-tomcat} left on the container's class path while Keyhole itself is in the WAR:
     * the adapter implements the container's copy of the renderer interface, not the
     * application's, so it cannot serve this Keyhole. The log says so once, naming the adapter and
     * where to put it, and files are streamed.
     */
    @Test
    void anAdapterOutsideTheApplicationIsNamedAndFilesAreStreamed() throws Exception {
        List<Class<?>> withoutAdapter = TomcatServer.WAR_LIBRARIES.stream()
                .filter(type -> type != KeyholeTomcat.class).toList();
        try (JsonSocketServer backend = JsonSocketServer.start(dir.resolve("auth.sock"), question -> AuthResponse.ofStatus(200));
             LogCapture log = LogCapture.start();
             TomcatServer tomcat = TomcatServer.webApplication(dir.resolve("tomcat"),
                     webapp(backend.socket(), withoutAdapter))) {
            HttpResponse<byte[]> r = Wire.send("GET", tomcat.base() + "files/" + TestTree.LARGE,
                    "Authorization", "Bearer " + Tokens.valid("alice"));
            assertEquals(200, r.statusCode());
            assertArrayEquals(tree.large(), r.body());
            assertNull(tomcat.seen().sendfile(), "streamed, not by sendfile");
            List<String> said = log.lines().stream().filter(line -> line.contains("TomcatRendererProvider")).toList();
            assertEquals(1, said.size(), log.lines().toString());
            assertTrue(said.get(0).contains("another copy of Keyhole") && said.get(0).contains("WEB-INF/lib"), said.get(0));
            assertTrue(log.lines().stream().anyMatch(line -> line.contains("streaming every file")), log.lines().toString());
            assertFalse(log.lines().stream().anyMatch(line -> line.contains("ServiceConfigurationError")),
                    "a known cause is said, without a stack trace: " + log.lines());
        }
    }

    /**
     * When the application is stopped, Tomcat looks for what it left behind — thread-locals of its
     * classes on the container's threads, threads it started and did not stop — and logs each as a
     * probable memory leak. It must find nothing.
     */
    @Test
    void tomcatFindsNothingLeftBehindWhenTheApplicationIsStopped() throws Exception {
        try (JsonSocketServer backend = JsonSocketServer.start(dir.resolve("auth.sock"),
                question -> AuthResponse.ofStatus("alice".equals(question.authValue()) ? 200 : 403));
             LogCapture tomcatLog = LogCapture.of("org.apache.catalina");
             TomcatServer tomcat = TomcatServer.webApplication(dir.resolve("tomcat"),
                     webapp(backend.socket(), TomcatServer.WAR_LIBRARIES))) {
            assertTrue(tomcat.context.getState().isAvailable(), tomcatLog.lines().toString());
            assertComesFromTheApplication(tomcat.context);
            for (String uid : List.of("alice", "mallory", "alice", "alice")) {
                HttpResponse<byte[]> r = Wire.send("GET", tomcat.base() + "files/" + TestTree.LARGE,
                        "Authorization", "Bearer " + Tokens.valid(uid));
                assertEquals(uid.equals("alice") ? 200 : 403, r.statusCode(), uid);
            }

            tomcat.context.stop();

            List<String> leaks = tomcatLog.lines().stream()
                    .filter(line -> line.contains("memory leak") || line.contains("failed to remove it")
                            || line.contains("failed to stop it"))
                    .toList();
            assertEquals(List.of(), leaks);
        }
    }

    private static void assertComesFromTheApplication(Context context) throws ClassNotFoundException {
        ClassLoader application = context.getLoader().getClassLoader();
        for (Class<?> type : List.of(KeyholeFilter.class, KeyholeTomcat.class)) {
            assertSame(application, application.loadClass(type.getName()).getClassLoader(),
                    type.getName() + " must come from the application, as from its WEB-INF/lib");
        }
    }

    /** A web application directory: the filter in web.xml, Keyhole and its libraries inside it. */
    private Path webapp(Path socket, List<Class<?>> libraries) throws IOException {
        Path jwtKey = Files.write(dir.resolve("jwt.key"), Tokens.KEY);
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("fs-root", root.toString());
        settings.put("fs-depth", "2");
        settings.put("mount", "/files/");
        settings.put("unix-socket", socket.toString());
        settings.put("jwt-key", "file:" + jwtKey);
        settings.put("jwt-field", "uid");
        settings.put("auth-cache-ttl", "1m");
        settings.put("open-cache-valid", "5s");
        return WebApplication.write(dir.resolve("webapp"), settings, libraries);
    }
}
