package io.keyhole;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.AuthorizationException.Kind;
import io.keyhole.observe.KeyholeListener;
import io.keyhole.testing.FakeBackend;
import io.keyhole.testing.TestClock;
import io.keyhole.testing.TestRequest;
import io.keyhole.testing.TestTree;
import io.keyhole.testing.Tokens;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The decision cache ({@code auth-cache-ttl}, {@code auth-cache-negative-ttl}, {@code cache_ttl}):
 * what is remembered, for how long by a test clock, for whom, and what makes it forget.
 */
class DecisionCacheTest {

    static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    @TempDir
    Path root;
    final TestClock clock = new TestClock(NOW);
    /** Questions the backend got, as "uid id". */
    final List<String> asked = java.util.Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger hits = new AtomicInteger();
    final AtomicInteger misses = new AtomicInteger();
    /** Counted down on every miss, when a test sets it. */
    volatile CountDownLatch missed;
    Function<AuthRequest, AuthResponse> answers = q -> AuthResponse.ofStatus(200);
    Keyhole keyhole;

    @BeforeEach
    void tree() throws Exception {
        TestTree.create(root, 5_000);
    }

    @AfterEach
    void close() {
        if (keyhole != null) {
            keyhole.close();
        }
    }

    KeyholeConfig.Builder config() {
        return KeyholeConfig.builder().fsRoot(root).fsDepth(2).mount("/files/")
                .jwtKey(Tokens.KEY).jwtField("uid").clock(clock)
                .listener(new KeyholeListener() {
                    @Override
                    public void cacheLookup(boolean hit) {
                        (hit ? hits : misses).incrementAndGet();
                        CountDownLatch latch = missed;
                        if (!hit && latch != null) {
                            latch.countDown();
                        }
                    }
                })
                .authorizer(q -> {
                    asked.add(q.authValue() + " " + q.fileId());
                    try {
                        return answers.apply(q);
                    } catch (WritesTest.Failing f) {
                        throw f.failure;
                    }
                });
    }

    Keyhole start(KeyholeConfig.Builder config) {
        keyhole = new Keyhole(config.build());
        return keyhole;
    }

    static TestRequest get(String uid, String id) {
        return TestRequest.get("/files/" + id, "Authorization: Bearer " + Tokens.hs256(Tokens.KEY, uid, NOW.plusSeconds(7200)));
    }

    int status(String uid, String id) {
        return keyhole.decide(get(uid, id)).status();
    }

    @Test
    void offByDefaultEveryRequestAsksAndNoLookupIsTold() {
        start(config());
        assertEquals(200, status("alice", TestTree.SMALL));
        assertEquals(200, status("alice", TestTree.SMALL));
        assertEquals(2, asked.size());
        assertEquals(0, hits.get() + misses.get());
    }

    @Test
    void aGrantIsRememberedForItsTtlByTheClock() {
        start(config().authCacheTtl(Duration.ofSeconds(30)));
        assertEquals(200, status("alice", TestTree.SMALL));
        clock.advance(Duration.ofMillis(29_999));
        assertEquals(200, status("alice", TestTree.SMALL));
        assertEquals(1, asked.size(), "asked once within the TTL");
        assertEquals(1, hits.get());
        assertEquals(1, misses.get());

        clock.advance(Duration.ofMillis(1));
        assertEquals(200, status("alice", TestTree.SMALL));
        assertEquals(2, asked.size(), "at the TTL the grant is gone");
    }

    @Test
    void twoUsersNeverShareAnEntry() {
        answers = q -> q.authValue().equals("alice") ? AuthResponse.ofStatus(200) : AuthResponse.ofStatus(403);
        start(config().authCacheTtl(Duration.ofMinutes(5)).authCacheNegativeTtl(Duration.ofMinutes(5)));
        assertEquals(200, status("alice", TestTree.SMALL));
        assertEquals(403, status("bob", TestTree.SMALL), "alice's grant is not bob's");
        assertEquals(200, status("alice", TestTree.SMALL));
        assertEquals(403, status("bob", TestTree.SMALL));
        assertEquals(List.of("alice " + TestTree.SMALL, "bob " + TestTree.SMALL), asked);
    }

