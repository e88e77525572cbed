package io.keyhole.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.FileId;
import io.keyhole.StoredMetadata;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConcurrentStoreTest {

    static final int STORES = 10_000;
    static final int THREADS = 16;

    @TempDir
    Path dir;

    /**
     * A clock that moves one millisecond every 50 readings, so that many stores share a
     * millisecond and, with a handful of names and users, compute the same id.
     */
    static final class CrowdedClock extends Clock {
        private final AtomicLong readings = new AtomicLong();

        @Override
        public long millis() {
            return 1_795_342_530_000L + readings.getAndIncrement() / 50;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    record Stored(StoredMetadata metadata, byte[] content) {
    }

    @Test
    void tenThousandConcurrentStoresKeepEveryFileWholeUnderItsOwnId() throws Exception {
        HashedTree tree = new HashedTree(dir, 2);
        tree.create();
        FileStore store = FileStore.builder(tree).clock(new CrowdedClock()).instance("web-1").build();
        String[] names = {"a.txt", "photo.jpg", "report.pdf", "b.txt", "x"};
        String[] users = {"alice", "bob"};

        List<Callable<Stored>> tasks = new ArrayList<>();
        for (int i = 0; i < STORES; i++) {
            int n = i;
            tasks.add(() -> {
                Random random = new Random(n);
                byte[] content = new byte[16 + random.nextInt(1024)];
                random.nextBytes(content);
                Upload upload = Upload.of(names[n % names.length]).withUser(users[n % users.length]);
                return new Stored(store.store(new ByteArrayInputStream(content), upload), content);
            });
        }
        long started = System.nanoTime();
        ExecutorService executor = Executors.newFixedThreadPool(THREADS);
        List<Stored> results = new ArrayList<>();
        try {
            for (Future<Stored> future : executor.invokeAll(tasks)) {
                results.add(future.get());
            }
        } finally {
            executor.shutdownNow();
            assertTrue(executor.awaitTermination(60, TimeUnit.SECONDS));
        }
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;

        Set<FileId> ids = new HashSet<>();
        int suffixed = 0;
        for (Stored result : results) {
            StoredMetadata metadata = result.metadata();
            assertTrue(ids.add(metadata.id()), () -> "id given twice: " + metadata.id());
            suffixed += metadata.id().suffix().isPresent() ? 1 : 0;
            byte[] onDisk = Files.readAllBytes(tree.pathOf(metadata.id()));
            String hash = TreeFiles.sha256(onDisk);
            assertEquals(TreeFiles.sha256(result.content()), hash, () -> "content of " + metadata.id());
            assertEquals(hash.substring(0, 32), metadata.etag());
            assertEquals(result.content().length, metadata.size());
        }
        assertEquals(STORES, ids.size());
        assertTrue(suffixed > STORES / 2, "collisions were settled by counters: " + suffixed);
        TreeCheck check = store.check();
        assertEquals(STORES, check.files(), "one file per store: no temp file, nothing else");
        assertTrue(check.isClean(), check.problems().toString());
        System.out.printf("%d stores from %d threads in %d ms (%d took a counter suffix)%n",
                STORES, THREADS, elapsedMs, suffixed);
    }

    /**
     * Deleting thousands of freshly flushed files one by one takes ext4 longer than writing them
     * took from many threads; removing them from as many threads keeps the test short.
     */
    @AfterEach
    void removeTheTreeInParallel() throws Exception {
        List<Path> leaves;
        try (Stream<Path> all = Files.walk(dir, 2)) {
            leaves = all.filter(p -> dir.relativize(p).getNameCount() == 2 && Files.isDirectory(p)).toList();
        }
        ExecutorService executor = Executors.newFixedThreadPool(THREADS);
        try {
            List<Callable<Void>> deletions = new ArrayList<>();
            for (Path leaf : leaves) {
                deletions.add(() -> {
                    try (Stream<Path> files = Files.list(leaf)) {
                        for (Path file : files.toList()) {
                            Files.delete(file);
                        }
                    }
                    return null;
                });
            }
            for (Future<Void> done : executor.invokeAll(deletions)) {
                done.get();
            }
        } finally {
            executor.shutdownNow();
        }
    }
}
