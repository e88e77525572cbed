package io.keyhole.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.keyhole.FileId;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process killed (SIGKILL) while it writes metadata leaves the old {@code .meta} or the new one,
 * whole, and at most a temporary file that {@code fsck} reports and {@code --repair} removes.
 */
class MetaFilesKillTest {

    static final FileId ID = FileId.parse("0123456789abcdef0123456789abcdef");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;

    /** The child: writes two large metadata versions in turn until killed, saying after each. */
    public static void main(String[] args) throws IOException {
        MetaFiles meta = new MetaFiles(new HashedTree(Path.of(args[0]), 2));
        byte[][] versions = {json('a'), json('b')};
        for (long n = 0; ; n++) {
            meta.write(ID, versions[(int) (n % 2)]);
            System.out.println("wrote " + n);
            System.out.flush();
        }
    }

    static byte[] json(char fill) {
        return ("{\"file_id\":\"" + ID + "\",\"auth_value\":\"alice\",\"filename\":\"" + String.valueOf(fill).repeat(60_000)
                + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void killedWritersLeaveWholeMetadata() throws Exception {
        HashedTree tree = new HashedTree(root, 2);
        Files.createDirectories(tree.pathOf(ID).getParent());
        Files.write(tree.pathOf(ID), new byte[] {1});
        int leftovers = 0;
        for (int round = 0; round < 3; round++) {
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), MetaFilesKillTest.class.getName(), root.toString())
                    .redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            // let it write a few times, then kill it in the middle of whatever it does
            for (int i = 0; i < 3 + round * 5; i++) {
                String line = out.readLine();
                assertTrue(line != null && line.startsWith("wrote "), "the writer said: " + line);
            }
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));

            JsonNode meta = JSON.readTree(Files.readAllBytes(tree.metaPathOf(ID)));
            String name = meta.get("filename").asText();
            assertEquals(60_000, name.length());
            assertTrue(name.chars().allMatch(c -> c == name.charAt(0)), "one version, whole");

            FileStore store = FileStore.builder(tree).build();
            TreeCheck check = store.check(true);
            for (TreeProblem p : check.problems()) {
                assertEquals(TreeProblem.Kind.LEFTOVER_TEMP_FILE, p.kind(), p.toString());
            }
            leftovers += check.problems().size();
            assertEquals(check.problems().size(), store.cleanup().size());
            assertTrue(store.check(true).isClean());
        }
        System.out.println("MetaFilesKillTest: " + leftovers + " of 3 kills left a temporary file behind");
        try (var all = Files.list(tree.pathOf(ID).getParent())) {
            assertEquals(List.of(ID.value(), ID.value() + ".meta"),
                    all.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void fsckKnowsMetadataBothWays() throws IOException {
        HashedTree tree = new HashedTree(root, 2);
        MetaFiles meta = new MetaFiles(tree);
        FileId withoutMeta = FileId.parse("0123456789abcdef0123456789abcde0");
        FileId orphan = FileId.parse("0123456789abcdef0123456789abcde1.0");
        Files.createDirectories(tree.pathOf(ID).getParent());
        Files.write(tree.pathOf(ID), new byte[] {1});
        meta.write(ID, json('a'));
        Files.write(tree.pathOf(withoutMeta), new byte[] {2});
        meta.write(orphan, json('b'));
        FileStore store = FileStore.builder(tree).build();

        assertEquals(List.of("orphan-meta 0/1/" + orphan + ".meta"),
                store.check().problems().stream().map(p -> p.kind().label() + " " + p.relativePath()).toList());
        assertEquals(List.of("missing-meta 0/1/" + withoutMeta, "orphan-meta 0/1/" + orphan + ".meta"),
                store.check(true).problems().stream().map(p -> p.kind().label() + " " + p.relativePath()).toList());
        assertEquals(1, store.cleanup().size(), "the orphan goes; a file without metadata is never removed");
        assertTrue(Files.exists(tree.pathOf(withoutMeta)));
        assertTrue(store.check().isClean());
    }
}
