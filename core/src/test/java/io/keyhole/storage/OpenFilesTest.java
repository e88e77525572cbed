package io.keyhole.storage;

import static io.keyhole.storage.LocalStorageTest.FILE;
import static io.keyhole.storage.LocalStorageTest.INSIDE;
import static io.keyhole.storage.LocalStorageTest.outcome;
import static io.keyhole.storage.LocalStorageTest.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.testing.FileRaces;
import io.keyhole.testing.RecordingFileSystem;
import io.keyhole.testing.TestClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The open-file cache of {@link LocalStorage} ({@code open-cache-valid}): a file asked again
 * within its time is handed out without touching the tree, never after; a file forgotten (written
 * or deleted through Keyhole) is looked up again at once; descriptors are shared and closed by
 * the last user; the cache is bounded.
 */
class OpenFilesTest {

    static final Duration VALID = Duration.ofSeconds(2);

    @TempDir
    Path dir;
    Path root;
    final TestClock clock = new TestClock(Instant.parse("2026-12-02T06:00:00Z"));

    @BeforeEach
    void tree() throws IOException {
        root = Files.createDirectories(dir.resolve("root"));
        Files.createDirectories(root.resolve("a/b/c"));
        Files.writeString(root.resolve(FILE), INSIDE);
    }

    private LocalStorage storage(Path at, int size) {
        return new LocalStorage(at, LocalStorage.DEFAULT_OPEN_BOUND, VALID, size, clock);
    }

    @Test
    void aKeptFileIsHandedOutWithoutTouchingTheTreeUntilItsTimeIsUp() throws IOException {
        RecordingFileSystem fs = new RecordingFileSystem();
        try (LocalStorage storage = storage(fs.path(root), 10)) {
            assertEquals(INSIDE, outcome(storage, FILE));
            assertTrue(!fs.operations().isEmpty(), "the first request opens the file");
            fs.clear();
            clock.advance(VALID.minusMillis(1));
            assertEquals(INSIDE, outcome(storage, FILE));
            assertEquals(List.of(), fs.operations(), "within open-cache-valid the tree is not touched");
            clock.advance(Duration.ofMillis(1));
            assertEquals(INSIDE, outcome(storage, FILE));
            assertTrue(!fs.operations().isEmpty(), "once its time is up, the file is opened and checked again");
        }
    }

    @Test
    void aFileRemovedBehindKeyholesBackIsServedForAtMostTheValidTime() throws IOException {
        try (LocalStorage storage = storage(root, 10)) {
            assertEquals(INSIDE, outcome(storage, FILE));
            Files.delete(root.resolve(FILE));
            assertEquals(INSIDE, outcome(storage, FILE), "the documented bound: served as it was, within its time");
            clock.advance(VALID);
            assertEquals("empty", outcome(storage, FILE));
        }
    }

    @Test
    void aDirectoryMovedOutOfTheTreeIsNotFollowedOnceTheTimeIsUp() throws IOException {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        try (LocalStorage storage = storage(root, 10)) {
            assertEquals(INSIDE, outcome(storage, FILE));
            Files.move(root.resolve("a/b"), outside.resolve("b"), StandardCopyOption.ATOMIC_MOVE);
            Files.writeString(outside.resolve("b/c/file"), "written outside the tree");
            clock.advance(VALID);
            assertEquals("empty", outcome(storage, FILE));
        }
    }

