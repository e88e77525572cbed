package io.keyhole;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.keyhole.http.ByteRange;
import io.keyhole.testing.TestRequest;
import io.keyhole.testing.TestTree;
import io.keyhole.testing.Tokens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The whole decision, {@link Keyhole#decide}, for any request line and headers: it never throws
 * and never answers 500; a file is sent only for the one id the backend grants, to the one user
 * it grants it to, with every range inside the file; no header value carries CR or LF. The tree
 * holds two files; the backend grants {@link TestTree#SMALL} to alice, refuses 403 otherwise.
 */
class DecideFuzzTest {

    private static final String[] METHODS = {"GET", "HEAD", "POST", "DELETE", "PUT", "OPTIONS", "get", "GET "};
    private static final String[] HEADERS = {"Authorization", "Range", "If-Range", "If-None-Match", "If-Match",
            "If-Modified-Since", "If-Unmodified-Since", "Cookie", "Content-Type"};
    private static final Set<Integer> REFUSALS = Set.of(304, 400, 401, 403, 404, 405, 412, 413, 415, 416);
    private static final String ALICE = "Bearer " + Tokens.valid("alice");
    private static final String BOB = "Bearer " + Tokens.valid("bob");
    private static final Keyhole KEYHOLE;
    private static final long SMALL_SIZE;

    static {
        try {
            Path root = Files.createTempDirectory("keyhole-decide-fuzz");
            TestTree tree = TestTree.create(root, 4096);
            SMALL_SIZE = tree.small().length;
            Authorizer alice = q -> q.fileId().value().equals(TestTree.SMALL) && "alice".equals(q.authValue())
                    ? TestTree.grant().authorize(q) : AuthResponse.ofStatus(403);
            KEYHOLE = new Keyhole(KeyholeConfig.builder().fsRoot(root).fsDepth(2).mount("/files/")
                    .authorizer(alice).jwtKey(Tokens.KEY).jwtField("uid").build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DictionaryEntries({"/files/", TestTree.SMALL, TestTree.LARGE, "Bearer ", "bytes=", "%2e%2e/", "..", "%2F", ";",
            "\"v1\"", "W/\"v1\""})
    @FuzzTest
    void decide(FuzzedDataProvider data) throws IOException {
        String method = data.pickValue(METHODS);
        List<String[]> headers = new ArrayList<>();
        if (data.consumeBoolean()) {
            headers.add(new String[] {"Authorization", data.consumeBoolean() ? ALICE : BOB});
        }
        for (int i = data.consumeInt(0, 4); i > 0; i--) {
            headers.add(new String[] {data.pickValue(HEADERS), data.consumeString(120)});
        }
        String path = switch (data.consumeInt(0, 2)) {
            case 0 -> "/files/" + TestTree.SMALL + data.consumeString(20);
            case 1 -> "/files/" + data.consumeString(80);
            default -> data.consumeString(120);
        };
        TestRequest request = TestRequest.get(path).withMethod(method).withQuery(data.consumeBoolean() ? null
                : data.consumeRemainingAsString());
        for (String[] h : headers) {
            request = request.withHeader(h[0], h[1]);
        }

        Delivery delivery = KEYHOLE.decide(request);

        assertNotEquals(500, statusOf(delivery), "a 500 is a bug caught: " + delivery);
        for (NameValue h : headersOf(delivery)) {
            assertFalse(h.value().indexOf('\r') >= 0 || h.value().indexOf('\n') >= 0, "CR or LF in " + h);
        }
        if (delivery instanceof Delivery.Send send) {
            try (var file = send.file()) {
                assertTrue(path.startsWith("/files/" + TestTree.SMALL), "sent for " + path);
                assertTrue(request.values("Authorization").stream().anyMatch(ALICE::equals),
                        "sent without alice's token");
                assertTrue(file.relativePath().endsWith("/" + TestTree.SMALL), file.relativePath());
                assertEquals(SMALL_SIZE, file.size());
                for (ByteRange r : send.ranges()) {
                    assertTrue(r.last() < SMALL_SIZE);
                }
            }
        } else if (delivery instanceof Delivery.Reply reply) {
            assertTrue(REFUSALS.contains(reply.status()) || reply.status() >= 500 && reply.status() != 500,
                    "status " + reply.status());
        }
    }

    private static int statusOf(Delivery d) {
        return d instanceof Delivery.Send s ? s.status() : d instanceof Delivery.Reply r ? r.status()
                : d instanceof Delivery.Redirect r ? r.status() : 0;
    }

    private static List<NameValue> headersOf(Delivery d) {
        return d instanceof Delivery.Send s ? s.headers() : d instanceof Delivery.Reply r ? r.headers()
                : d instanceof Delivery.Redirect r ? r.headers() : List.of();
    }
}
