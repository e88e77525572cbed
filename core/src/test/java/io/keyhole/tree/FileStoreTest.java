package io.keyhole.tree;

import static io.keyhole.tree.TreeFiles.list;
import static io.keyhole.tree.TreeFiles.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.Disposition;
import io.keyhole.FileId;
import io.keyhole.StoredMetadata;
import io.keyhole.testing.RecordingFileSystem;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FileStoreTest {

    static final Instant NOW = Instant.parse("2026-11-22T10:15:30.123456Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @TempDir
    Path dir;

    private HashedTree tree(int depth) throws IOException {
        return new HashedTree(Files.createDirectories(dir.resolve("fs")), depth);
    }

    private FileStore store(HashedTree tree) {
        return FileStore.builder(tree).clock(CLOCK).instance("web-1").build();
    }

    private static InputStream bytes(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void storeWritesTheBytesAtTheIdAndReportsTheirMetadata() throws IOException {
        HashedTree tree = tree(4);
        StoredMetadata stored = store(tree).store(bytes("hello"), Upload.of("Report.PDF").withUser("alice"));

        FileId expected = FileIds.of("Report.PDF", NOW.toEpochMilli(), "alice", "web-1");
        assertEquals(expected, stored.id());
        Path file = tree.pathOf(expected);
        assertEquals("hello", Files.readString(file));
        assertEquals(List.of(tree.relativePathOf(expected)), list(tree.root()), "the file and nothing else");

        assertEquals(5, stored.size());
        // sha256("hello") = 2cf24dba5fb0a30e26e83b2ac5b9e29e 1b161e5c1fa7425e73043362938b9824: the first half
        assertEquals("2cf24dba5fb0a30e26e83b2ac5b9e29e", stored.etag());
        assertEquals("\"2cf24dba5fb0a30e26e83b2ac5b9e29e\"", stored.entityTag().toString());
        assertEquals(Instant.parse("2026-11-22T10:15:30.123Z"), stored.uploadDate());
        assertEquals(1_795_342_530L, stored.uploadDateSeconds());
        assertEquals(stored.uploadDate(), Files.getLastModifiedTime(file).toInstant(), "mtime is the upload date");
        assertEquals("application/pdf", stored.contentType());
        assertEquals("Report.PDF", stored.filename());
        assertEquals(Disposition.INLINE, stored.disposition());
    }

    @Test
    void givenContentTypeAndDispositionAreKept() throws IOException {
        StoredMetadata stored = store(tree(2)).store(bytes("{}"), Upload.of("data.bin")
                .withContentType("application/vnd.example+json").withDisposition(Disposition.ATTACHMENT));
        assertEquals("application/vnd.example+json", stored.contentType());
        assertEquals(Disposition.ATTACHMENT, stored.disposition());
    }

    @Test
    void emptyContentIsAFile() throws IOException {
        HashedTree tree = tree(2);
        StoredMetadata stored = store(tree).store(InputStream.nullInputStream(), Upload.of("empty"));
        assertEquals(0, stored.size());
        assertEquals("e3b0c44298fc1c149afbf4c8996fb924", stored.etag(), "sha256 of nothing, first half");
        assertEquals("application/octet-stream", stored.contentType());
        assertEquals(0, Files.size(tree.pathOf(stored.id())));
    }

    @Test
    void takenIdGetsTheNextCounterSuffix() throws IOException {
        HashedTree tree = tree(3);
        FileStore store = store(tree);
        // Same name, user, instance and millisecond: the same id three times.
        StoredMetadata first = store.store(bytes("one"), Upload.of("a.txt").withUser("u"));
        StoredMetadata second = store.store(bytes("two"), Upload.of("a.txt").withUser("u"));
        StoredMetadata third = store.store(bytes("three"), Upload.of("a.txt").withUser("u"));

        FileId base = FileIds.of("a.txt", NOW.toEpochMilli(), "u", "web-1");
        assertEquals(base, first.id());
        assertEquals(FileIds.withCounter(base, 0), second.id());
        assertEquals(FileIds.withCounter(base, 1), third.id());
        assertEquals("one", Files.readString(tree.pathOf(first.id())));
        assertEquals("two", Files.readString(tree.pathOf(second.id())));
        assertEquals("three", Files.readString(tree.pathOf(third.id())));
        assertEquals(3, list(tree.root()).size());
        // A gap is filled: the counter finds the first free name.
        assertTrue(store.delete(second.id()));
        assertEquals(FileIds.withCounter(base, 0), store.store(bytes("four"), Upload.of("a.txt").withUser("u")).id());
    }

    @Test
    void storeFromAPathCopiesAndLeavesTheSource() throws IOException {
        HashedTree tree = tree(2);
        Path source = Files.write(dir.resolve("photo.jpg"), new byte[] {1, 2, 3});
        StoredMetadata stored = store(tree).store(source, Upload.of("photo.jpg"));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(tree.pathOf(stored.id())));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(source));
        assertEquals("image/jpeg", stored.contentType());
    }

    @Test
    void missingDirectoriesBelowTheRootAreCreated() throws IOException {
        HashedTree tree = tree(4); // the root only: no init
        StoredMetadata stored = store(tree).store(bytes("x"), Upload.of("x"));
        assertEquals("x", Files.readString(tree.pathOf(stored.id())));
    }

    @Test
    void missingRootIsAnErrorThatSaysHowToCreateIt() {
        FileStore store = store(new HashedTree(dir.resolve("nowhere"), 2));
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> store.store(bytes("x"), Upload.of("x")));
        assertTrue(e.getMessage().contains("keyhole init"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("nowhere")));
    }

    @Test
    void replaceSwapsTheContentInOneStep() throws IOException {
        HashedTree tree = tree(2);
        FileStore store = store(tree);
        StoredMetadata old = store.store(bytes("old content"), Upload.of("notes.txt"));
        Path file = tree.pathOf(old.id());
        try (InputStream reader = Files.newInputStream(file)) {
            StoredMetadata replaced = store.replace(old.id(), bytes("new"), Upload.of("notes-v2.md"));
            // A reader that opened the old file keeps reading it whole; new readers get the new one.
            assertEquals("old content", new String(reader.readAllBytes(), StandardCharsets.UTF_8));
            assertEquals("new", Files.readString(file));
            assertEquals(old.id(), replaced.id());
            assertEquals(3, replaced.size());
            assertEquals(sha256("new".getBytes(StandardCharsets.UTF_8)).substring(0, 32), replaced.etag());
            assertEquals("text/markdown", replaced.contentType());
            assertEquals("notes-v2.md", replaced.filename());
        }
        assertEquals(List.of(tree.relativePathOf(old.id())), list(tree.root()));
    }

    @Test
    void replaceOfAnUnknownIdReadsNothing() throws IOException {
        FileStore store = store(tree(2));
        FileId unknown = FileId.parse("abcdef0123456789abcdef0123456789");
        InputStream untouchable = new InputStream() {
            @Override
            public int read() {
                throw new AssertionError("read");
            }
        };
        NoSuchFileException e = assertThrows(NoSuchFileException.class,
                () -> store.replace(unknown, untouchable, Upload.of("x")));
        assertTrue(e.getMessage().contains("store it first"), e.getMessage());
    }

    @Test
    void deleteRemovesTheFileOnce() throws IOException {
        HashedTree tree = tree(2);
        FileStore store = store(tree);
        StoredMetadata stored = store.store(bytes("x"), Upload.of("x"));
        assertTrue(store.delete(stored.id()));
        assertFalse(Files.exists(tree.pathOf(stored.id())));
        assertFalse(store.delete(stored.id()), "already gone");
        assertEquals(List.of(), list(tree.root()));
    }

    @Test
    void deleteRefusesADirectory() throws IOException {
        HashedTree tree = tree(2);
        FileId id = FileId.parse("abcdef");
        Files.createDirectories(tree.pathOf(id));
        IOException e = assertThrows(IOException.class, () -> store(tree).delete(id));
        assertTrue(e.getMessage().contains("is a directory"), e.getMessage());
        assertTrue(Files.isDirectory(tree.pathOf(id)));
    }

    @Test
    void contentBeyondTheLimitIsRefusedAndNothingIsLeft() throws IOException {
        HashedTree tree = tree(2);
        FileStore store = FileStore.builder(tree).clock(CLOCK).maxSize(10).build();
        assertEquals(10, store.store(bytes("0123456789"), Upload.of("ten")).size(), "the limit itself is fine");

        FileTooLargeException e = assertThrows(FileTooLargeException.class,
                () -> store.store(bytes("0123456789a"), Upload.of("eleven.txt")));
        assertEquals("'eleven.txt' is larger than the limit of 10 bytes (FileStore.Builder.maxSize); nothing was stored",
                e.getMessage());
        assertEquals(10, e.limit());
        assertEquals(1, list(tree.root()).size(), "only the first file: no temp file, no id");

        Path big = Files.write(dir.resolve("big"), new byte[11]);
        assertThrows(FileTooLargeException.class, () -> store.store(big, Upload.of("big")));
        assertEquals(1, list(tree.root()).size());
    }

    @Test
    void replaceBeyondTheLimitKeepsTheOldFile() throws IOException {
        HashedTree tree = tree(2);
        FileStore store = FileStore.builder(tree).clock(CLOCK).maxSize(4).build();
        StoredMetadata stored = store.store(bytes("keep"), Upload.of("k"));
        assertThrows(FileTooLargeException.class, () -> store.replace(stored.id(), bytes("too long"), Upload.of("k")));
        assertEquals("keep", Files.readString(tree.pathOf(stored.id())));
        assertEquals(1, list(tree.root()).size());
    }

    @Test
    void aStreamThatFailsLeavesNothingBehind() throws IOException {
        HashedTree tree = tree(2);
        tree.create();
        FileStore store = store(tree);
        IOException e = assertThrows(IOException.class,
                () -> store.store(TreeFiles.failingAfter(300_000), Upload.of("upload.bin")));
        assertEquals("connection reset by the test", e.getMessage(), "the caller sees the cause as it was");
        assertEquals(List.of(), list(tree.root()), "no temp file, no id");
        // The id was not taken either: the same upload again gets it.
        FileId base = FileIds.of("upload.bin", NOW.toEpochMilli(), "", "web-1");
        assertEquals(base, store.store(bytes("ok"), Upload.of("upload.bin")).id());
        assertTrue(store.check().isClean());
    }

    @Test
    void withoutHardLinksIdsAreStillClaimedExclusively() throws IOException {
        Path root = RecordingFileSystem.wrap(Files.createDirectories(dir.resolve("fs")));
        HashedTree tree = new HashedTree(root, 2);
        FileStore store = store(tree);
        // As on FAT or some network mounts: an empty placeholder taken exclusively, then replaced.
        store.disableHardLinks();
        StoredMetadata first = store.store(bytes("one"), Upload.of("same"));
        StoredMetadata second = store.store(bytes("two"), Upload.of("same"));
        assertEquals(FileIds.withCounter(first.id(), 0), second.id());
        assertEquals("one", Files.readString(tree.pathOf(first.id())));
        assertEquals("two", Files.readString(tree.pathOf(second.id())));
        assertEquals(2, list(root).size());
        List<String> operations = RecordingFileSystem.of(root).operations();
        assertTrue(operations.stream().noneMatch(op -> op.startsWith("createLink")), operations.toString());
        assertEquals(2, operations.stream().filter(op -> op.startsWith("move")).count(), operations.toString());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "photo.JPG,        image/jpeg",
            "archive.tar.gz,   application/gzip",
            "index.html,       text/html",
            "movie.mp4,        video/mp4",
            "report.docx,      application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "README,           application/octet-stream",
            "trailing.,        application/octet-stream",
            ".bashrc,          application/octet-stream",
            "unknown.xyz,      application/octet-stream",
    })
    void contentTypeComesFromTheExtension(String name, String type) {
        assertEquals(type, Upload.of(name).effectiveContentType());
    }

    @Test
    void uploadsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> Upload.of(""));
        assertThrows(IllegalArgumentException.class, () -> Upload.of("x").withContentType("text/plain\r\nX-Evil: 1"));
        assertThrows(IllegalArgumentException.class, () -> Upload.of("x").withContentType("plain"));
        assertEquals(Disposition.ATTACHMENT, Disposition.parse("Attachment"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Disposition.parse("download"));
        assertEquals("disposition must be inline or attachment, was 'download'", e.getMessage());
    }

    @Test
    void builderRejectsASettingMadeTwiceOrOutOfRange() throws IOException {
        FileStore.Builder builder = FileStore.builder(tree(2)).maxSize(5);
        IllegalStateException twice = assertThrows(IllegalStateException.class, () -> builder.maxSize(6));
        assertEquals("maxSize was already set to 5", twice.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> FileStore.builder(tree(2)).maxSize(-1));
        assertEquals("maxSize must be 0 bytes or more, was -1", negative.getMessage());
        FileStore defaults = FileStore.builder(tree(2)).build();
        assertEquals(Long.MAX_VALUE, defaults.maxSize());
        assertEquals(FileIds.defaultInstance(), defaults.instance());
        assertSame(builder.build().tree(), builder.build().tree());
    }
}
