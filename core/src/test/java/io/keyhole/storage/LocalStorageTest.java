package io.keyhole.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.internal.Watchdog;
import io.keyhole.testing.FileRaces;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The local storage opens once and serves what it opened: one row per kind of thing found at a
 * file's place or on the way to it, then the races the attack review ran (a directory swapped
 * for a link to outside, a FIFO swapped in, a file replaced or deleted after it was opened).
 */
class LocalStorageTest {

    static final String FILE = "a/b/c/file";
    static final String INSIDE = "inside the root";
    static final String OUTSIDE = "OUTSIDE THE ROOT";

    @TempDir
    Path dir;
    Path root;
    Path outside;

    @BeforeEach
    void trees() throws IOException {
        // The same layout twice, with different bytes: outside is what a link swapped in would lead to.
        root = Files.createDirectories(dir.resolve("root"));
        outside = Files.createDirectories(dir.resolve("outside"));
        for (Path base : List.of(root, outside)) {
            Files.createDirectories(base.resolve("a/b/c"));
            Files.writeString(base.resolve(FILE), base == root ? INSIDE : OUTSIDE);
        }
        Files.writeString(root.resolve("a/b/c/other"), INSIDE);
    }

    static String read(OpenedFile file) throws IOException {
        return read(file, 0, file.size());
    }

    static String read(OpenedFile file, long first, long length) throws IOException {
        ByteBuffer all = ByteBuffer.allocate((int) length);
        try (ReadableByteChannel in = file.range(first, length)) {
            while (in.read(all) >= 0) {
                assertTrue(all.position() <= length);
            }
        }
        return new String(all.array(), 0, all.position(), StandardCharsets.UTF_8);
    }

    /** What {@code open} gives: the bytes, {@code empty}, or the exception's simple name. */
    static String outcome(LocalStorage storage, String relative) {
        try {
            Optional<OpenedFile> opened = storage.open(relative);
            if (opened.isEmpty()) {
                return "empty";
            }
            try (OpenedFile file = opened.get()) {
                return read(file);
            }
        } catch (IOException e) {
            return e.getClass().getSimpleName();
        }
    }

    /** What may be at a file's place or on the way to it, and what opening {@link #FILE} gives then. */
    enum Place {
        // served
        REGULAR_FILE(INSIDE) {
            @Override
            void arrange(LocalStorageTest t) {
            }
        },
        ROOT_IS_A_LINK(INSIDE) {
            // the root itself may be a link (a deployment switch); only what lies below is walked
            @Override
            void arrange(LocalStorageTest t) throws IOException {
                Path real = t.dir.resolve("release-1");
                Files.move(t.root, real);
                Files.createSymbolicLink(t.root, real);
            }
        },
        // refused: nothing there
        MISSING("empty") {
            @Override
            void arrange(LocalStorageTest t) throws IOException {
                Files.delete(t.root.resolve(FILE));
            }
        },
        MISSING_DIRECTORY("empty") {
            @Override
            void arrange(LocalStorageTest t) throws IOException {
                delete(t.root.resolve("a/b"));
            }
        },
        NO_ROOT("empty") {
            @Override
            void arrange(LocalStorageTest t) throws IOException {
                delete(t.root);
            }
        },
        // refused: not a regular file
        DIRECTORY("empty") {
            @Override
            void arrange(LocalStorageTest t) throws IOException {
                Files.delete(t.root.resolve(FILE));
                Files.createDirectory(t.root.resolve(FILE));
            }
        },
        FIFO("empty") {
            // opening it would block until a writer came: it is looked at, never opened
            @Override
            void arrange(LocalStorageTest t) throws Exception {
                Files.delete(t.root.resolve(FILE));
                FileRaces.mkfifo(t.root.resolve(FILE));
            }
        },
        FIFO_FOR_A_DIRECTORY("empty") {
            @Override
            void arrange(LocalStorageTest t) throws Exception {
                delete(t.root.resolve("a/b/c"));
                FileRaces.mkfifo(t.root.resolve("a/b/c"));
            }
        },
        // refused: a link below the root, wherever it leads
        LINKED_FILE_INSIDE("empty") {
            @Override
            void arrange(LocalStorageTest t) throws IOException {
                Files.delete(t.root.resolve(FILE));
                Files.createSymbolicLink(t.root.resolve(FILE), t.root.resolve("a/b/c/other"));
            }
        },
        LINKED_FILE_OUTSIDE("empty") {
            @Override
            void arrange(LocalStorageTest t) throws IOException {
                Files.delete(t.root.resolve(FILE));
                Files.createSymbolicLink(t.root.resolve(FILE), t.outside.resolve(FILE));
            }
        },
        LINKED_DIRECTORY_INSIDE("empty") {
            @Override
            void arrange(LocalStorageTest t) throws IOException {
                Files.move(t.root.resolve("a/b"), t.root.resolve("a/b-real"));
                Files.createSymbolicLink(t.root.resolve("a/b"), t.root.resolve("a/b-real"));
            }
        },
        LINKED_DIRECTORY_OUTSIDE("empty") {
            @Override
            void arrange(LocalStorageTest t) throws IOException {
                delete(t.root.resolve("a/b"));
                Files.createSymbolicLink(t.root.resolve("a/b"), t.outside.resolve("a/b"));
            }
        },
        DANGLING_LINK("empty") {
            @Override
            void arrange(LocalStorageTest t) throws IOException {
                Files.delete(t.root.resolve(FILE));
                Files.createSymbolicLink(t.root.resolve(FILE), t.dir.resolve("nowhere"));
            }
        },
        // a damaged tree is not "no such file": it must show
        FILE_FOR_A_DIRECTORY("FileSystemException") {
            @Override
            void arrange(LocalStorageTest t) throws IOException {
                delete(t.root.resolve("a/b"));
                Files.writeString(t.root.resolve("a/b"), "a file where the tree has a directory");
            }
        };

