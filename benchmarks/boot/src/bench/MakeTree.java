package bench;

import io.keyhole.FileId;
import io.keyhole.tree.HashedTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Writes COUNT files of SIZE random bytes into a tree of depth 2 at ROOT; prints their ids. Args: ROOT COUNT SIZE. */
public class MakeTree {
    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        int size = Integer.parseInt(args[2]);
        HashedTree tree = new HashedTree(root, 2);
        Random random = new Random(1);
        byte[] content = new byte[size];
        for (int i = 0; i < count; i++) {
            String id = String.format("%032x", 0x5eed0000L + i);
            random.nextBytes(content);
            Path file = tree.pathOf(FileId.parse(id));
            Files.createDirectories(file.getParent());
            Files.write(file, content);
            System.out.println(id);
        }
    }
}