    @Test
    void aForgottenFileIsLookedUpAgainAtOnce() throws IOException {
        try (LocalStorage storage = storage(root, 10)) {
            assertEquals(INSIDE, outcome(storage, FILE));
            Path next = Files.writeString(root.resolve("a/b/c/next"), "replaced");
            Files.move(next, root.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            storage.forget(FILE);
            assertEquals("replaced", outcome(storage, FILE));
            Files.delete(root.resolve(FILE));
            storage.forget(FILE);
            assertEquals("empty", outcome(storage, FILE));
        }
    }

    @Test
    void anOpenUnderWayWhileAFileIsForgottenIsNotKept() throws IOException {
        try (LocalStorage storage = storage(root, 10)) {
            OpenFiles cache = new OpenFiles(VALID, 10, clock);
            long stamp = cache.stamp();
            LocalFile opened = (LocalFile) storage.open(FILE).orElseThrow();
            cache.forget("some/other/file");   // a write through Keyhole while this open was under way
            cache.keep(FILE, opened, stamp);
            assertEquals(0, cache.size(), "what an open saw before a write is not kept");
            cache.keep(FILE, opened, cache.stamp());
            assertEquals(1, cache.size());
            opened.close();
            cache.close();
        }
    }

    @Test
    void oneDescriptorIsSharedAndClosedByItsLastUser() throws IOException {
        long before = FileRaces.openDescriptors();
        LocalStorage storage = storage(root, 10);
        OpenedFile first = storage.open(FILE).orElseThrow();
        long withFirst = FileRaces.openDescriptors();
        OpenedFile second = storage.open(FILE).orElseThrow();
        assertEquals(withFirst, FileRaces.openDescriptors(), "the second request shares the kept descriptor");
        first.close();
        first.close();   // idempotent: the other users keep it
        assertEquals(INSIDE, read(second));
        assertThrows(ClosedChannelException.class, () -> first.range(0, 1));
        storage.close();
        assertEquals(INSIDE, read(second), "a file handed out stays readable after the storage closed");
        second.close();
        assertTrue(FileRaces.openDescriptors() <= before, "the last user closed the descriptor");
    }

    @Test
    void theCacheIsBounded() throws IOException {
        for (int i = 0; i < 100; i++) {
            Files.writeString(root.resolve("a/b/c/f" + i), "file " + i);
        }
        long before = FileRaces.openDescriptors();
        try (LocalStorage storage = storage(root, 16)) {
            for (int i = 0; i < 100; i++) {
                assertEquals("file " + i, outcome(storage, "a/b/c/f" + i));
            }
            long opened = FileRaces.openDescriptors() - before;
            // at most 16 files, plus the held root and a, a/b, a/b/c (two each)
            assertTrue(opened <= 16 + 8, opened + " descriptors open");
        }
        assertTrue(FileRaces.openDescriptors() <= before, "closing the storage closes every kept file");
    }

    @Test
    void aSmallKeptFileIsServedFromMemoryAsItWasOpened() throws IOException {
        try (LocalStorage storage = storage(root, 10)) {
            assertEquals(INSIDE, outcome(storage, FILE));
            String other = "X".repeat(INSIDE.length());
            overwriteInPlace(root.resolve(FILE), other);
            assertEquals(INSIDE, outcome(storage, FILE),
                    "a file rewritten in place behind Keyhole's back: the bytes read when it was opened, matching its size");
            try (OpenedFile file = storage.open(FILE).orElseThrow()) {
                assertEquals(INSIDE, written(file, 0, file.size()));
                assertEquals(INSIDE.substring(3, 9), written(file, 3, 6));
                assertThrows(IllegalArgumentException.class, () -> file.writeTo(INSIDE.length() - 1, 2, new ByteArrayOutputStream()));
            }
            clock.advance(VALID);
            assertEquals(other, outcome(storage, FILE), "once its time is up the file is read afresh");
        }
    }

    @Test
    void aKeptFileWhoseBodyNobodyReadIsNotReadIntoMemory() throws IOException {
        try (LocalStorage storage = storage(root, 10)) {
            storage.open(FILE).orElseThrow().close(); // kept; its body never read (a 304, a front server sending it)
            String other = "Y".repeat(INSIDE.length());
            overwriteInPlace(root.resolve(FILE), other);
            assertEquals(other, outcome(storage, FILE), "the bytes come from the first read of the body");
            overwriteInPlace(root.resolve(FILE), INSIDE);
            assertEquals(other, outcome(storage, FILE), "and stay as they were read");
        }
    }

    @Test
    void aLargerFileIsKeptOpenButReadFromItsDescriptor() throws IOException {
        String big = "b".repeat(OpenFiles.LARGEST_CONTENT + 1);
        Files.writeString(root.resolve(FILE), big);
        try (LocalStorage storage = storage(root, 10)) {
            assertEquals(big, outcome(storage, FILE));
            String other = "c".repeat(big.length());
            overwriteInPlace(root.resolve(FILE), other);
            try (OpenedFile file = storage.open(FILE).orElseThrow()) {
                assertEquals(other, read(file), "the same descriptor, read again: what is in the file now");
                assertEquals(other.substring(0, 10), written(file, 0, 10));
            }
        }
    }

    @Test
    void keptBytesStayWithinTheirBudgetAndLeaveWithTheirFiles() throws IOException {
        for (String name : List.of("one", "two", "six")) {
            Files.writeString(root.resolve("a/b/c/" + name), INSIDE);
        }
        int each = INSIDE.length();
        OpenFiles files = new OpenFiles(VALID, 10, clock, 2L * each);
        try (LocalStorage plain = new LocalStorage(root)) {
            for (String name : List.of("one", "two", "six")) {
                try (OpenedFile opened = plain.open("a/b/c/" + name).orElseThrow()) {
                    files.keep("a/b/c/" + name, (LocalFile) opened, files.stamp());
                }
            }
            assertEquals(3, files.size(), "every file is kept open");
            assertEquals(2L * each, files.contentBytes(), "the bytes of only as many as the budget holds");
            overwriteInPlace(root.resolve("a/b/c/six"), "X".repeat(each));
            try (OpenedFile six = files.get("a/b/c/six")) {
                assertEquals("X".repeat(each), read(six), "beyond the budget a file is read from its descriptor");
            }
            files.forget("a/b/c/one");
            assertEquals(each, files.contentBytes());
        } finally {
            files.close();
        }
        assertEquals(0, files.contentBytes(), "closed, it keeps nothing");
    }

    private static void overwriteInPlace(Path file, String text) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes, bytes.position());
            }
        }
    }

    private static String written(OpenedFile file, long first, long length) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        file.writeTo(first, length, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void settingsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new LocalStorage(root, LocalStorage.DEFAULT_OPEN_BOUND,
                Duration.ofSeconds(-1), 10, clock));
        assertThrows(IllegalArgumentException.class, () -> new LocalStorage(root, LocalStorage.DEFAULT_OPEN_BOUND,
                VALID, 0, clock));
        // another storage decides for itself when it starts (a bucket keeps small objects)
        assertEquals(VALID, StorageSettings.builder().kind("s3").openCacheValid(VALID).build().openCache().valid());
    }
}
