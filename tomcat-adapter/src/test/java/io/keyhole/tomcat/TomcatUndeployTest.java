package io.keyhole.tomcat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.AuthResponse;
import io.keyhole.Keyhole;
import io.keyhole.backend.JsonSocketServer;
import io.keyhole.servlet.KeyholeFilter;
import io.keyhole.testing.LogCapture;
import io.keyhole.testing.RawHttp;
import io.keyhole.testing.TestTree;
import io.keyhole.testing.Tokens;
import io.keyhole.testing.WebXml;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.ContextConfig;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keyhole as most Tomcat users deploy it: {@code KeyholeFilter} declared in a web application's
 * {@code web.xml}, Keyhole and its libraries in its {@code WEB-INF/lib} (or {@code WEB-INF/classes}
 * where the build hands over class directories). When the application is stopped, Tomcat looks
 * for what it left behind — thread-locals of its classes on the container's threads, threads it
 * started and did not stop — and logs each as a probable memory leak. It must find nothing.
 */
class TomcatUndeployTest {

    /** Keyhole and its libraries, by one class of each. */
    private static final List<Class<?>> APPLICATION = List.of(Keyhole.class, KeyholeFilter.class,
            com.fasterxml.jackson.core.JsonFactory.class, com.fasterxml.jackson.databind.ObjectMapper.class,
            com.fasterxml.jackson.annotation.JsonProperty.class, com.nimbusds.jwt.JWTParser.class,
            net.openhft.hashing.LongHashFunction.class);

    @TempDir
    Path dir;

    @Test
    void tomcatFindsNothingLeftBehindWhenTheApplicationIsStopped() throws Exception {
        Path root = Files.createDirectories(dir.resolve("tree"));
        TestTree.create(root, 5);
        try (JsonSocketServer backend = JsonSocketServer.start(dir.resolve("auth.sock"),
                question -> AuthResponse.ofStatus("alice".equals(question.authValue()) ? 200 : 403));
             LogCapture tomcatLog = LogCapture.of("org.apache.catalina")) {
            Path webapp = webapp(root, backend.socket(), Files.write(dir.resolve("jwt.key"), Tokens.KEY));
            Tomcat tomcat = new Tomcat();
            tomcat.setBaseDir(dir.resolve("tomcat").toString());
            Connector connector = new Connector();
            connector.setPort(0);
            connector.setProperty("address", "127.0.0.1");
            tomcat.setConnector(connector);
            // A ContextConfig of its own: the web.xml alone, without Tomcat's default servlets (JSP).
            Context context = tomcat.addWebapp(tomcat.getHost(), "/app", webapp.toString(), new ContextConfig());
            tomcat.start();
            try {
                assertTrue(context.getState().isAvailable(), tomcatLog.lines().toString());
                ClassLoader application = context.getLoader().getClassLoader();
                assertSame(application, application.loadClass(KeyholeFilter.class.getName()).getClassLoader(),
                        "the filter must come from the application, as from its WEB-INF/lib");
                int port = connector.getLocalPort();
                for (String uid : List.of("alice", "mallory", "alice", "alice")) {
                    RawHttp.Response response = RawHttp.request(port, "GET", "/app/files/" + TestTree.LARGE,
                            "Authorization: Bearer " + Tokens.valid(uid));
                    assertEquals(uid.equals("alice") ? 200 : 403, response.status(), uid);
                }

                context.stop();

                List<String> leaks = tomcatLog.lines().stream()
                        .filter(line -> line.contains("memory leak") || line.contains("failed to remove it")
                                || line.contains("failed to stop it"))
                        .toList();
                assertEquals(List.of(), leaks);
            } finally {
                tomcat.stop();
                tomcat.destroy();
            }
        }
    }

    /** A web application directory: the filter in web.xml, Keyhole and its libraries inside it. */
    private Path webapp(Path root, Path socket, Path jwtKey) throws IOException, URISyntaxException {
        Path webapp = dir.resolve("webapp");
        Path lib = Files.createDirectories(webapp.resolve("WEB-INF/lib"));
        Path classes = Files.createDirectories(webapp.resolve("WEB-INF/classes"));
        for (Class<?> type : APPLICATION) {
            Path from = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(from)) {
                copyTree(from, classes);
            } else if (!Files.exists(lib.resolve(from.getFileName()))) {
                Files.copy(from, lib.resolve(from.getFileName()));
            }
        }
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("fs-root", root.toString());
        settings.put("fs-depth", "2");
        settings.put("mount", "/files/");
        settings.put("unix-socket", socket.toString());
        settings.put("jwt-key", "file:" + jwtKey);
        settings.put("jwt-field", "uid");
        settings.put("auth-cache-ttl", "1m");
        settings.put("open-cache-valid", "5s");
        Files.writeString(webapp.resolve("WEB-INF/web.xml"), WebXml.keyholeFilter(settings), StandardCharsets.UTF_8);
        return webapp;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            files.filter(Files::isRegularFile).forEach(file -> {
                Path target = to.resolve(from.relativize(file).toString());
                try {
                    Files.createDirectories(target.getParent());
                    Files.copy(file, target);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
