package io.keyhole.storage;

import static io.keyhole.storage.LocalStorageTest.FILE;
import static io.keyhole.storage.LocalStorageTest.INSIDE;
import static io.keyhole.storage.LocalStorageTest.outcome;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.testing.FileRaces;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The directories {@link LocalStorage} keeps open between requests: held, used again, bounded,
 * closed with the storage, and never used once their name names something else.
 */
class HeldDirectoriesTest {

    @TempDir
    Path dir;
    Path root;
    Path outside;

    @BeforeEach
    void trees() throws IOException {
        root = Files.createDirectories(dir.resolve("root"));
        outside = Files.createDirectories(dir.resolve("outside"));
        for (Path base : List.of(root, outside)) {
            Files.createDirectories(base.resolve("a/b/c"));
            Files.writeString(base.resolve(FILE), base == root ? INSIDE : LocalStorageTest.OUTSIDE);
        }
    }

    @Test
    void theWayIsHeldOpenUsedAgainAndClosedWithTheStorage() throws IOException {
        long before = FileRaces.openDescriptors();
        LocalStorage storage = new LocalStorage(root);
        assertEquals(INSIDE, outcome(storage, FILE));
        long holding = FileRaces.openDescriptors();
        for (int i = 0; i < 200; i++) {
            assertEquals(INSIDE, outcome(storage, FILE));
        }
        assertEquals(holding, FileRaces.openDescriptors(), "the same directories serve every request");
        assertTrue(holding > before, "the root and a, a/b, a/b/c are held");
        storage.close();
        assertTrue(FileRaces.openDescriptors() <= before, "closing the storage closes what it held");
    }

    @Test
    void aHeldDirectoryMovedAwayIsNotUsedForItsName() throws IOException {
        try (LocalStorage storage = new LocalStorage(root)) {
            assertEquals(INSIDE, outcome(storage, FILE));
            Files.move(root.resolve("a/b"), root.resolve("a/b-old"), StandardCopyOption.ATOMIC_MOVE);
            assertEquals("empty", outcome(storage, FILE), "the held a/b is no longer what a/b names");
            Files.createDirectories(root.resolve("a/b/c"));
            Files.writeString(root.resolve(FILE), "the new one");
            assertEquals("the new one", outcome(storage, FILE));
        }
    }

    @Test
    void aHeldDirectorySwappedForALinkToOutsideIsRefused() throws IOException {
        try (LocalStorage storage = new LocalStorage(root)) {
            assertEquals(INSIDE, outcome(storage, FILE));
            Files.move(root.resolve("a/b"), root.resolve("a/b-parked"), StandardCopyOption.ATOMIC_MOVE);
            Files.createSymbolicLink(root.resolve("a/b"), outside.resolve("a/b"));
            assertEquals("empty", outcome(storage, FILE), "neither the held directory nor the link");
        }
    }

    @Test
    void aHeldTopDirectorySwappedForALinkToOutsideIsRefusedEvenWhenEverythingBelowIsHeld() throws IOException {
        try (LocalStorage storage = new LocalStorage(root)) {
            for (int i = 0; i < 3; i++) {
                assertEquals(INSIDE, outcome(storage, FILE), "a, a/b and a/b/c held and checked from the top");
            }
            Files.move(root.resolve("a"), root.resolve("a-parked"), StandardCopyOption.ATOMIC_MOVE);
            Files.createSymbolicLink(root.resolve("a"), outside.resolve("a"));
            assertEquals("empty", outcome(storage, FILE), "the held a/b/c is below a directory a no longer names");
            Files.delete(root.resolve("a"));
            Files.move(root.resolve("a-parked"), root.resolve("a"), StandardCopyOption.ATOMIC_MOVE);
            assertEquals(INSIDE, outcome(storage, FILE), "held afresh once a names it again");
        }
    }

    @Test
    void aRootThatIsALinkMayBeRepointed() throws IOException {
        Path current = Files.createSymbolicLink(dir.resolve("current"), root);
        Path next = Files.createDirectories(dir.resolve("next/a/b/c")).getParent().getParent().getParent();
        Files.writeString(next.resolve(FILE), "next release");
        try (LocalStorage storage = new LocalStorage(current)) {
            assertEquals(INSIDE, outcome(storage, FILE));
            Path tmp = Files.createSymbolicLink(dir.resolve("current.tmp"), next);
            Files.move(tmp, current, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            assertEquals("next release", outcome(storage, FILE));
        }
    }

    @Test
    void heldDirectoriesAreBounded() throws IOException {
        for (int i = 0; i < LocalStorage.MAX_HELD_DIRECTORIES + 200; i++) {
            Path leaf = Files.createDirectories(root.resolve("d/" + i));
            Files.writeString(leaf.resolve("f"), "x");
        }
        long before = FileRaces.openDescriptors();
        try (LocalStorage storage = new LocalStorage(root)) {
            for (int i = 0; i < LocalStorage.MAX_HELD_DIRECTORIES + 200; i++) {
                assertEquals("x", outcome(storage, "d/" + i + "/f"));
            }
            long held = FileRaces.openDescriptors() - before;
            // two descriptors each (the JDK duplicates one), and the root
            assertTrue(held <= 2L * LocalStorage.MAX_HELD_DIRECTORIES + 2, held + " descriptors held");
        }
    }
    /**
     * Directories in steady use stay held while a stream of others passes through the bound: an
     * eviction closes those unused since the pass before, the deepest level first, so neither a
     * hot file's directory nor an upper directory shared by the passing ones is closed.
     */
    @Test
    void directoriesInUseAndUpperLevelsSurviveEviction() throws IOException {
        int max = 16;
        Files.createDirectories(root.resolve("hot/x"));
        for (int i = 0; i < 4 * max; i++) {
            Files.createDirectories(root.resolve("cold/" + i));
        }
        try (HeldDirectories held = new HeldDirectories(max)) {
            SecureDirectoryStream<Path> top = held.root(root);
            SecureDirectoryStream<Path> hot = hold(held, "hot", null, top, "hot");
            SecureDirectoryStream<Path> hotX = hold(held, "hot/x", "hot", hot, "x");
            SecureDirectoryStream<Path> cold = hold(held, "cold", null, top, "cold");
            for (int i = 0; i < 4 * max; i++) {
                // a walk to a passing file's directory goes through the shared one first
                assertSame(cold, held.get("cold", top), "the upper level the passing ones share, at " + i);
                hold(held, "cold/" + i, "cold", cold, String.valueOf(i));
                assertSame(hotX, held.deepest("hot/x", top), "the hot directory, after " + i + " passing");
                assertTrue(held.size() <= max, held.size() + " held");
            }
            assertSame(hot, held.get("hot", top));
            long passingHeld = 0;
            for (int i = 0; i < 4 * max; i++) {
                passingHeld += held.get("cold/" + i, top) == null ? 0 : 1;
            }
            assertEquals(held.size() - 3, passingHeld, "the rest of what is held is passing directories");
        }
    }

    private static SecureDirectoryStream<Path> hold(HeldDirectories held, String path, String parentPath,
                                                    SecureDirectoryStream<Path> parent, String name) throws IOException {
        Path file = Path.of(name);
        SecureDirectoryStream<Path> opened = parent.newDirectoryStream(file, LinkOption.NOFOLLOW_LINKS);
        SecureDirectoryStream<Path> kept = held.hold(path, parentPath, parent, file, opened);
        assertSame(opened, kept, path + " held");
        return kept;
    }
}
