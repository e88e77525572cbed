package io.keyhole.cli;

import static io.keyhole.cli.InitCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyhole.FileId;
import io.keyhole.tree.FileIds;
import io.keyhole.tree.HashedTree;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code put}, {@code rm} and {@code fsck} end to end on a real tree, run in-process through {@link Main#run}. */
class StoreCommandsTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Path root() throws IOException {
        return Files.createDirectories(dir.resolve("fs"));
    }

    private static String[] args(Object... parts) {
        return Stream.of(parts).map(String::valueOf).toArray(String[]::new);
    }

    @Test
    void putStoresEachFileAndPrintsItsMetadataAsJson() throws Exception {
        Path root = root();
        Path photo = Files.write(dir.resolve("photo.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        Path notes = Files.writeString(dir.resolve("notes.txt"), "hello");
        long before = Instant.now().getEpochSecond();
        InitCommandTest.Result result = run(args("put", photo, notes, "--root", root, "--depth", 3));
        long after = Instant.now().getEpochSecond();
        assertEquals(0, result.status(), result.err());
        assertEquals("", result.err());

        List<String> lines = result.out().lines().toList();
        assertEquals(2, lines.size(), result.out());
        HashedTree tree = new HashedTree(root, 3);
        JsonNode png = JSON.readTree(lines.get(0));
        JsonNode txt = JSON.readTree(lines.get(1));
        assertEquals(List.of("file_id", "filename", "content_type", "content_disposition", "etag", "length",
                "upload_date"), fieldNames(png), "the wire names, without auth_value when no --user");
        assertEquals("photo.png", png.get("filename").asText());
        assertEquals("image/png", png.get("content_type").asText());
        assertEquals("inline", png.get("content_disposition").asText());
        assertEquals(4, png.get("length").asLong());
        assertEquals("text/plain", txt.get("content_type").asText());
        assertEquals(sha256("hello").substring(0, 32), txt.get("etag").asText());
        long uploaded = txt.get("upload_date").asLong();
        assertTrue(uploaded >= before && uploaded <= after, uploaded + " not in " + before + ".." + after);

        FileId pngId = FileId.parse(png.get("file_id").asText());
        FileId txtId = FileId.parse(txt.get("file_id").asText());
        assertNotEquals(pngId, txtId);
        assertArrayEquals(Files.readAllBytes(photo), Files.readAllBytes(tree.pathOf(pngId)));
        assertEquals("hello", Files.readString(tree.pathOf(txtId)));
        assertEquals("hello", Files.readString(notes), "the source stays");
    }

    @Test
    void optionsGoIntoTheIdAndTheMetadata() throws Exception {
        Path root = root();
        Path file = Files.writeString(dir.resolve("upload-123.tmp"), "%PDF-1.7");
        long before = System.currentTimeMillis();
        InitCommandTest.Result result = run(args("put", file, "--root", root, "--depth", 2, "--user", "alice",
                "--name", "Quarterly report.pdf", "--type", "application/x-custom", "--disposition", "attachment",
                "--instance", "web-7"));
        long after = System.currentTimeMillis();
        assertEquals(0, result.status(), result.err());
        JsonNode json = JSON.readTree(result.out());
        assertEquals(List.of("file_id", "auth_value", "filename", "content_type", "content_disposition", "etag",
                "length", "upload_date"), fieldNames(json));
        assertEquals("alice", json.get("auth_value").asText());
        assertEquals("Quarterly report.pdf", json.get("filename").asText());
        assertEquals("application/x-custom", json.get("content_type").asText());
        assertEquals("attachment", json.get("content_disposition").asText());

        // The id is murmur3 of (name, a millisecond of the run, user, instance).
        String id = json.get("file_id").asText();
        boolean found = false;
        for (long ms = before; ms <= after && !found; ms++) {
            found = FileIds.of("Quarterly report.pdf", ms, "alice", "web-7").value().equals(id);
        }
        assertTrue(found, id + " is not the id of the name, user and instance at any millisecond of the run");
    }

    @Test
    void sqlTableTurnsTheOutputIntoAScript() throws Exception {
        Path root = root();
        Path file = Files.writeString(dir.resolve("x"), "x");
        InitCommandTest.Result result = run(args("put", file, "--root", root, "--depth", 1, "--user", "o'neil",
                "--name", "Grüße \\ 'quoted'.txt", "--sql-table", "app.cdn"));
        assertEquals(0, result.status(), result.err());
        List<String> lines = result.out().lines().toList();
        assertEquals(2, lines.size(), result.out());
        assertTrue(lines.get(0).startsWith("-- {"), lines.get(0));
        assertTrue(lines.get(0).chars().allMatch(c -> c < 0x80), "the JSON comment is ASCII: " + lines.get(0));
        JsonNode json = JSON.readTree(lines.get(0).substring(3));
        assertEquals("Grüße \\ 'quoted'.txt", json.get("filename").asText());
        assertEquals("INSERT INTO `app`.`cdn` (`file_id`, `auth_value`, `filename`, `content_type`,"
                + " `content_disposition`, `etag`, `length`, `upload_date`) VALUES ('" + json.get("file_id").asText()
                + "', 'o''neil', _utf8mb4 X'4772c3bcc39f65205c202771756f746564272e747874', 'text/plain', 'inline', '"
                + json.get("etag").asText() + "', 1, " + json.get("upload_date").asLong() + ");", lines.get(1));
    }

    @Test
    void dashReadsStdin() throws Exception {
        Path root = root();
        InputStream saved = System.in;
        InitCommandTest.Result result;
        try {
            System.setIn(new ByteArrayInputStream("from a pipe".getBytes(StandardCharsets.UTF_8)));
            result = run(args("put", "-", "--name", "piped.txt", "--root", root, "--depth", 2));
        } finally {
            System.setIn(saved);
        }
        assertEquals(0, result.status(), result.err());
        JsonNode json = JSON.readTree(result.out());
        assertEquals(11, json.get("length").asLong());
        assertEquals("from a pipe",
                Files.readString(new HashedTree(root, 2).pathOf(FileId.parse(json.get("file_id").asText()))));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // arguments after put (ROOT is the tree)     | the message
            "FILE --root ROOT                              | put: --depth is required: the tree's fs-depth",
            "FILE --depth 2                                | put: --root is required",
            "--root ROOT --depth 2                         | put: name at least one FILE to store (- for stdin)",
            "FILE MISSING --root ROOT --depth 2            | put: MISSING is not a readable file",
            "FILE FILE --root ROOT --depth 2 --name a      | put: --name applies to one FILE, but 2 were given",
            "- --root ROOT --depth 2                       | put: - (stdin) needs --name",
            "FILE --root ROOT --depth 9                    | put: --depth must be 1..8, was 9",
            "FILE --root ROOT --depth 2 --disposition save | put: --disposition: disposition must be inline or attachment",
            "FILE --root ROOT --depth 2 --type plain       | put: --type: content type 'plain' is not a media type",
            "FILE --root ROOT --depth 2 --sql-table a;b    | put: --sql-table: 'a;b' is not a table name",
            "FILE --root ROOT/absent --depth 2             | put: --root ROOT/absent is not a directory; create the tree with: keyhole init",
            "FILE --root ROOT --depth 2 --size 1           | put: unknown option --size",
    })
    void misuseIsExplainedAndStoresNothing(String arguments, String message) throws IOException {
        Path root = root();
        Path file = Files.writeString(dir.resolve("file.txt"), "content");
        String[] words = arguments.strip().split(" +");
        List<String> argv = new ArrayList<>(List.of("put"));
        for (String word : words) {
            argv.add(word.replace("ROOT", root.toString()).replace("MISSING", dir.resolve("missing").toString())
                    .replace("FILE", file.toString()));
        }
        InitCommandTest.Result result = run(argv.toArray(String[]::new));
        assertEquals(2, result.status(), result.err());
        String expected = "keyhole: " + message.replace("ROOT", root.toString())
                .replace("MISSING", dir.resolve("missing").toString());
        assertTrue(result.err().startsWith(expected), result.err());
        assertEquals("", result.out());
        try (Stream<Path> all = Files.walk(root)) {
            assertEquals(List.of(root), all.toList(), "nothing stored");
        }
    }

    @Test
    void rmRemovesFilesAndSaysWhichWereNotThere() throws Exception {
        Path root = root();
        Path file = Files.writeString(dir.resolve("a.txt"), "a");
        String id = JSON.readTree(run(args("put", file, "--root", root, "--depth", 2)).out()).get("file_id").asText();
        Path stored = new HashedTree(root, 2).pathOf(FileId.parse(id));
        assertTrue(Files.exists(stored));

        InitCommandTest.Result removed = run(args("rm", id, "--root", root, "--depth", 2));
        assertEquals(0, removed.status(), removed.err());
        assertEquals("keyhole: removed " + id + "\n", removed.out());
        assertFalse(Files.exists(stored));

        InitCommandTest.Result again = run(args("rm", id, "--root", root, "--depth", 2));
        assertEquals(1, again.status());
        assertEquals("keyhole: rm: no file " + id + " in " + root + " (depth 2)\n", again.err());

        InitCommandTest.Result bad = run(args("rm", "../etc/passwd", "--root", root, "--depth", 2));
        assertEquals(2, bad.status());
        assertEquals("keyhole: rm: '../etc/passwd' is not a file id (lowercase hex, optionally .suffix)\n", bad.err());
        InitCommandTest.Result none = run(args("rm", "--root", root, "--depth", 2));
        assertEquals(2, none.status());
    }

    @Test
    void fsckKnowsMetadataFilesEitherWay() throws Exception {
        Path root = root();
        Path file = Files.writeString(dir.resolve("a.txt"), "a");
        assertEquals(0, run(args("put", file, "--root", root, "--depth", 2)).status());
        Files.writeString(Files.createDirectories(root.resolve("a/b")).resolve("abcdef.meta"), "{}");

        InitCommandTest.Result found = run(args("fsck", "--root", root, "--depth", 2));
        assertEquals(1, found.status());
        assertTrue(found.out().contains("orphan-meta a/b/abcdef.meta (metadata without its file abcdef;"
                + " fsck --repair removes it)"), found.out());
        assertFalse(found.out().contains("missing-meta"), found.out());
        InitCommandTest.Result internal = run(args("fsck", "--root", root, "--depth", 2, "--meta"));
        assertTrue(internal.out().contains("missing-meta "), internal.out());

        InitCommandTest.Result repaired = run(args("fsck", "--root", root, "--depth", 2, "--repair"));
        assertTrue(repaired.out().startsWith("removed orphan-meta a/b/abcdef.meta\n"), repaired.out());
        assertEquals(0, repaired.status(), repaired.out());
        assertFalse(Files.exists(root.resolve("a/b/abcdef.meta")));
    }

    @Test
    void fsckFindsWhatIsOutOfPlaceAndRepairRemovesOnlyLeftovers() throws Exception {
        Path root = root();
        Path file = Files.writeString(dir.resolve("a.txt"), "a");
        assertEquals(0, run(args("put", file, "--root", root, "--depth", 2)).status());

        InitCommandTest.Result clean = run(args("fsck", "--root", root, "--depth", 2));
        assertEquals(0, clean.status(), clean.out() + clean.err());
        assertEquals("keyhole: fsck: 1 file in " + root + " (depth 2): clean\n", clean.out());

        Files.writeString(Files.createDirectories(root.resolve("a/b")).resolve(".keyhole-4242-1.tmp"), "crash");
        Files.writeString(root.resolve("a/b/abcdef"), "right");
        Files.writeString(Files.createDirectories(root.resolve("c/d")).resolve("abcdef.1"), "wrong place");
        Files.writeString(root.resolve("README"), "not an id");

        InitCommandTest.Result found = run(args("fsck", "--root", root, "--depth", 2));
        assertEquals(1, found.status());
        // In byte order of the names, directory by directory: README before a/.
        assertEquals(List.of(
                "not-an-id README (nothing can ask for it)",
                "leftover-temp-file a/b/.keyhole-4242-1.tmp (no store is writing it; fsck --repair or"
                        + " FileStore.cleanup() removes it)",
                "misplaced c/d/abcdef.1 (belongs at a/b/abcdef.1)",
                "keyhole: fsck: 5 files in " + root + " (depth 2): 3 problems"), found.out().lines().toList());

        InitCommandTest.Result repaired = run(args("fsck", "--root", root, "--depth", 2, "--repair"));
        assertEquals(1, repaired.status(), "the misplaced and the stray file remain: fsck never deletes data");
        assertEquals(List.of(
                "removed leftover-temp-file a/b/.keyhole-4242-1.tmp",
                "not-an-id README (nothing can ask for it)",
                "misplaced c/d/abcdef.1 (belongs at a/b/abcdef.1)",
                "keyhole: fsck: 4 files in " + root + " (depth 2): 2 problems"), repaired.out().lines().toList());
        assertFalse(Files.exists(root.resolve("a/b/.keyhole-4242-1.tmp")));
        assertTrue(Files.exists(root.resolve("README")));

        Files.delete(root.resolve("README"));
        Files.move(root.resolve("c/d/abcdef.1"), root.resolve("a/b/abcdef.1"));
        InitCommandTest.Result fixed = run(args("fsck", "--repair", "--root", root, "--depth", 2));
        assertEquals(0, fixed.status(), fixed.out());
        assertEquals("keyhole: fsck: 3 files in " + root + " (depth 2): clean\n", fixed.out());
    }

    @Test
    void fsckNeedsAnExistingRootAndItsDepth() throws IOException {
        InitCommandTest.Result noDepth = run(args("fsck", "--root", root()));
        assertEquals(2, noDepth.status());
        assertTrue(noDepth.err().startsWith("keyhole: fsck: --depth is required"), noDepth.err());
        InitCommandTest.Result absent = run(args("fsck", "--root", dir.resolve("absent"), "--depth", 2));
        assertEquals(2, absent.status());
        assertEquals("keyhole: fsck: --root " + dir.resolve("absent") + " is not a directory\n", absent.err());
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
