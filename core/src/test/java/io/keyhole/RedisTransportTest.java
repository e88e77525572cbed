package io.keyhole;

import static io.keyhole.WritesTest.form;
import static io.keyhole.WritesTest.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyhole.testing.RedisServer;
import io.keyhole.testing.TestRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code transport-type=redis} against a real redis-server: answers stored under the file id. */
class RedisTransportTest {

    static final String ID = "0123456789abcdef0123456789abcdef.0";
    static final String ANSWER = "{\"file_id\":\"" + ID + "\",\"filename\":\"notes.txt\",\"content_type\":\"text/plain\","
            + "\"etag\":\"v1\",\"auth_value\":\"alice\"}";

    @TempDir
    Path dir;
    RedisServer redis;
    Keyhole keyhole;

    @BeforeEach
    void start() throws IOException {
        redis = RedisServer.start(dir.resolve("redis"));
        Path file = dir.resolve("tree/0/1/" + ID);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "hello from the tree");
        keyhole = new Keyhole(KeyholeConfig.builder().fsRoot(dir.resolve("tree")).fsDepth(2).mount("/files/")
                .transportType("redis").redisPort(redis.port()).readOnly(false)
                .jwtKey(WritesTest.KEY).jwtField("uid").clock(Clock.fixed(WritesTest.NOW, ZoneOffset.UTC))
                .authConnectTimeout(Duration.ofSeconds(1)).build());
    }

    @AfterEach
    void stop() throws IOException {
        keyhole.close();
        redis.close();
    }

    static TestRequest get(String id, String user) {
        return TestRequest.get("/files/" + id, "Authorization: Bearer " + WritesTest.token(user));
    }

    @Test
    void allowedDeniedOutageAndRecovery() throws IOException {
        assertEquals("+OK", redis.command("SET", ID, ANSWER));
        Delivery alice = keyhole.decide(get(ID, "alice"));
        assertEquals(200, alice.status());
        ((Delivery.Send) alice).file().close();
        assertEquals("text/plain", alice.header("Content-Type"));
        assertEquals("\"v1\"", alice.header("ETag"));
        assertEquals(403, keyhole.decide(get(ID, "bob")).status(), "another user's answer counts as empty");
        assertEquals(404, keyhole.decide(get("ab" + "0".repeat(30), "alice")).status(), "no key");

        redis.stop();
        long start = System.nanoTime();
        Delivery down = keyhole.decide(get(ID, "alice"));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(503, down.status());
        assertEquals("no-store", down.header("Cache-Control"));
        assertTrue(millis < 1000, "a refused connection answers at once, not after the deadline: " + millis + " ms");

        redis.start();
        Delivery back = keyhole.decide(get(ID, "alice"));
        assertEquals(200, back.status(), "the same Keyhole uses Redis again by itself");
        ((Delivery.Send) back).file().close();
    }

    @Test
    void uploadsSetAndDeletesDel() throws IOException {
        Delivery up = keyhole.decide(upload("alice", form("n", "a.txt", "d", "some bytes".getBytes())));
        assertEquals(201, up.status(), () -> ((Delivery.Reply) up).message());
        String id = new ObjectMapper().readTree(((Delivery.Reply) up).message()).get("file_id").asText();
        String stored = redis.command("GET", id);
        assertTrue(stored.contains("\"auth_value\":\"alice\"") && stored.contains("\"filename\":\"a.txt\""), stored);
        assertEquals(200, keyhole.decide(get(id, "alice")).status());
        assertEquals(403, keyhole.decide(WritesTest.request("DELETE", "/files/" + id, "bob", null, null)).status());
        assertEquals(204, keyhole.decide(WritesTest.request("DELETE", "/files/" + id, "alice", null, null)).status());
        assertEquals("$-1", redis.command("GET", id));
        assertEquals(404, keyhole.decide(get(id, "alice")).status());
    }

    @Test
    void aRefusedUploadWhileRedisIsDownLeavesNothing() throws IOException {
        redis.stop();
        Delivery up = keyhole.decide(upload("alice", form("d", "x".getBytes())));
        assertEquals(503, up.status());
        try (var all = Files.walk(dir.resolve("tree"))) {
            assertEquals(1, all.filter(Files::isRegularFile).count(), "only the file that was there");
        }
    }
}
