package io.keyhole.tree;

import static io.keyhole.tree.TreeFiles.list;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.FileId;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A store whose process is killed mid-write leaves no file at any id, and its leftover is found and removed. */
class KilledStoreTest {

    static final long MILLIS = 1_795_342_530_123L;
    static final long GATE = 64L << 20;
    static final long TOTAL = 512L << 20;

    @TempDir
    Path dir;

    @Test
    void aKilledStoreLeavesOnlyATempFileThatCleanupRemoves() throws Exception {
        HashedTree tree = new HashedTree(dir, 2);
        FileId id = FileIds.of("big.bin", MILLIS, "", "child");
        Path idDir = tree.pathOf(id).getParent();

        Process child = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                StoreUntilKilled.class.getName(),
                dir.toString(), "2", Long.toString(MILLIS), "child", "big.bin", Long.toString(GATE), Long.toString(TOTAL))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).get(120, TimeUnit.SECONDS);
            assertEquals("at the gate after " + GATE + " bytes", line);

            // Mid-write: the temp file holds what was written so far, and the id is not there.
            List<String> during = list(dir);
            assertEquals(1, during.size(), during.toString());
            Path temp = dir.resolve(during.get(0));
            assertEquals(idDir, temp.getParent());
            assertTrue(TempFile.isTempName(temp.getFileName().toString()), temp.toString());
            assertEquals(GATE, Files.size(temp));
            assertFalse(Files.exists(tree.pathOf(id)));

            // The child holds the temp file's lock: another process sees a store at work, not a leftover.
            FileStore store = FileStore.builder(tree).build();
            TreeCheck check = store.check();
            assertEquals(1, check.tempFilesInUse());
            assertTrue(check.isClean(), check.problems().toString());
            assertEquals(List.of(), store.cleanup());
            assertTrue(Files.exists(temp));

            child.destroyForcibly();
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child ended");

            // Killed: no id points at anything, the temp file is a leftover, reported as such.
            assertFalse(Files.exists(tree.pathOf(id)));
            assertEquals(List.of(tree.root().relativize(temp).toString()), list(dir));
            TreeCheck after = store.check();
            assertEquals(0, after.tempFilesInUse());
            assertEquals(List.of(TreeProblem.Kind.LEFTOVER_TEMP_FILE), after.problems().stream().map(TreeProblem::kind).toList());
            assertEquals(temp, after.problems().get(0).path());

            assertEquals(List.of(temp), store.cleanup().stream().map(TreeProblem::path).toList());
            assertEquals(List.of(), list(dir));
            assertTrue(store.check().isClean());
        } finally {
            child.destroyForcibly();
            child.waitFor(60, TimeUnit.SECONDS);
        }
    }
}