        final String expected;

        Place(String expected) {
            this.expected = expected;
        }

        abstract void arrange(LocalStorageTest t) throws Exception;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Place.class)
    void opensOnlyARegularFileReachedWithoutLinks(Place place) throws Exception {
        place.arrange(this);
        long rescues = OpenRescue.started();
        assertEquals(place.expected, outcome(new LocalStorage(root), FILE));
        assertEquals(rescues, OpenRescue.started(), "nothing blocked: a FIFO is refused when looked at");
    }

    @Test
    void whatWasOpenedIsWhatIsRead() throws IOException {
        Instant mtime = Instant.parse("2015-10-21T07:28:00Z");
        Files.setLastModifiedTime(root.resolve(FILE), FileTime.from(mtime));
        try (OpenedFile file = new LocalStorage(root).open(FILE).orElseThrow()) {
            assertEquals(FILE, file.relativePath());
            assertEquals(INSIDE.length(), file.size());
            assertEquals(mtime, file.lastModified());
            assertEquals(root.resolve(FILE), file.localPath().orElseThrow());
            assertTrue(file.fileChannel().isPresent());
            assertEquals("side", read(file, 2, 4));
            assertEquals("", read(file, file.size(), 0));
            assertThrows(IllegalArgumentException.class, () -> file.range(10, file.size()));
            assertThrows(IllegalArgumentException.class, () -> file.range(-1, 1));
        }
    }

    @Test
    void aFileReplacedAfterItWasOpenedServesTheOpenedOne() throws IOException {
        LocalStorage storage = new LocalStorage(root);
        try (OpenedFile file = storage.open(FILE).orElseThrow()) {
            Path next = Files.writeString(root.resolve("a/b/c/.next"), "the replacement, longer");
            Files.move(next, root.resolve(FILE), StandardCopyOption.ATOMIC_MOVE);
            assertEquals(INSIDE.length(), file.size());
            assertEquals(INSIDE, read(file));
        }
        assertEquals("the replacement, longer", outcome(storage, FILE), "the next open sees the new file");
    }

    @Test
    void aFileDeletedAfterItWasOpenedIsStillRead() throws IOException {
        try (OpenedFile file = new LocalStorage(root).open(FILE).orElseThrow()) {
            Files.delete(root.resolve(FILE));
            assertEquals(INSIDE, read(file));
        }
    }

    @Test
    void aTruncatedFileEndsItsRangeEarly() throws IOException {
        try (OpenedFile file = new LocalStorage(root).open(FILE).orElseThrow()) {
            try (SeekableByteChannel writer = Files.newByteChannel(root.resolve(FILE), StandardOpenOption.WRITE)) {
                writer.truncate(3);
            }
            assertEquals("ins", read(file), "the reader sees the end early and must not pad");
        }
    }

