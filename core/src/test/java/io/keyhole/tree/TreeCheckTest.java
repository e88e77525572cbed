package io.keyhole.tree;

import static io.keyhole.tree.TreeFiles.list;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.FileId;
import io.keyhole.StoredMetadata;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreeCheckTest {

    @TempDir
    Path dir;

    @Test
    void aTreeOfStoredFilesIsClean() throws IOException {
        HashedTree tree = new HashedTree(dir, 2);
        tree.create();
        FileStore store = FileStore.builder(tree).clock(FileStoreTest.CLOCK).build();
        for (int i = 0; i < 5; i++) {
            store.store(new ByteArrayInputStream(new byte[i]), Upload.of("same.txt"));
        }
        TreeCheck check = store.check();
        assertTrue(check.isClean(), check.problems().toString());
        assertEquals(5, check.files());
        assertEquals(0, check.tempFilesInUse());
    }

    @Test
    void reportsWhatIsOutOfPlace() throws IOException {
        HashedTree tree = new HashedTree(dir, 2);
        tree.create();
        Files.writeString(dir.resolve("a/b/abcdef"), "right place");
        Files.writeString(dir.resolve("a/b/abcdef.0"), "right place, with a counter");
        Files.writeString(dir.resolve("a/c/abcdef.1"), "wrong place");
        Files.writeString(Files.createDirectories(dir.resolve("a/b/c")).resolve("abcdef"), "one level too deep");
        Files.writeString(dir.resolve("0/0/0"), "an id shorter than the depth");
        Files.writeString(dir.resolve("notes.txt"), "no id");
        Files.writeString(dir.resolve("f/f/ABCDEF"), "upper case is no id");
        Files.writeString(dir.resolve("0/1/" + TempFile.PREFIX + "1-1" + TempFile.SUFFIX), "left by a crash");

        TreeCheck check = FileStore.builder(tree).build().check();
        assertEquals(List.of(
                "misplaced 0/0/0 (an id needs at least 2 hex digits in a tree of depth 2)",
                "leftover-temp-file 0/1/.keyhole-1-1.tmp (no store is writing it; fsck --repair or FileStore.cleanup() removes it)",
                "misplaced a/b/c/abcdef (belongs at a/b/abcdef)",
                "misplaced a/c/abcdef.1 (belongs at a/b/abcdef.1)",
                "not-an-id f/f/ABCDEF (nothing can ask for it)",
                "not-an-id notes.txt (nothing can ask for it)"),
                check.problems().stream().map(TreeProblem::toString).toList());
        assertEquals(8, check.files());
        assertEquals(dir.resolve("a/c/abcdef.1"), check.problems().get(3).path());
        assertEquals(TreeProblem.Kind.MISPLACED, check.problems().get(3).kind());
    }

    @Test
    void cleanupRemovesLeftoversOnlyAndLeavesARunningStoreAlone() throws Exception {
        HashedTree tree = new HashedTree(dir, 2);
        tree.create();
        FileStore store = FileStore.builder(tree).clock(FileStoreTest.CLOCK).build();
        Path leftover = Files.writeString(dir.resolve("e/e/" + TempFile.PREFIX + "999999-7" + TempFile.SUFFIX), "crash");
        Files.writeString(dir.resolve("stray"), "not an id: reported, never removed");

        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            Future<StoredMetadata> running = executor.submit(() -> store.store(
                    TreeFiles.gated(new byte[100_000], reached, gate, new byte[1000]), Upload.of("slow.bin")));
            assertTrue(reached.await(30, TimeUnit.SECONDS), "the store started");

            TreeCheck during = store.check();
            assertEquals(1, during.tempFilesInUse(), "the running store's temp file");
            assertEquals(List.of(TreeProblem.Kind.LEFTOVER_TEMP_FILE, TreeProblem.Kind.NOT_AN_ID),
                    during.problems().stream().map(TreeProblem::kind).toList());

            List<TreeProblem> removed = store.cleanup();
            assertEquals(List.of(leftover), removed.stream().map(TreeProblem::path).toList());
            assertFalse(Files.exists(leftover));
            assertTrue(Files.exists(dir.resolve("stray")));
            assertEquals(1, store.check().tempFilesInUse(), "the running store's file survived");

            gate.countDown();
            StoredMetadata stored = running.get(30, TimeUnit.SECONDS);
            assertEquals(101_000, Files.size(tree.pathOf(stored.id())));
        } finally {
            gate.countDown();
            executor.shutdownNow();
        }
        TreeCheck after = store.check();
        assertEquals(0, after.tempFilesInUse());
        assertEquals(List.of("stray"), after.problems().stream().map(TreeProblem::relativePath).toList());
        assertEquals(List.of(tree.relativePathOf(FileIds.of("slow.bin", FileStoreTest.NOW.toEpochMilli(), "",
                FileIds.defaultInstance())), "stray"), list(dir));
    }

    @Test
    void aMissingRootIsAnError() {
        FileStore store = FileStore.builder(new HashedTree(dir.resolve("absent"), 2)).build();
        assertThrows(NoSuchFileException.class, store::check);
        assertThrows(NoSuchFileException.class, store::cleanup);
    }

    @Test
    void anIdNamingADirectoryIsCheckedBelow() throws IOException {
        HashedTree tree = new HashedTree(dir, 1);
        Files.createDirectories(tree.pathOf(FileId.parse("ab")));
        Files.writeString(tree.pathOf(FileId.parse("ab")).resolve("inner"), "x");
        assertEquals(List.of("not-an-id a/ab/inner (nothing can ask for it)"),
                FileStore.builder(tree).build().check().problems().stream().map(TreeProblem::toString).toList());
    }
}
