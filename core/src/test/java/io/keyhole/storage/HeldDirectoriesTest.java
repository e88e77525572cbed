package io.keyhole.storage;

import static io.keyhole.storage.LocalStorageTest.FILE;
import static io.keyhole.storage.LocalStorageTest.INSIDE;
import static io.keyhole.storage.LocalStorageTest.outcome;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.testing.FileRaces;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