    @Test
    void aClosedFileIsNotRead() throws IOException {
        OpenedFile file = new LocalStorage(root).open(FILE).orElseThrow();
        file.close();
        file.close();
        assertThrows(IOException.class, () -> file.range(0, 1));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"", "/a", "a/", "a//b", "./a", "a/../b", "..", "a\\b"})
    void aPathThatIsNotPlainSegmentsIsACallersBug(String relative) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LocalStorage(root).open(relative));
        assertTrue(e.getMessage().contains('"' + relative + '"'), e.getMessage());
    }

    @Test
    void theOpenBoundMustBePositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LocalStorage(root, Duration.ZERO));
        assertEquals("openBound must be positive, was PT0S", e.getMessage());
        assertEquals("local " + root, new LocalStorage(root).describe());
    }

    @Test
    void theRescueReleasesAReaderBlockedOnAFifo() throws Exception {
        // What happens when a FIFO is swapped in between the look and the open, made certain.
        Path fifo = FileRaces.mkfifo(dir.resolve("fifo"));
        long nanos = TimeUnit.MILLISECONDS.toNanos(20);
        OpenRescue rescue = new OpenRescue(
                () -> Files.newByteChannel(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE).close(),
                fifo, null, nanos);
        Watchdog.Deadline deadline = Watchdog.shared().after(nanos, rescue);
        try (SeekableByteChannel reader = Files.newByteChannel(fifo, StandardOpenOption.READ)) {
            assertTrue(deadline.fired(), "only the rescue's writer lets this open return");
            assertEquals(-1, reader.read(ByteBuffer.allocate(1)), "and it wrote nothing");
        } finally {
            rescue.returned();
        }
        assertEquals(List.of(), FileRaces.joinThreadsNamed("keyhole-open-rescue", 30));
    }

    /**
     * Attack 1: a directory of the tree exchanged with a link to an outside directory that holds a
     * file of the same name, over and over, while the file is opened. Not one byte from outside.
     * The same race served outside bytes to a plain open of the path, which shows it is a race.
     */
    @Test
    void aDirectorySwappedForALinkNeverLeadsOutside() throws Exception {
        Path b = root.resolve("a/b");
        Path parked = root.resolve("a/.b-parked");
        Path link = Files.createSymbolicLink(root.resolve("a/.b-link"), outside.resolve("a/b"));
        LocalStorage storage = new LocalStorage(root);
        long descriptors = FileRaces.openDescriptors();
        int served = 0;
        int refused = 0;
        int plainOutside = 0;
        try (FileRaces.Swapper swapper = new FileRaces.Swapper("swap a/b for a link", () -> {
            Files.move(b, parked, StandardCopyOption.ATOMIC_MOVE);
            Files.move(link, b, StandardCopyOption.ATOMIC_MOVE);
            Files.move(b, link, StandardCopyOption.ATOMIC_MOVE);
            Files.move(parked, b, StandardCopyOption.ATOMIC_MOVE);
        })) {
            for (int i = 0; i < 10_000 && swapper.running(); i++) {
                String got = outcome(storage, FILE);
                switch (got) {
                    case INSIDE -> served++;
                    case "empty" -> refused++;
                    default -> throw new AssertionError("request " + i + " got " + got);
                }
                if (i % 4 == 0 && plainOutside == 0) {
                    try {
                        plainOutside += Files.readString(b.resolve("c/file")).equals(OUTSIDE) ? 1 : 0;
                    } catch (IOException e) {
                        // mid-swap: nothing at that name just now
                    }
                }
            }
            assertTrue(swapper.rounds() > 100, "the swap ran " + swapper.rounds() + " times");
        }
        assertEquals(10_000, served + refused);
        assertTrue(served > 0 && refused > 0, served + " served, " + refused + " refused: both sides of the race were hit");
        assertTrue(plainOutside > 0, "a plain open would have served the outside file");
        storage.close(); // the directories it holds open go with it
        assertTrue(FileRaces.openDescriptors() <= descriptors, "no descriptor left behind");
    }

    /**
     * Attack 2: a FIFO swapped in at the file's name, over and over, while the file is opened.
     * Every open returns (404 or the file), opens that blocked were released, and nothing is left
     * blocked or open.
     */
    @Test
    void aFifoSwappedInNeverHoldsAThread() throws Exception {
        Path file = root.resolve(FILE);
        Path parked = root.resolve("a/b/c/.file-parked");
        Path fifo = FileRaces.mkfifo(root.resolve("a/b/c/.fifo"));
        LocalStorage storage = new LocalStorage(root, Duration.ofMillis(20));
        long descriptors = FileRaces.openDescriptors();
        long rescues = OpenRescue.started();
        int served = 0;
        int refused = 0;
        int opens = 0;
        try (FileRaces.Swapper swapper = new FileRaces.Swapper("swap the file for a FIFO", () -> {
            Files.move(file, parked, StandardCopyOption.ATOMIC_MOVE);
            Files.move(fifo, file, StandardCopyOption.ATOMIC_MOVE);
            Files.move(file, fifo, StandardCopyOption.ATOMIC_MOVE);
            Files.move(parked, file, StandardCopyOption.ATOMIC_MOVE);
        })) {
            // Until a few opens have hit the window and been rescued and one has found the file in
            // place; bounded either way. (On a busy machine the swapper may sit descheduled at one
            // step for a whole time slice of this thread's opens: 2,000 may all find the file away.)
            for (; opens < 50_000 && (opens < 2_000 || OpenRescue.started() - rescues < 3 || served == 0)
                    && swapper.running(); opens++) {
                String got = outcome(storage, FILE);
                switch (got) {
                    case INSIDE -> served++;
                    case "empty" -> refused++;
                    default -> throw new AssertionError("open " + opens + " got " + got);
                }
            }
        }
        assertEquals(opens, served + refused, "every open returned");
        assertTrue(served > 0, served + " served");
        assertTrue(OpenRescue.started() > rescues, "some opens hit a FIFO and were released (" + opens + " opens)");
        assertEquals(List.of(), FileRaces.joinThreadsNamed("keyhole-open-rescue", 30), "every rescue ended");
        assertEquals(List.of(), FileRaces.threadsInOpen(), "no thread is blocked in open");
        storage.close(); // the directories it holds open go with it
        assertTrue(FileRaces.openDescriptors() <= descriptors, "no descriptor left behind");
    }

    /** The same FIFO race one level up: at a directory's place. Directories are opened so no FIFO can block. */
    @Test
    void aFifoSwappedInForADirectoryNeverHoldsAThread() throws Exception {
        Path c = root.resolve("a/b/c");
        Path parked = root.resolve("a/b/.c-parked");
        Path fifo = FileRaces.mkfifo(root.resolve("a/b/.fifo"));
        // A generous bound: nothing here may block, and a busy machine must not look as if something had.
        LocalStorage storage = new LocalStorage(root, Duration.ofSeconds(10));
        long descriptors = FileRaces.openDescriptors();
        long rescues = OpenRescue.started();
        int served = 0;
        int refused = 0;
        try (FileRaces.Swapper swapper = new FileRaces.Swapper("swap a/b/c for a FIFO", () -> {
            Files.move(c, parked, StandardCopyOption.ATOMIC_MOVE);
            Files.move(fifo, c, StandardCopyOption.ATOMIC_MOVE);
            Files.move(c, fifo, StandardCopyOption.ATOMIC_MOVE);
            Files.move(parked, c, StandardCopyOption.ATOMIC_MOVE);
        })) {
            for (int i = 0; i < 10_000 && swapper.running(); i++) {
                String got = outcome(storage, FILE);
                switch (got) {
                    case INSIDE -> served++;
                    case "empty" -> refused++;
                    default -> throw new AssertionError("open " + i + " got " + got);
                }
            }
        }
        assertEquals(10_000, served + refused);
        assertTrue(served > 0 && refused > 0, served + " served, " + refused + " refused");
        assertEquals(rescues, OpenRescue.started(), "a directory's open never blocks, so nothing needed releasing");
        assertEquals(List.of(), FileRaces.threadsInOpen(), "no thread is blocked in open");
        storage.close(); // the directories it holds open go with it
        assertTrue(FileRaces.openDescriptors() <= descriptors, "no descriptor left behind (the JDK leaks one per"
                + " non-directory it opens as a directory)");
    }

    /** Without directory descriptors (another file system provider) the older checks still refuse links. */
    @Test
    void aFileSystemWithoutDirectoryDescriptorsIsCheckedByRealPath() throws IOException {
        Path recorded = io.keyhole.testing.RecordingFileSystem.wrap(root);
        LocalStorage storage = new LocalStorage(recorded);
        assertEquals(INSIDE, outcome(storage, FILE));
        try (OpenedFile file = storage.open(FILE).orElseThrow()) {
            assertEquals(recorded.resolve(FILE), file.localPath().orElseThrow());
        }
        Files.createSymbolicLink(root.resolve("a/b/c/link"), root.resolve(FILE));
        assertEquals("empty", outcome(storage, "a/b/c/link"), "a link inside the root");
        delete(root.resolve("a/b"));
        Files.createSymbolicLink(root.resolve("a/b"), outside.resolve("a/b"));
        assertEquals("empty", outcome(storage, FILE), "a link to outside");
        assertFalse(io.keyhole.testing.RecordingFileSystem.of(recorded).operations().stream()
                .anyMatch(op -> op.startsWith("newDirectoryStream")), "no directory descriptors were tried");
    }

    /** Deletes {@code path} and everything below it; links are deleted, not followed. */
    static void delete(Path path) throws IOException {
        try (Stream<Path> all = Files.walk(path)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void readsAreOfTheWholeRange() throws IOException {
        byte[] big = new byte[300_000];
        new java.util.Random(7).nextBytes(big);
        Files.write(root.resolve(FILE), big);
        try (OpenedFile file = new LocalStorage(root).open(FILE).orElseThrow()) {
            ByteBuffer all = ByteBuffer.allocate(big.length);
            try (ReadableByteChannel in = file.range(0, big.length)) {
                ByteBuffer chunk = ByteBuffer.allocate(8192);
                int n;
                while ((n = in.read(chunk.clear())) >= 0) {
                    all.put(chunk.flip());
                    assertTrue(n > 0);
                }
            }
            assertArrayEquals(big, all.array());
        }
    }
}
