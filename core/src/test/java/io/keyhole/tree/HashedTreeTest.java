package io.keyhole.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.keyhole.FileId;
import io.keyhole.StoredFile;
import io.keyhole.testing.RecordingFileSystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HashedTreeTest {

    private static final FileId ID = FileId.parse("abcdef0123456789");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "depth {0}")
    @ValueSource(ints = {0, -1, HashedTree.MAX_DEPTH + 1})
    void depthOutOfRangeIsRejected(int depth) {
        assertThrows(IllegalArgumentException.class, () -> new HashedTree(dir, depth));
    }

    @Test
    void rootIsAbsoluteAndNormalised() {
        HashedTree tree = new HashedTree(dir.resolve("x/../fs"), 4);
        assertEquals(dir.resolve("fs"), tree.root());
        assertEquals(4, tree.depth());
        assertTrue(new HashedTree(Path.of("relative"), 1).root().isAbsolute());
    }

    @Test
    void pathKeepsTheWholeIdAsFileName() {
        // The seed's example: depth 4, abcdef0123456789 → /a/b/c/d/abcdef0123456789
        HashedTree tree = new HashedTree(dir, 4);
        assertEquals(dir.resolve("a/b/c/d/abcdef0123456789"), tree.pathOf(ID));
        assertEquals("a/b/c/d/abcdef0123456789", tree.relativePathOf(ID));
    }

    @Test
    void suffixStaysInTheFileName() {
        HashedTree tree = new HashedTree(dir, 2);
        FileId versioned = FileId.parse("abcdef0123456789.3");
        assertEquals(dir.resolve("a/b/abcdef0123456789.3"), tree.pathOf(versioned));
        assertEquals("a/b/abcdef0123456789.3", tree.relativePathOf(versioned));
    }

    @Test
    void idShorterThanTheDepthIsRejected() {
        HashedTree tree = new HashedTree(dir, 4);
        FileId shortId = FileId.parse("abc.1234");
        assertThrows(IllegalArgumentException.class, () -> tree.pathOf(shortId));
        assertThrows(IllegalArgumentException.class, () -> tree.relativePathOf(shortId));
        assertThrows(IllegalArgumentException.class, () -> tree.locate(shortId));
        assertEquals("a/b/c/d/abcd", tree.relativePathOf(FileId.parse("abcd")));
    }

    @Test
    void createBuildsEveryDirectoryOnceAndKeepsWhatExists() throws IOException {
        HashedTree tree = new HashedTree(dir.resolve("fs"), 2);
        assertEquals(16 + 256, tree.create());
        assertTrue(Files.isDirectory(dir.resolve("fs/0/0")));
        assertTrue(Files.isDirectory(dir.resolve("fs/f/f")));
        Path file = dir.resolve("fs/a/b/abcdef0123456789");
        Files.writeString(file, "kept");

        assertEquals(0, tree.create(), "a complete tree is left alone");
        assertEquals("kept", Files.readString(file));

        Files.delete(dir.resolve("fs/3/4"));
        assertEquals(1, tree.create(), "a missing directory is put back");
        try (Stream<Path> all = Files.walk(dir.resolve("fs"))) {
            assertEquals(1 + 16 + 256 + 1, all.count(), "root, 16, 256 directories and the one file");
        }
    }

    @Test
    void createNamesTheDirectoryItCannotMake() throws IOException {
        HashedTree tree = new HashedTree(dir, 1);
        Files.writeString(dir.resolve("7"), "a file where a directory belongs");
        IOException e = assertThrows(IOException.class, tree::create);
        assertTrue(e.getMessage().contains(dir.resolve("7").toString()), e.getMessage());
    }

    @Test
    void locateFindsARegularFile() throws IOException {
        HashedTree tree = new HashedTree(dir, 4);
        Path file = tree.pathOf(ID);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "hello");
        Instant mtime = Instant.parse("2015-10-21T07:28:00Z");
        Files.setLastModifiedTime(file, FileTime.from(mtime));

        StoredFile found = tree.locate(ID).orElseThrow();
        assertEquals(file.toRealPath(), found.path());
        assertEquals("a/b/c/d/abcdef0123456789", found.relativePath());
        assertEquals(5, found.size());
        assertEquals(mtime, found.lastModified());
    }

    @Test
    void locateReportsAMissingFileAsEmpty() throws IOException {
        HashedTree tree = new HashedTree(dir, 2);
        assertEquals(Optional.empty(), tree.locate(ID), "not even the directories exist");
        tree.create();
        assertEquals(Optional.empty(), tree.locate(ID), "directories exist, the file does not");
        assertEquals(Optional.empty(), new HashedTree(dir.resolve("absent"), 2).locate(ID), "no root");
    }

    @Test
    void locateIgnoresADirectoryInThePlaceOfAFile() throws IOException {
        HashedTree tree = new HashedTree(dir, 4);
        Files.createDirectories(tree.pathOf(ID));
        assertEquals(Optional.empty(), tree.locate(ID));
    }

    @Test
    void locateRefusesASymlinkLeadingOutOfTheRoot() throws IOException {
        Path root = Files.createDirectory(dir.resolve("fs"));
        Path secret = Files.writeString(dir.resolve("secret.txt"), "outside the tree");
        HashedTree tree = new HashedTree(root, 4);
        Path link = tree.pathOf(ID);
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, secret);

        assertEquals(Optional.empty(), tree.locate(ID));
    }

    @Test
    void locateRefusesADirectorySymlinkLeadingOutOfTheRoot() throws IOException {
        Path root = Files.createDirectory(dir.resolve("fs"));
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere/c/d"));
        Files.writeString(elsewhere.resolve(ID.value()), "outside the tree");
        HashedTree tree = new HashedTree(root, 4);
        Files.createDirectories(root.resolve("a"));
        Files.createSymbolicLink(root.resolve("a/b"), dir.resolve("elsewhere"));

        assertEquals(Optional.empty(), tree.locate(ID));
    }

    @Test
    void locateRefusesASiblingDirectorySharingTheRootsNamePrefix() throws IOException {
        // "/x/fs-old" starts with the text "/x/fs" but is not inside "/x/fs".
        Path root = Files.createDirectory(dir.resolve("fs"));
        Path sibling = Files.createDirectory(dir.resolve("fs-old"));
        Path target = Files.writeString(sibling.resolve("file"), "not ours");
        HashedTree tree = new HashedTree(root, 4);
        Files.createDirectories(tree.pathOf(ID).getParent());
        Files.createSymbolicLink(tree.pathOf(ID), target);

        assertEquals(Optional.empty(), tree.locate(ID));
    }

    @Test
    void locateFollowsASymlinkThatStaysInsideTheRoot() throws IOException {
        Path root = Files.createDirectory(dir.resolve("fs"));
        HashedTree tree = new HashedTree(root, 4);
        Path blobs = Files.createDirectory(root.resolve("blobs"));
        Path target = Files.writeString(blobs.resolve("payload"), "inside");
        Files.createDirectories(tree.pathOf(ID).getParent());
        Files.createSymbolicLink(tree.pathOf(ID), target);

        StoredFile found = tree.locate(ID).orElseThrow();
        assertEquals(target.toRealPath(), found.path());
        assertEquals(6, found.size());
        assertEquals("a/b/c/d/abcdef0123456789", found.relativePath(), "the id's place, not the link's target");
    }

    @Test
    void locateWorksWhenTheRootItselfIsASymlink() throws IOException {
        Path real = Files.createDirectory(dir.resolve("release-1"));
        Path root = Files.createSymbolicLink(dir.resolve("current"), real);
        HashedTree tree = new HashedTree(root, 4);
        Files.createDirectories(tree.pathOf(ID).getParent());
        Files.writeString(tree.pathOf(ID), "one");
        assertEquals(3, tree.locate(ID).orElseThrow().size());

        // Repointing the root (a deployment switch) is noticed.
        Path next = Files.createDirectory(dir.resolve("release-2"));
        Files.createDirectories(next.resolve("a/b/c/d"));
        Files.writeString(next.resolve("a/b/c/d/" + ID.value()), "second");
        Files.delete(root);
        Files.createSymbolicLink(root, next);
        StoredFile found = tree.locate(ID).orElseThrow();
        assertEquals(6, found.size());
        assertTrue(found.path().startsWith(next.toRealPath()));
    }

    @Test
    void locatePropagatesABrokenTree() throws IOException {
        // A file where a directory belongs is not "no such file": the tree is damaged, and that must show.
        HashedTree tree = new HashedTree(dir, 2);
        Files.writeString(dir.resolve("a"), "not a directory");
        assertThrows(java.nio.file.FileSystemException.class, () -> tree.locate(ID));
    }

    @Test
    void locatePropagatesPermissionDenied() throws IOException {
        assumeTrue(!"root".equals(System.getProperty("user.name")), "root reads everything");
        HashedTree tree = new HashedTree(dir, 1);
        Path locked = Files.createDirectory(dir.resolve("a"));
        Files.writeString(locked.resolve(ID.value()), "x");
        Files.setPosixFilePermissions(locked, java.util.Set.of());
        try {
            assertThrows(IOException.class, () -> tree.locate(ID));
        } finally {
            Files.setPosixFilePermissions(locked, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void pathOfTouchesNothingAndLocateOnlyTheFilesPlace() throws IOException {
        RecordingFileSystem fs = new RecordingFileSystem();
        Path root = fs.path(dir);
        HashedTree tree = new HashedTree(root, 4);

        Path where = tree.pathOf(ID);
        tree.relativePathOf(ID);
        assertEquals(List.of(), fs.operations(), "computing a path is no I/O");
        assertFalse(where.toString().isEmpty());

        assertEquals(Optional.empty(), tree.locate(ID));
        assertEquals(List.of("toRealPath " + dir.resolve("a/b/c/d/abcdef0123456789")), fs.operations());

        fs.clear();
        assertEquals(16 + 256, new HashedTree(root, 2).create());
        assertTrue(fs.operationsUnder(root.resolve("f")).contains("createDirectory " + dir.resolve("f/e")));
        fs.clear();
        Files.writeString(dir.resolve("a/b/" + ID.value()), "hello");
        StoredFile found = new HashedTree(root, 2).locate(ID).orElseThrow();
        assertEquals(5, found.size());
        assertEquals(fs, found.path().getFileSystem(), "the tree stays on the root's file system");
        assertTrue(fs.operationsUnder(dir.resolve("a/b")).contains("readAttributes " + dir.resolve("a/b/" + ID.value())),
                fs.operations().toString());
        assertEquals(List.of(), fs.operationsUnder(dir.resolve("c")), "nothing else was looked at");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(nullValues = "null", value = {
        "abcd,          abcd",      // exactly the depth
        "abcdef.3,      abcdef.3",  // a suffix does not count towards the depth
        "abc,           null",      // shorter than the depth
        "abc.1234,      null",      // the suffix's digits are no hex part
        "ABCD,          null",      // not an id at all
        "../abcd,       null",
    })
    void idOfAcceptsOnlyIdsTheTreeCanHold(String text, String expected) {
        HashedTree tree = new HashedTree(java.nio.file.Path.of("/srv/tree"), 4);
        org.junit.jupiter.api.Assertions.assertEquals(java.util.Optional.ofNullable(expected).map(FileId::parse),
                tree.idOf(text));
    }
}