    @Test
    void callersWithDifferentForwardedCookiesNeverShareAnEntry() {
        start(config().authCacheTtl(Duration.ofMinutes(5)).allCookies(true));
        TestRequest first = get("alice", TestTree.SMALL).withCookies(List.of(new NameValue("session", "a")));
        TestRequest second = get("alice", TestTree.SMALL).withCookies(List.of(new NameValue("session", "b")));
        assertEquals(200, keyhole.decide(first).status());
        assertEquals(200, keyhole.decide(second).status());
        assertEquals(200, keyhole.decide(first).status());
        assertEquals(2, asked.size(), "what the backend was shown is part of the key");
    }

    @Test
    void aRefusalIsRememberedForTheNegativeTtlOnly() {
        answers = q -> AuthResponse.ofStatus(403);
        start(config().authCacheTtl(Duration.ofMinutes(5)).authCacheNegativeTtl(Duration.ofSeconds(10)));
        assertEquals(403, status("alice", TestTree.SMALL));
        clock.advance(Duration.ofMillis(9_999));
        assertEquals(403, status("alice", TestTree.SMALL));
        assertEquals(1, asked.size());
        clock.advance(Duration.ofMillis(1));
        assertEquals(403, status("alice", TestTree.SMALL));
        assertEquals(2, asked.size(), "a 403 is kept for the negative TTL, not the positive one");
    }

    @Test
    void aNotFoundIsRememberedAsARefusal() {
        answers = q -> AuthResponse.ofStatus(404);
        start(config().authCacheNegativeTtl(Duration.ofSeconds(10)));
        assertEquals(404, status("alice", TestTree.SMALL));
        assertEquals(404, status("alice", TestTree.SMALL));
        assertEquals(1, asked.size());
    }

    @Test
    void withoutANegativeTtlARefusalIsNotRemembered() {
        answers = q -> AuthResponse.ofStatus(403);
        start(config().authCacheTtl(Duration.ofMinutes(5)));
        assertEquals(403, status("alice", TestTree.SMALL));
        assertEquals(403, status("alice", TestTree.SMALL));
        assertEquals(2, asked.size());
    }

    enum Failure {
        UNAVAILABLE_503, TIMEOUT_504, BAD_ANSWER_502, ANSWERED_503, ANSWERED_401, ANSWERED_429
    }

    @ParameterizedTest
    @EnumSource(Failure.class)
    void failuresAndOtherStatusesAreNeverRemembered(Failure failure) {
        answers = q -> switch (failure) {
            case UNAVAILABLE_503 -> throw new WritesTest.Failing(Kind.UNAVAILABLE);
            case TIMEOUT_504 -> throw new WritesTest.Failing(Kind.TIMEOUT);
            case BAD_ANSWER_502 -> throw new WritesTest.Failing(Kind.BAD_ANSWER);
            case ANSWERED_503 -> AuthResponse.ofStatus(503);
            case ANSWERED_401 -> AuthResponse.ofStatus(401);
            case ANSWERED_429 -> AuthResponse.ofStatus(429);
        };
        start(config().authCacheTtl(Duration.ofMinutes(5)).authCacheNegativeTtl(Duration.ofMinutes(5)));
        int first = status("alice", TestTree.SMALL);
        assertEquals(first, status("alice", TestTree.SMALL));
        assertTrue(first >= 401 && first != 403 && first != 404, "status " + first);
        assertEquals(2, asked.size(), failure + " is asked again");
    }

    @Test
    void aBackend304IsNeverRemembered() {
        answers = q -> AuthResponse.ofStatus(304);
        start(config().authCacheTtl(Duration.ofMinutes(5)).authCacheNegativeTtl(Duration.ofMinutes(5)));
        assertEquals(304, status("alice", TestTree.SMALL));
        assertEquals(304, status("alice", TestTree.SMALL));
        assertEquals(2, asked.size());
    }

