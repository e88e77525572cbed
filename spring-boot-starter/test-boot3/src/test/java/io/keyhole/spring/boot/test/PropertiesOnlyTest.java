package io.keyhole.spring.boot.test;

import static io.keyhole.spring.boot.test.BootApp.eventually;
import static io.keyhole.spring.boot.test.BootApp.unchecked;
import static io.keyhole.testing.Wire.header;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.keyhole.FileId;
import io.keyhole.Keyhole;
import io.keyhole.testing.FakeBackend;
import io.keyhole.testing.TestTree;
import io.keyhole.testing.Tokens;
import io.keyhole.tree.HashedTree;
import jakarta.servlet.Filter;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

/**
 * An application that configures Keyhole with properties alone, a socket backend and a JWT, with
 * Actuator and Spring Security beside it: the answers on the wire, the zero-copy path, Actuator's
 * health and metrics, and the Jackson the Boot line brings.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PropertiesOnlyTest {

    static final BlockingQueue<BootApp.Seen> SEEN = BootApp.queue();
    /** A file of 1.5 MB, above the size from which Jetty maps the file. */
    static final String BIG = "00000000000000000000000000b16b16";

    @TempDir
    static Path dir;
    TestTree tree;
    byte[] big;
    FakeBackend backend;
    BootApp app;

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        /** The application's own rules; Keyhole's filter runs before them. */
        @Bean
        SecurityFilterChain security(HttpSecurity http) throws Exception {
            return http.authorizeHttpRequests(a -> a.anyRequest().permitAll()).build();
        }

        @Bean
        FilterRegistrationBean<Filter> probe() {
            return BootApp.probe(SEEN);
        }
    }

    @BeforeAll
    void start() throws Exception {
        tree = TestTree.create(dir.resolve("files"), 256 * 1024);
        big = BootApp.writeFile(tree.root(), BIG, 1_500_000);
        backend = FakeBackend.start(dir.resolve("auth.sock"), q -> q.contains("\"jwt_value\":\"alice\"")
                ? "{\"status\":200,\"filename\":\"data.bin\",\"content_type\":\"application/octet-stream\","
                        + "\"etag\":\"\\\"v1\\\"\",\"upload_date\":1700000000}"
                : "{\"status\":403}");
        app = BootApp.start(Map.of(
                "keyhole.fs-root", tree.root().toString(),
                "keyhole.fsDepth", "2",
                "keyhole.mount", "/files/",
                "keyhole.unix-socket", backend.socket().toString(),
                "keyhole.jwt-key", new String(Tokens.KEY, StandardCharsets.US_ASCII),
                "keyhole.jwt-field", "uid",
                "management.endpoints.web.exposure.include", "health,metrics",
                "management.endpoint.health.show-details", "always"), App.class);
    }

    @AfterAll
    void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    private HttpResponse<byte[]> file(String id, String user, String... headers) throws Exception {
        String[] all = Arrays.copyOf(headers, headers.length + 2);
        all[headers.length] = "Authorization";
        all[headers.length + 1] = "Bearer " + Tokens.valid(user);
        return app.get("/files/" + id, all);
    }

    @Test
    void theContainerOfThisRunServes() throws Exception {
        SEEN.clear();
        assertEquals(200, file(TestTree.SMALL, "alice").statusCode());
        BootApp.Seen seen = BootApp.seen(SEEN, TestTree.SMALL);
        assertTrue(seen.server().toLowerCase(Locale.ROOT).contains(BootApp.container()), seen.server());
    }

    @Test
    void grantedRangeNotModifiedAndDenied() throws Exception {
        HttpResponse<byte[]> whole = file(TestTree.SMALL, "alice");
        assertEquals(200, whole.statusCode());
        assertArrayEquals(tree.small(), whole.body());
        assertEquals(TestTree.ETAG, header(whole, "ETag"));
        assertEquals("1000", header(whole, "Content-Length"));

        HttpResponse<byte[]> part = file(TestTree.SMALL, "alice", "Range", "bytes=10-19");
        assertEquals(206, part.statusCode());
        assertEquals("bytes 10-19/1000", header(part, "Content-Range"));
        assertArrayEquals(Arrays.copyOfRange(tree.small(), 10, 20), part.body());

        HttpResponse<byte[]> current = file(TestTree.SMALL, "alice", "If-None-Match", TestTree.ETAG);
        assertEquals(304, current.statusCode());
        assertEquals(0, current.body().length);

        assertEquals(403, file(TestTree.SMALL, "mallory").statusCode());
        assertEquals(401, app.get("/files/" + TestTree.SMALL).statusCode());
    }

    /** 256 KiB ({@link TestTree#LARGE}) and 1.5 MB ({@link #BIG}, which Jetty maps): by the container's zero-copy path. */
    @ParameterizedTest
    @ValueSource(strings = {TestTree.LARGE, BIG})
    void aLargeFileTakesTheZeroCopyPath(String id) throws Exception {
        SEEN.clear();
        HttpResponse<byte[]> r = file(id, "alice");
        assertEquals(200, r.statusCode());
        assertArrayEquals(id.equals(BIG) ? big : tree.large(), r.body());
        BootApp.seen(SEEN, id).assertZeroCopy(new HashedTree(tree.root(), 2).pathOf(FileId.parse(id)));
    }

    @Test
    void actuatorCountsEachOutcomeExactlyAndNamesTheRoute() throws Exception {
        int n = 3;
        double granted = app.count("keyhole.requests", "outcome:granted");
        double notModified = app.count("keyhole.requests", "outcome:not-modified");
        double denied = app.count("keyhole.requests", "outcome:denied");
        double routed = app.count("http.server.requests", "uri:/files/%7Bid%7D");
        for (int i = 0; i < n; i++) {
            assertEquals(200, file(TestTree.SMALL, "alice").statusCode());
            assertEquals(304, file(TestTree.SMALL, "alice", "If-None-Match", TestTree.ETAG).statusCode());
            assertEquals(403, file(TestTree.SMALL, "mallory").statusCode());
        }
        eventually(granted + n, () -> unchecked(() -> app.count("keyhole.requests", "outcome:granted")), "granted");
        eventually(notModified + n, () -> unchecked(() -> app.count("keyhole.requests", "outcome:not-modified")),
                "not modified");
        eventually(denied + n, () -> unchecked(() -> app.count("keyhole.requests", "outcome:denied")), "denied");
        assertEquals(granted + n, app.count("keyhole.requests", "outcome:granted", "status:200", "operation:download"));
        assertEquals(denied + n, app.count("keyhole.requests", "outcome:denied", "status:403", "operation:download"));

        // Actuator's own request metric knows the route rather than UNKNOWN
        eventually(routed + 3 * n, () -> unchecked(() -> app.count("http.server.requests", "uri:/files/%7Bid%7D")),
                "http.server.requests under /files/{id}");
        assertEquals(0, app.count("http.server.requests", "uri:UNKNOWN"));
    }

    @Test
    void healthFollowsTheBackendSocket() throws Exception {
        JsonNode up = app.json("/actuator/health/keyhole");
        assertEquals("UP", up.get("status").asText(), up.toString());
        Path socket = backend.socket();
        Path away = socket.resolveSibling("auth.sock.away");
        Files.move(socket, away);
        try {
            HttpResponse<byte[]> down = app.get("/actuator/health/keyhole");
            assertEquals(503, down.statusCode());
            JsonNode health = BootApp.JSON.readTree(down.body());
            assertEquals("DOWN", health.get("status").asText());
            assertTrue(health.get("details").get("backend").asText().startsWith("unreachable"), health.toString());
        } finally {
            Files.move(away, socket);
        }
        assertEquals("UP", app.json("/actuator/health/keyhole").get("status").asText());
        assertEquals("UP", app.json("/actuator/health").get("status").asText());
    }

    @Test
    void theApplicationsJacksonWins() throws Exception {
        String expected = System.getProperty("keyhole-test.jackson2");
        assertNotNull(expected, "the build passes the Boot line's Jackson 2 version");
        assertEquals(expected, com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION.toString(),
                "the Jackson 2 on the class path is the one the Boot line manages");
        // Keyhole's JSON backend works with it (the answers above), and Actuator still writes JSON
        // with the application's own Jackson (3 on Boot 4)
        assertTrue(app.json("/actuator/health").has("components"));
        assertNotNull(app.context.getBean(Keyhole.class));
    }
}
