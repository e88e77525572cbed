package io.keyhole;

import static io.keyhole.WritesTest.form;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.internal.Settings;
import io.keyhole.testing.TestRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code PUT <mount><id>} while 8 readers download the same file: each sees the old bytes or the new, never a mix. */
class PutRaceTest {

    static final String ID = "0123456789abcdef";
    static final int SIZE = 512 * 1024;

    @TempDir
    Path root;

    @ParameterizedTest(name = "open-cache-valid {0}")
    @ValueSource(strings = {"0s", "1h"})
    void readersSeeWholeVersionsOnly(String openCacheValid) throws Exception {
        byte[][] versions = new byte[2][SIZE];
        Arrays.fill(versions[0], (byte) 'a');
        Arrays.fill(versions[1], (byte) 'b');
        Path file = root.resolve("0/1/" + ID);
        Files.createDirectories(file.getParent());
        Files.write(file, versions[0]);
        KeyholeConfig config = KeyholeConfig.builder().fsRoot(root).fsDepth(2).mount("/files/").readOnly(false)
                .jwtKey(WritesTest.KEY).jwtField("uid").clock(Clock.fixed(WritesTest.NOW, ZoneOffset.UTC))
                .openCacheValid(Settings.duration("open-cache-valid", openCacheValid))
                .authorizer(q -> AuthResponse.ofStatus(200)).build();
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger reads = new AtomicInteger();
        AtomicInteger sawNew = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (Keyhole keyhole = new Keyhole(config)) {
            List<Future<?>> readers = new java.util.ArrayList<>();
            for (int r = 0; r < 8; r++) {
                readers.add(pool.submit(() -> {
                    while (writing.get() || reads.get() < 8) {
                        Delivery d = keyhole.decide(TestRequest.get("/files/" + ID, "Authorization: Bearer " + WritesTest.token("bob")));
                        assertEquals(200, d.status());
                        byte[] body;
                        try (var opened = ((Delivery.Send) d).file();
                             InputStream in = Channels.newInputStream(opened.range(0, opened.size()))) {
                            ByteArrayOutputStream out = new ByteArrayOutputStream(SIZE);
                            in.transferTo(out);
                            body = out.toByteArray();
                        }
                        assertEquals(SIZE, body.length);
                        boolean isNew = body[0] == 'b';
                        assertArrayEquals(versions[isNew ? 1 : 0], body, "a reader saw a mix of versions");
                        if (isNew) {
                            sawNew.incrementAndGet();
                        }
                        reads.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (int i = 1; i <= 40; i++) {
                byte[] body = form("d", versions[i % 2]);
                Delivery put = keyhole.decide(WritesTest.request("PUT", "/files/" + ID, "alice",
                        "multipart/form-data; boundary=" + WritesTest.BOUNDARY, body));
                assertEquals(200, put.status(), () -> ((Delivery.Reply) put).message());
            }
            writing.set(false);
            for (Future<?> reader : readers) {
                reader.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertArrayEquals(versions[0], Files.readAllBytes(file), "40 replacements end with the first version");
        assertTrue(reads.get() >= 8, "reads: " + reads.get());
        try (var all = Files.list(file.getParent())) {
            assertEquals(List.of(file), all.toList(), "no temporary file left");
        }
        System.out.println("PutRaceTest: " + reads.get() + " reads, " + sawNew.get() + " of the new version");
    }

    /**
     * With files kept open for an hour, every replacement and the delete through this instance
     * are seen by the very next download: a kept file is forgotten when its id is written.
     */
    @Test
    void withFilesKeptOpenTheNextDownloadSeesEachReplacementAndTheDelete() throws Exception {
        Path file = root.resolve("0/1/" + ID);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "version 0");
        KeyholeConfig config = KeyholeConfig.builder().fsRoot(root).fsDepth(2).mount("/files/").readOnly(false)
                .jwtKey(WritesTest.KEY).jwtField("uid").clock(Clock.fixed(WritesTest.NOW, ZoneOffset.UTC))
                .openCacheValid(Duration.ofHours(1)).authCacheTtl(Duration.ofHours(1))
                .authorizer(q -> AuthResponse.ofStatus(q.method().equals("DELETE") ? 204 : 200)).build();
        try (Keyhole keyhole = new Keyhole(config)) {
            assertEquals("version 0", download(keyhole));
            for (int i = 1; i <= 3; i++) {
                byte[] body = form("d", ("version " + i).getBytes(StandardCharsets.UTF_8));
                assertEquals(200, keyhole.decide(WritesTest.request("PUT", "/files/" + ID, "alice",
                        "multipart/form-data; boundary=" + WritesTest.BOUNDARY, body)).status());
                assertEquals("version " + i, download(keyhole));
                assertEquals("version " + i, download(keyhole));
            }
            assertEquals(204, keyhole.decide(WritesTest.request("DELETE", "/files/" + ID, "alice", null, null)).status());
            assertEquals(404, keyhole.decide(TestRequest.get("/files/" + ID,
                    "Authorization: Bearer " + WritesTest.token("bob"))).status());
        }
    }

    private static String download(Keyhole keyhole) throws IOException {
        Delivery d = keyhole.decide(TestRequest.get("/files/" + ID, "Authorization: Bearer " + WritesTest.token("bob")));
        assertEquals(200, d.status());
        try (var opened = ((Delivery.Send) d).file();
             InputStream in = Channels.newInputStream(opened.range(0, opened.size()))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

}
