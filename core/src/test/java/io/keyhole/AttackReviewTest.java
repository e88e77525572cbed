package io.keyhole;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyhole.authorizer.AuthMatrix;
import io.keyhole.testing.FakeBackend;
import io.keyhole.testing.LogCapture;
import io.keyhole.testing.TestRequest;
import io.keyhole.tree.HashedTree;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks from the security review that the engine itself must hold against, each as the attacker
 * tried it, against a real Unix-socket backend where one was involved. Each failed before its fix.
 */
class AttackReviewTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String BOUNDARY = "AttackReviewBoundary";
    static final String ID = "abcdef0123456789";

    @TempDir
    Path dir;

    private KeyholeConfig.Builder tree(Path socket) throws IOException {
        Path root = Files.createDirectories(dir.resolve("tree"));
        new HashedTree(root, 2).create();
        return KeyholeConfig.builder().fsRoot(root).fsDepth(2).mount("/files/").unixSocket(socket);
    }

    private static TestRequest upload(byte[] form) {
        return new TestRequest("POST", "/files/", null, List.of(
                new NameValue("Content-Type", "multipart/form-data; boundary=" + BOUNDARY),
                new NameValue("Content-Length", Integer.toString(form.length))), List.of(), "",
                new ByteArrayInputStream(form));
    }

    /** A multipart form: name/value pairs; the file part {@code d} is named {@code partName}. */
    private static byte[] form(String partName, String... nameValues) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < nameValues.length; i += 2) {
            out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + nameValues[i] + "\"\r\n\r\n"
                    + nameValues[i + 1] + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"d\"; " + partName
                + "\r\nContent-Type: text/plain\r\n\r\nhello\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static String uri(String question) {
        try {
            return JSON.readTree(question).get("uri").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // Finding 7: the backend's error text was logged verbatim; CR/LF in it forged a second line.

    @Test
    void aBackendsErrorTextCannotForgeALogLine() throws Exception {
        String forged = "no such grant\r\n2026-12-01 12:00:00 INFO io.keyhole.Gate granted everything to mallory\u001b[2J";
        String answer = "{\"status\":403,\"error\":" + JSON.writeValueAsString(forged) + "}";
        try (FakeBackend backend = FakeBackend.start(dir.resolve("a.sock"), q -> answer);
             Keyhole keyhole = new Keyhole(tree(backend.socket()).build());
             LogCapture log = LogCapture.start()) {
            assertEquals(403, keyhole.decide(TestRequest.get("/files/" + ID)).status());
            List<String> said = log.containing("no such grant");
            assertEquals(1, said.size(), log.lines().toString());
            String line = said.get(0);
            assertFalse(line.contains("\r") || line.contains("\n") || line.contains("\u001b"), line);
            assertTrue(line.contains("no such grant\\r\\n2026-12-01 12:00:00 INFO io.keyhole.Gate granted everything"
                    + " to mallory\\u001b[2J"), line);
            assertTrue(log.lines().stream().noneMatch(l -> l.startsWith("2026-12-01")), log.lines().toString());
        }
    }

    // Finding 10: upload names kept decoded CR/LF and carried them to the backend.

    @Test
    void controlCharactersNeverReachAStoredName() throws Exception {
        List<String> questions = new CopyOnWriteArrayList<>();
        try (FakeBackend backend = FakeBackend.start(dir.resolve("n.sock"), q -> {
            questions.add(q);
            return "{\"status\":201}";
        }); Keyhole keyhole = new Keyhole(tree(backend.socket()).readOnly(false)
                .uploadMatrix(AuthMatrix.parse("allow:allow:allow:allow")).build())) {
            // the name field, raw
            Delivery named = keyhole.decide(upload(form("filename=\"x.txt\"", "n", "in\r\nvoice\u0085\u2028.txt")));
            assertEquals(201, named.status(), ((Delivery.Reply) named).message());
            assertEquals("invoice.txt", JSON.readTree(((Delivery.Reply) named).message()).get("filename").asText());
            // the part's own name, with the browsers' %0D%0A escape undone and a right-to-left override
            Delivery parted = keyhole.decide(upload(form("filename=\"report%0D%0AX-Forged: 1\u202etxt.exe\"")));
            assertEquals(201, parted.status(), ((Delivery.Reply) parted).message());
            assertEquals("reportX-Forged: 1txt.exe",
                    JSON.readTree(((Delivery.Reply) parted).message()).get("filename").asText());
            for (String q : questions) {
                JsonNode stored = JSON.readTree(q);
                assertFalse(stored.toString().matches(".*\\\\u00[01][0-9a-f].*"), q);
                assertFalse(q.contains("\\r") || q.contains("\\n") || q.contains("\u2028") || q.contains("\u202e"), q);
            }
        }
    }

    // Finding 5: the backend recorded the upload but answered after auth-timeout: 504, the file
    // deleted, the record kept; the recorded id then gave 404.

    @Test
    void aRecordedIdHasItsFileEvenWhenTheBackendAnsweredTooLate() throws Exception {
        Set<String> recorded = ConcurrentHashMap.newKeySet();
        try (FakeBackend backend = FakeBackend.start(dir.resolve("t.sock"), q -> {
            String uri = uri(q);
            if (q.contains("\"http_method\":\"POST\"")) {
                recorded.add(uri);
                return FakeBackend.HANG;
            }
            return recorded.contains(uri) ? "{\"status\":200}" : "{\"status\":404}";
        }); Keyhole keyhole = new Keyhole(tree(backend.socket()).readOnly(false).authTimeout(Duration.ofMillis(300))
                .uploadMatrix(AuthMatrix.parse("allow:allow:allow:allow")).build())) {
            assertEquals(504, keyhole.decide(upload(form("filename=\"late.txt\""))).status());
            assertEquals(1, recorded.size());
            String id = recorded.iterator().next().substring("/files/".length());
            Delivery later = keyhole.decide(TestRequest.get("/files/" + id));
            assertEquals(200, later.status(), "the backend has the id: so must the tree");
        }
    }
}