    /** Over a real Unix socket: the answer's {@code cache_ttl} shortens the TTL, never lengthens it. */
    @Test
    void cacheTtlFromTheAnswerIsHonouredAndCappedByTheConfiguredMaximum() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "kh-dc");
        Map<String, String> ttlOf = Map.of(TestTree.SMALL, "5", TestTree.LARGE, "600");
        try (FakeBackend backend = FakeBackend.start(dir.resolve("a.sock"), json -> {
            String id = json.contains(TestTree.SMALL) ? TestTree.SMALL : TestTree.LARGE;
            asked.add(id);
            return "{\"status\":200,\"cache_ttl\":" + ttlOf.get(id) + "}";
        })) {
            keyhole = new Keyhole(KeyholeConfig.builder().fsRoot(root).fsDepth(2).mount("/files/")
                    .jwtKey(Tokens.KEY).jwtField("uid").clock(clock).unixSocket(backend.socket())
                    .authCacheTtl(Duration.ofSeconds(60)).build());
            assertEquals(200, status("alice", TestTree.SMALL));
            assertEquals(200, status("alice", TestTree.LARGE));
            clock.advance(Duration.ofMillis(4_999));
            assertEquals(200, status("alice", TestTree.SMALL));
            assertEquals(2, asked.size());
            clock.advance(Duration.ofMillis(1));
            assertEquals(200, status("alice", TestTree.SMALL));
            assertEquals(3, asked.size(), "cache_ttl 5 ends the grant after 5 s");
            clock.advance(Duration.ofMillis(60_000 - 5_001));
            assertEquals(200, status("alice", TestTree.LARGE));
            assertEquals(3, asked.size());
            clock.advance(Duration.ofMillis(1));
            assertEquals(200, status("alice", TestTree.LARGE));
            assertEquals(4, asked.size(), "cache_ttl 600 is capped by auth-cache-ttl 60s");
        } finally {
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void cacheTtlZeroRemembersNothing() {
        answers = q -> new AuthResponse(200, null, null, null, null, null, null, null, null, 0L);
        start(config().authCacheTtl(Duration.ofMinutes(5)));
        assertEquals(200, status("alice", TestTree.SMALL));
        assertEquals(200, status("alice", TestTree.SMALL));
        assertEquals(2, asked.size());
    }

    @Test
    void fiftyConcurrentMissesPutOneQuestion() throws Exception {
        int callers = 50;
        CountDownLatch allMissed = new CountDownLatch(callers);
        missed = allMissed;
        AtomicInteger questions = new AtomicInteger();
        answers = q -> {
            questions.incrementAndGet();
            try {
                // hold the one question until every caller has missed the cache
                assertTrue(allMissed.await(20, TimeUnit.SECONDS), "not every caller missed");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return AuthResponse.ofStatus(200);
        };
        start(config().authCacheTtl(Duration.ofMinutes(1)));
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                results.add(pool.submit(() -> status("alice", TestTree.SMALL)));
            }
            for (Future<Integer> r : results) {
                assertEquals(200, r.get(30, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, questions.get(), "one backend question for 50 callers that missed together");
    }

    @Test
    void revokeForgetsAFileForEveryoneAndRevokeSubjectAUserForEveryFile() {
        start(config().authCacheTtl(Duration.ofMinutes(5)));
        status("alice", TestTree.SMALL);
        status("bob", TestTree.SMALL);
        status("alice", TestTree.LARGE);
        assertEquals(3, asked.size());

        keyhole.revoke(FileId.parse(TestTree.SMALL));
        status("alice", TestTree.SMALL);
        status("bob", TestTree.SMALL);
        status("alice", TestTree.LARGE);
        assertEquals(5, asked.size(), "both users ask again for the revoked file, not for the other");

        keyhole.revokeSubject("alice");
        status("alice", TestTree.SMALL);
        status("bob", TestTree.SMALL);
        status("alice", TestTree.LARGE);
        assertEquals(List.of("alice " + TestTree.SMALL, "alice " + TestTree.LARGE), asked.subList(5, 7));
    }

    @Test
    void aQuestionInFlightDuringARevocationRemembersNothing() throws Exception {
        CountDownLatch asking = new CountDownLatch(1);
        CountDownLatch revoked = new CountDownLatch(1);
        answers = q -> {
            if (asked.size() == 1) {
                asking.countDown();
                try {
                    assertTrue(revoked.await(20, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return AuthResponse.ofStatus(200);
        };
        start(config().authCacheTtl(Duration.ofMinutes(5)));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> first = pool.submit(() -> status("alice", TestTree.SMALL));
            assertTrue(asking.await(20, TimeUnit.SECONDS));
            keyhole.revoke(FileId.parse(TestTree.SMALL));
            revoked.countDown();
            assertEquals(200, first.get(20, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
        status("alice", TestTree.SMALL);
        assertEquals(2, asked.size(), "the grant brought back across the revocation was not kept");
    }

    /**
     * Through this instance: an upload forgets what was remembered about its id (here a 404 from
     * before the file existed), a delete forgets the grant. Uploading the same name again at the
     * same instant gives the same id: the replace of a deleted file.
     */
    @Test
    void uploadReplaceAndDeleteForgetTheirId() throws Exception {
        Map<String, Boolean> recorded = new java.util.concurrent.ConcurrentHashMap<>();
        answers = q -> switch (q.method()) {
            case "POST" -> {
                recorded.put(q.fileId().value(), true);
                yield AuthResponse.ofStatus(201);
            }
            case "DELETE" -> {
                recorded.remove(q.fileId().value());
                yield AuthResponse.ofStatus(204);
            }
            default -> AuthResponse.ofStatus(recorded.containsKey(q.fileId().value()) ? 200 : 404);
        };
        start(config().readOnly(false).instanceId("test-1")
                .authCacheTtl(Duration.ofMinutes(5)).authCacheNegativeTtl(Duration.ofMinutes(5)));

        String id = upload();
        assertEquals(200, status("alice", id));
        assertEquals(200, status("alice", id));
        assertEquals(2, asked.size(), "upload, then one download question");

        assertEquals(204, keyhole.decide(WritesTest.request("DELETE", "/files/" + id,
                List.of(new NameValue("Authorization", "Bearer " + WritesTest.token("alice"))), null)).status());
        assertEquals(404, status("alice", id));
        assertEquals(404, status("alice", id));
        assertEquals(4, asked.size(), "the delete forgot the grant; the 404 after it is remembered");

        assertEquals(id, upload(), "the same name at the same instant: the same id again");
        assertEquals(200, status("alice", id));
        assertEquals(6, asked.size(), "the upload forgot the 404");
    }

    private String upload() {
        Delivery d = keyhole.decide(new TestRequest("POST", "/files/", null, List.of(
                new NameValue("Authorization", "Bearer " + WritesTest.token("alice")),
                new NameValue("Content-Type", "multipart/form-data; boundary=" + WritesTest.BOUNDARY)),
                List.of(), "/app", new ByteArrayInputStream(WritesTest.form("d", "hello".getBytes(StandardCharsets.UTF_8)))));
        assertEquals(201, d.status());
        String location = d.header("Location");
        return location.substring(location.lastIndexOf('/') + 1);
    }

    @Test
    void textKeysBuildTheCacheAndBadCombinationsAreRefused() {
        Map<String, String> base = Map.of("fs-root", root.toString(), "unix-socket", "/run/a.sock");
        KeyholeConfig config = KeyholeConfig.builder().properties(base)
                .properties(Map.of("auth-cache-ttl", "30s", "auth-cache-negative-ttl", "5s", "auth-cache-size", "500"))
                .build();
        assertEquals(new AuthCache(Duration.ofSeconds(30), Duration.ofSeconds(5), 500), config.authCache());
        assertFalse(KeyholeConfig.fromProperties(base).authCache().enabled());

        IllegalArgumentException sizeAlone = assertThrows(IllegalArgumentException.class,
                () -> KeyholeConfig.builder().properties(base).properties(Map.of("auth-cache-size", "500")).build());
        assertTrue(sizeAlone.getMessage().contains("auth-cache-size needs auth-cache-ttl"), sizeAlone.getMessage());
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> KeyholeConfig.builder().authCacheSize(0));
        assertTrue(zero.getMessage().contains("auth-cache-size must be 1.."), zero.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> KeyholeConfig.builder().authCacheTtl(Duration.ofSeconds(-1)));
        assertTrue(negative.getMessage().contains("auth-cache-ttl"), negative.getMessage());
        IllegalArgumentException media = assertThrows(IllegalArgumentException.class,
                () -> KeyholeConfig.fromProperties(Map.of("media-url", "/media/", "media-root", root.toString(),
                        "auth-cache-ttl", "30s")));
        assertTrue(media.getMessage().contains("auth-cache-ttl"), media.getMessage());
    }
}
