package io.keyhole.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.keyhole.FileId;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * File ids come from the request path: {@link FileId}, {@link HashedTree#idOf} and the ids
 * {@link FileIds} makes. A parsed id is exactly the documented grammar and stays inside the tree.
 */
class FileIdFuzzTest {

    private static final Pattern GRAMMAR = Pattern.compile(
            "[0-9a-f]{1,128}(\\.[0-9a-z]{1,16}|\\.[0-9]{1,16}\\.[0-9A-Za-z]{1,16})?");
    private static final Path ROOT = Path.of("/srv/keyhole-fuzz/tree");

    @FuzzTest
    void parse(FuzzedDataProvider data) {
        HashedTree tree = new HashedTree(ROOT, data.consumeInt(1, HashedTree.MAX_DEPTH));
        String text = data.consumeRemainingAsString();

        boolean valid = FileId.isValid(text);
        assertEquals(GRAMMAR.matcher(text).matches(), valid, "FileId.isValid against the documented grammar");
        if (!valid) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> FileId.parse(text));
            assertTrue(refused.getMessage().chars().allMatch(c -> c >= 0x20 && c < 0x7f),
                    "the message of a refused id is one plain line");
            assertEquals(Optional.empty(), tree.idOf(text));
            return;
        }
        FileId id = FileId.parse(text);
        assertEquals(text, id.toString());
        assertEquals(text, id.hex() + id.suffix().map(s -> "." + s).orElse(""));

        Optional<FileId> inTree = tree.idOf(text);
        boolean metaName = text.endsWith(PackIds.META_SUFFIX) && !id.isPackMember();
        assertEquals(id.hex().length() >= tree.depth() && !metaName, inTree.isPresent(),
                "idOf refuses exactly the too-short ids and the names of metadata files");
        if (inTree.isEmpty()) {
            if (!metaName) {
                assertThrows(IllegalArgumentException.class, () -> tree.pathOf(id));
            }
            return;
        }
        Path path = tree.pathOf(inTree.get());
        assertEquals(path, path.normalize(), "nothing in an id's path needs normalising");
        assertTrue(path.startsWith(tree.root()), "a parsed id stays inside the tree");
        assertEquals(tree.root().getNameCount() + tree.depth() + 1, path.getNameCount(), "depth directories, then the file");
        assertEquals(PackIds.diskName(id), path.getFileName().toString(), "the file keeps its id as its name");
        assertEquals(id, PackIds.idOfDiskName(path.getFileName().toString()).orElseThrow(), "and the name its id");
        assertEquals(tree.root().relativize(path).toString(), tree.relativePathOf(id));
    }

    @FuzzTest
    void make(FuzzedDataProvider data) {
        long millis = data.consumeLong();
        long counter = data.consumeLong(0, Long.MAX_VALUE);
        String user = data.consumeString(64);
        String instance = data.consumeString(64);
        String filename = data.consumeRemainingAsString();

        FileId id = FileIds.of(filename, millis, user, instance);
        assertEquals(FileIds.HEX_LENGTH, id.value().length());
        assertTrue(id.suffix().isEmpty());
        assertEquals(id, FileIds.of(filename, millis, user, instance), "the same inputs give the same id");
        assertEquals(id, FileId.parse(id.value()));

        if (counter > FileIds.MAX_COUNTER) {
            assertThrows(IllegalArgumentException.class, () -> FileIds.withCounter(id, counter));
            return;
        }
        FileId counted = FileIds.withCounter(id, counter);
        assertEquals(FileId.parse(counted.value()), counted);
        assertEquals(id.hex(), counted.hex());
        assertEquals(Optional.of(Long.toString(counter)), counted.suffix());
        assertFalse(FileIds.withCounter(id, 0).equals(id));
        assertThrows(IllegalArgumentException.class, () -> FileIds.withCounter(counted, 1));
    }
}
