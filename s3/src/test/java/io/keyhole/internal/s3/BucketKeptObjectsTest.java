package io.keyhole.internal.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.Delivery;
import io.keyhole.FileId;
import io.keyhole.Keyhole;
import io.keyhole.KeyholeConfig;
import io.keyhole.NameValue;
import io.keyhole.authorizer.AuthMatrix;
import io.keyhole.http.ByteRange;
import io.keyhole.storage.OpenedFile;
import io.keyhole.storage.Prefetch;
import io.keyhole.storage.Storage;
import io.keyhole.storage.StorageSettings;
import io.keyhole.testing.TestClock;
import io.keyhole.testing.TestRequest;
import io.keyhole.testing.TestTree;
import io.keyhole.tree.HashedTree;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code open-cache-valid} with a bucket: small objects kept in memory, counted at S3Proxy by a
 * relay in front of it. Within the time a repeated download asks the bucket nothing, after it
 * once; a delete through the instance is seen at once, a change made directly in the bucket only
 * when the time is up; ranges and conditionals answered from the kept bytes exactly as from the
 * bucket; objects above {@link KeptObjects#LARGEST} never kept; {@code open-cache-size} honoured.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BucketKeptObjectsTest {

    private static final String BUCKET = "kept";
    private static final Duration VALID = Duration.ofSeconds(10);
    /** No credentials here: the backend decides every write by its status. */
    private static final AuthMatrix ANYONE = AuthMatrix.parse("allow:allow:allow:deny");
    private static final HashedTree LAYOUT = new HashedTree(Path.of(""), 2);

    private CountingRelay relay;
    private final TestClock clock = new TestClock(Instant.parse("2026-12-02T06:00:00Z"));
    private final Random random = new Random(7);

    @BeforeAll
    void start() throws Exception {
        S3Proxy.shared().createBucket(BUCKET);
        relay = new CountingRelay(S3Proxy.shared().port());
    }

    @AfterAll
    void stop() throws Exception {
        relay.close();
    }

    @BeforeEach
    void forgetRequests() {
        relay.forget();
    }

    private Keyhole keyhole(int size) {
        return keyhole(KeyholeConfig.builder().openCacheValid(VALID).openCacheSize(size));
    }

    private Keyhole keyhole(KeyholeConfig.Builder builder) {
        return new Keyhole(S3Proxy.configure(builder, relay.endpoint(), BUCKET).fsDepth(2).clock(clock)
                .readOnly(false).uploadMatrix(ANYONE).deleteMatrix(ANYONE).authorizer(TestTree.grant()).build());
    }

    /** A new object of {@code size} random bytes, put directly into the bucket; its id. */
    private String object(int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        String id = String.format("%032x", random.nextLong() & Long.MAX_VALUE);
        put(id, bytes);
        return id;
    }

    private static void put(String id, byte[] bytes) {
        try (S3Client s3 = S3Proxy.shared().client()) {
            s3.putObject(b -> b.bucket(BUCKET).key(LAYOUT.relativePathOf(FileId.parse(id))), RequestBody.fromBytes(bytes));
        }
    }

    private static byte[] content(String id) {
        try (S3Client s3 = S3Proxy.shared().client()) {
            return s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(LAYOUT.relativePathOf(FileId.parse(id)))).asByteArray();
        }
    }

    private int asked() {
        return relay.seenIn(BUCKET).size();
    }

    /** What a client would get: status, headers and the bytes of every range sent. */
    private static String answer(Delivery d) throws Exception {
        StringBuilder out = new StringBuilder().append(d.status());
        for (NameValue h : d.headers()) {
            boolean boundary = h.name().equals("Content-Type") && d instanceof Delivery.Send s && s.multipart() != null;
            out.append('\n').append(h.name()).append(": ").append(boundary ? "multipart/byteranges" : h.value());
        }
        if (d instanceof Delivery.Send send) {
            try {
                if (!send.bodiless()) {
                    for (ByteRange r : send.ranges().isEmpty() ? List.of(new ByteRange(0, send.file().size() - 1))
                            : send.ranges()) {
                        out.append("\n[").append(r).append("] ")
                                .append(java.util.HexFormat.of().formatHex(read(send, r.first(), r.length())));
                    }
                }
            } finally {
                send.file().close();
            }
        }
        return out.toString();
    }

    private static byte[] read(Delivery.Send send, long first, long length) throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        try (ReadableByteChannel in = send.file().range(first, length)) {
            while (in.read(buffer.clear()) >= 0) {
                buffer.flip();
                all.write(buffer.array(), 0, buffer.limit());
            }
        }
        return all.toByteArray();
    }

    private static byte[] body(Keyhole keyhole, String id) throws Exception {
        Delivery.Send send = assertInstanceOf(Delivery.Send.class, keyhole.decide(TestRequest.get("/" + id)));
        try {
            return read(send, 0, send.file().size());
        } finally {
            send.file().close();
        }
    }

    @Test
    void aRepeatedDownloadWithinTheTimeAsksNothingAfterItOnce() throws Exception {
        String id = object(4096);
        try (Keyhole keyhole = keyhole(100)) {
            for (int i = 0; i < 5; i++) {
                assertArrayEquals(content(id), body(keyhole, id));
            }
            assertEquals(1, asked(), "within open-cache-valid: " + relay.seenIn(BUCKET));
            clock.advance(VALID.minusMillis(1));
            body(keyhole, id);
            assertEquals(1, asked());
            clock.advance(Duration.ofMillis(1));
            assertArrayEquals(content(id), body(keyhole, id));
            body(keyhole, id);
            assertEquals(2, asked(), "after open-cache-valid once more, then kept again: " + relay.seenIn(BUCKET));
        }
    }

    @Test
    void anObjectReplacedInTheBucketIsServedAsKeptUntilTheTimeIsUp() throws Exception {
        String id = object(10_000);
        byte[] before = content(id);
        try (Keyhole keyhole = keyhole(100)) {
            assertArrayEquals(before, body(keyhole, id));
            byte[] after = new byte[7_000];
            random.nextBytes(after);
            put(id, after);
            clock.advance(VALID.minusSeconds(1));
            assertArrayEquals(before, body(keyhole, id), "another writer's change is not seen within open-cache-valid");
            clock.advance(Duration.ofSeconds(1));
            assertArrayEquals(after, body(keyhole, id));
            assertEquals(2, asked());
        }
    }

    @Test
    void aDeleteThroughThisInstanceIsSeenAtOnce() throws Exception {
        String id = object(4096);
        try (Keyhole keyhole = keyhole(100)) {
            assertArrayEquals(content(id), body(keyhole, id));
            assertEquals(204, keyhole.decide(new TestRequest("DELETE", "/" + id, null, List.of(), List.of(), "",
                    null)).status());
            assertEquals(404, keyhole.decide(TestRequest.get("/" + id)).status());
        }
    }

    @Test
    void anObjectDeletedInTheBucketIsServedAsKeptUntilTheTimeIsUp() throws Exception {
        String id = object(4096);
        try (Keyhole keyhole = keyhole(100)) {
            byte[] kept = body(keyhole, id);
            try (S3Client s3 = S3Proxy.shared().client()) {
                s3.deleteObject(b -> b.bucket(BUCKET).key(LAYOUT.relativePathOf(FileId.parse(id))));
            }
            assertArrayEquals(kept, body(keyhole, id));
            clock.advance(VALID);
            assertEquals(404, keyhole.decide(TestRequest.get("/" + id)).status());
        }
    }

    /**
     * Each request once through an instance that keeps nothing and once through one that has the
     * object kept: the same status, headers and bytes (RFC 9110 §13.2.2 and §14), and the kept one
     * asks the bucket nothing.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            plain GET                          | -             | -
            HEAD                               | -             | -
            one range                          | Range         | bytes=10-99
            a suffix range                     | Range         | bytes=-100
            an open range                      | Range         | bytes=4000-
            several ranges                     | Range         | bytes=0-9,20-29
            an unsatisfiable range (416)       | Range         | bytes=999999-
            If-None-Match with the tag (304)   | If-None-Match | "c0ffee"
            If-None-Match with another tag     | If-None-Match | "other"
            If-Match with another tag (412)    | If-Match      | "other"
            If-Match with the tag              | If-Match      | "c0ffee"
            If-Modified-Since later (304)      | If-Modified-Since | Wed, 01 Jan 2031 00:00:00 GMT
            If-Unmodified-Since earlier (412)  | If-Unmodified-Since | Sat, 01 Jan 2000 00:00:00 GMT
            """)
    void rangesAndConditionalsFromTheKeptBytesAsFromTheBucket(String rule, String header, String value) throws Exception {
        String id = object(5000);
        TestRequest request = new TestRequest(rule.equals("HEAD") ? "HEAD" : "GET", "/" + id, null, List.of(),
                List.of(), "", null);
        if (header != null) {
            request = request.withHeader(header, value.replace("c0ffee", TestTree.ETAG.replace("\"", "")));
        }
        try (Keyhole direct = keyhole(KeyholeConfig.builder()); Keyhole keeping = keyhole(100)) {
            String fromBucket = answer(direct.decide(request));
            body(keeping, id);
            relay.forget();
            assertEquals(fromBucket, answer(keeping.decide(request)));
            assertEquals(0, asked(), relay.seenIn(BUCKET).toString());
        }
    }

    @Test
    void objectsAboveTheLargestAreNeverKeptAndTheLargestIs() throws Exception {
        String big = object(KeptObjects.LARGEST + 1);
        String largest = object(KeptObjects.LARGEST);
        try (Keyhole keyhole = keyhole(100)) {
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(content(big), body(keyhole, big));
                assertArrayEquals(content(largest), body(keyhole, largest));
            }
            assertEquals(4, asked(), relay.seenIn(BUCKET).toString());
        }
    }

    @Test
    void openCacheSizeBoundsTheObjectsKept() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(object(1000));
        }
        try (Keyhole keyhole = keyhole(2)) {
            for (String id : ids) {
                body(keyhole, id);
            }
            relay.forget();
            for (String id : ids) {
                body(keyhole, id);
            }
            // two kept at most: asking for all three again asks the bucket at least once
            assertTrue(asked() >= 1, relay.seenIn(BUCKET).toString());
            relay.forget();
            String last = ids.get(2);
            body(keyhole, last);
            body(keyhole, last);
            assertTrue(asked() <= 1, "the object read last is kept: " + relay.seenIn(BUCKET));
        }
    }

    /**
     * A download whose answer is still on its way when a write through this instance forgets the
     * object (here: the bucket holds its answer until then) does not keep what it read.
     */
    @Test
    void aDownloadUnderWayWhenTheObjectIsForgottenKeepsNothing() throws Exception {
        byte[] bytes = "kept?".repeat(100).getBytes(StandardCharsets.US_ASCII);
        CountDownLatch asked = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        AtomicInteger requests = new AtomicInteger();
        try (BucketHttpTest.Scripted bucket = new BucketHttpTest.Scripted((n, head, out, socket) -> {
            if (requests.incrementAndGet() == 1) {
                asked.countDown();
                try {
                    answer.await();
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
            }
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + bytes.length + "\r\nETag: \"e1\"\r\n"
                    + "Last-Modified: Tue, 01 Dec 2026 10:00:00 GMT\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(bytes);
            out.flush();
        })) {
            StorageSettings settings = StorageSettings.builder().kind("s3").option("s3-bucket", "bucket")
                    .option("s3-endpoint", "http://127.0.0.1:" + bucket.server.getLocalPort())
                    .option("s3-region", "us-east-1").option("s3-path-style", "yes")
                    .option("s3-access-key", "id").option("s3-secret-key", "secret").openCacheValid(VALID).build();
            String path = "a/b/ab01";
            try (Storage storage = new S3StorageProvider().start(settings, 2, null, clock)) {
                CompletableFuture<byte[]> first = CompletableFuture.supplyAsync(() -> {
                    try (OpenedFile file = storage.open(path, Prefetch.WHOLE).orElseThrow()) {
                        return readAll(file);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                assertTrue(asked.await(10, TimeUnit.SECONDS));
                storage.forget(path);
                answer.countDown();
                assertArrayEquals(bytes, first.get(10, TimeUnit.SECONDS));
                for (int i = 0; i < 2; i++) {
                    try (OpenedFile file = storage.open(path, Prefetch.WHOLE).orElseThrow()) {
                        assertArrayEquals(bytes, readAll(file));
                    }
                }
                assertEquals(2, requests.get(), "the read under way kept nothing; the next one was kept");
            }
        }
    }

    private static byte[] readAll(OpenedFile file) throws java.io.IOException {
        ByteBuffer all = ByteBuffer.allocate((int) file.size());
        try (ReadableByteChannel in = file.range(0, file.size())) {
            while (all.hasRemaining() && in.read(all) >= 0) {
                // until full
            }
        }
        return all.array();
    }

    @Test
    void withoutOpenCacheValidEveryDownloadAsks() throws Exception {
        String id = object(4096);
        try (Keyhole keyhole = keyhole(KeyholeConfig.builder())) {
            body(keyhole, id);
            body(keyhole, id);
            assertEquals(2, asked());
        }
    }
}
