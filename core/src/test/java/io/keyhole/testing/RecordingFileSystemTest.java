package io.keyhole.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fixture itself: a test that trusts "nothing was touched" must be able to trust the recorder. */
class RecordingFileSystemTest {

    @TempDir
    Path dir;

    @Test
    void pathArithmeticRecordsNothing() {
        RecordingFileSystem fs = new RecordingFileSystem();
        Path root = fs.path(dir);
        Path file = root.resolve("a/b/c").normalize().toAbsolutePath();
        assertEquals(root, file.getParent().getParent().getParent());
        assertEquals("a/b/c", root.relativize(file).toString());
        assertTrue(file.startsWith(root));
        assertEquals(dir.resolve("a/b/c").toString(), file.toString());
        assertSame(fs, file.getFileSystem());
        assertSame(fs, RecordingFileSystem.of(file));
        assertEquals(List.of(), fs.operations());
    }

    @Test
    void everyDiskAccessIsRecorded() throws IOException {
        RecordingFileSystem fs = new RecordingFileSystem();
        Path root = fs.path(dir);
        Path file = root.resolve("f.txt");

        Files.writeString(file, "hello");
        assertEquals("hello", Files.readString(file));
        assertTrue(Files.exists(file));
        assertTrue(Files.isRegularFile(file));
        assertEquals(5, Files.size(file));
        file.toRealPath();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            assertEquals(5, channel.size());
        }
        try (Stream<Path> list = Files.list(root)) {
            assertEquals(List.of(file), list.toList());
        }
        Files.createDirectory(root.resolve("d"));
        Files.delete(root.resolve("d"));

        String f = dir.resolve("f.txt").toString();
        List<String> ops = fs.operations();
        assertTrue(ops.contains("newByteChannel " + f) || ops.contains("newOutputStream " + f), ops.toString());
        assertTrue(ops.contains("readAttributes " + f), ops.toString());
        assertTrue(ops.contains("toRealPath " + f), ops.toString());
        assertTrue(ops.contains("newFileChannel " + f), ops.toString());
        assertTrue(ops.contains("newDirectoryStream " + dir), ops.toString());
        assertTrue(ops.contains("createDirectory " + dir.resolve("d")), ops.toString());
        assertTrue(ops.contains("delete " + dir.resolve("d")), ops.toString());

        assertEquals(List.of("createDirectory " + dir.resolve("d"), "delete " + dir.resolve("d")),
                fs.operationsUnder(dir.resolve("d")));
        assertEquals(List.of(), fs.operationsUnder(root.resolve("elsewhere")));
        fs.clear();
        assertEquals(List.of(), fs.operations());
    }

    @Test
    void wrappedPathsCannotEscapeToTheDefaultFileSystem() {
        Path root = RecordingFileSystem.wrap(dir);
        assertThrows(UnsupportedOperationException.class, root::toFile, "no java.io.File");
        assertThrows(ProviderMismatchException.class, () -> root.resolve(dir));
        assertThrows(ProviderMismatchException.class, () -> root.resolve(new RecordingFileSystem().path(dir)));
        assertThrows(IllegalArgumentException.class, () -> RecordingFileSystem.of(dir));
    }
}
