package io.keyhole.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyhole.AuthResponse;
import io.keyhole.KeyholeConfig;
import io.keyhole.observe.AuditLog;
import io.keyhole.testing.RawHttp;
import io.keyhole.testing.TestTree;
import io.keyhole.testing.Tokens;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit log on the wire: one line per request through the logger {@code io.keyhole.audit},
 * matching what the client got, and none of the tokens the clients sent.
 */
class AuditLogTest {

    static final String DENIED = "0000111122223333444455556666777f";

    @TempDir
    Path root;

    /** Collects the audit logger's lines (the JDK's System.Logger goes to java.util.logging). */
    static final class Lines extends Handler {
        static final Logger LOGGER = Logger.getLogger(AuditLog.LOGGER_NAME);
        final List<String> lines = new ArrayList<>();

        /** A collector on the audit logger, which then writes nowhere else. */
        static Lines attached() {
            Lines lines = new Lines();
            LOGGER.addHandler(lines);
            LOGGER.setUseParentHandlers(false);
            return lines;
        }

        void detach() {
            LOGGER.removeHandler(this);
            LOGGER.setUseParentHandlers(true);
        }

        @Override
        public synchronized void publish(LogRecord record) {
            lines.add(record.getMessage());
            notifyAll();
        }

        synchronized List<String> await(int count) throws InterruptedException {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (lines.size() < count && System.nanoTime() < deadline) {
                wait(100);
            }
            return List.copyOf(lines);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    @Test
    void oneLinePerRequestMatchingTheWireAndNoToken() throws Exception {
        TestTree.create(root, 2000);
        Lines audit = Lines.attached();
        List<String> tokens = new ArrayList<>();
        List<Integer> statuses = new ArrayList<>();
        try (JettyHarness server = JettyHarness.start(KeyholeConfig.builder().fsRoot(root).fsDepth(2).mount("/files/")
                .jwtKey(Tokens.KEY).jwtField("uid").audit(true)
                .authorizer(q -> q.fileId().value().startsWith("0000") ? AuthResponse.ofStatus(403)
                        : TestTree.grant().authorize(q)).build())) {
            String alice = Tokens.valid("alice");
            String forged = Tokens.hs256(Tokens.OTHER_KEY, "mallory", Instant.now().plusSeconds(60));
            tokens.add(alice);
            tokens.add(forged);
            statuses.add(RawHttp.request(server.port(), "GET", "/files/" + TestTree.LARGE, "Authorization: Bearer " + alice).status());
            statuses.add(RawHttp.request(server.port(), "GET", "/files/" + TestTree.LARGE, "Authorization: Bearer " + alice,
                    "If-None-Match: " + TestTree.ETAG).status());
            statuses.add(RawHttp.request(server.port(), "GET", "/files/" + DENIED, "Authorization: Bearer " + alice).status());
            statuses.add(RawHttp.request(server.port(), "GET", "/files/" + TestTree.SMALL, "Authorization: Bearer " + forged).status());
            // a terminal escape sequence and a line break in the path: escaped, never written as sent
            statuses.add(RawHttp.request(server.port(), "GET", "/files/%1b%5b31m%0a{\"forged\":1}",
                    "Authorization: Bearer " + alice).status());
            List<String> lines = audit.await(5);
            assertEquals(List.of(200, 304, 403, 401, 404), statuses);
            assertEquals(5, lines.size(), String.join("\n", lines));

            // A line is written when its request completes, after the client has its answer: the
            // next request's line may come first. Each status here is one request's.
            ObjectMapper json = new ObjectMapper();
            Map<Integer, JsonNode> byStatus = new HashMap<>();
            for (String line : lines) {
                assertFalse(line.contains("\n") || line.contains("\u001b"), line);
                JsonNode node = json.readTree(line);
                assertNull(byStatus.put(node.get("status").asInt(), node), "two lines with one status: " + lines);
            }
            assertEquals(Set.copyOf(statuses), byStatus.keySet());
            assertEquals("granted", byStatus.get(200).get("outcome").asText());
            assertEquals("not-modified", byStatus.get(304).get("outcome").asText());
            for (int refused : List.of(403, 401, 404)) {
                assertEquals("denied", byStatus.get(refused).get("outcome").asText(), "status " + refused);
            }
            assertEquals("alice", byStatus.get(200).get("auth_value").asText());
            assertEquals(2000, byStatus.get(200).get("bytes").asLong());
            assertTrue(byStatus.get(401).get("auth_value").isNull(), "a forged token names nobody");
            for (String token : tokens) {
                String[] parts = token.split("\\.");
                for (String line : lines) {
                    assertFalse(line.contains(token), "a token in the audit log: " + line);
                    // nor its claims or signature
                    assertFalse(line.contains(parts[1]) || line.contains(parts[2]), "part of a token in the audit log: " + line);
                }
            }
            String escaped = lines.stream().filter(l -> l.contains("\"status\":404")).findFirst().orElseThrow();
            assertTrue(escaped.contains("\\u001b[31m\\n{\\\"forged\\\":1}"), escaped);
        } finally {
            audit.detach();
        }
    }

    @Test
    void offUnlessAsked() throws Exception {
        TestTree.create(root, 2000);
        Lines audit = Lines.attached();
        Map<String, String> keys = Map.of("fs-root", root.toString(), "fs-depth", "2", "mount", "/files/",
                "jwt-field", "uid");
        try (JettyHarness quiet = JettyHarness.start(KeyholeConfig.builder().properties(keys)
                .jwtKey(Tokens.KEY).authorizer(TestTree.grant()).build());
             JettyHarness loud = JettyHarness.start(KeyholeConfig.builder().properties(with(keys, "audit", "yes"))
                .jwtKey(Tokens.KEY).authorizer(TestTree.grant()).build())) {
            String alice = "Authorization: Bearer " + Tokens.valid("alice");
            assertEquals(200, RawHttp.request(quiet.port(), "GET", "/files/" + TestTree.SMALL, alice).status());
            assertEquals(200, RawHttp.request(loud.port(), "GET", "/files/" + TestTree.LARGE, alice).status());
            List<String> lines = audit.await(1);
            assertEquals(200, RawHttp.request(quiet.port(), "GET", "/files/" + TestTree.SMALL, alice).status());
            // the one line is the loud server's (the large file), and the quiet server's second answer added none
            assertEquals(1, audit.await(1).size(), String.join("\n", audit.await(1)));
            assertTrue(lines.get(0).contains(TestTree.LARGE), lines.get(0));
        } finally {
            audit.detach();
        }
    }

    private static Map<String, String> with(Map<String, String> keys, String key, String value) {
        Map<String, String> more = new java.util.HashMap<>(keys);
        more.put(key, value);
        return more;
    }
}
