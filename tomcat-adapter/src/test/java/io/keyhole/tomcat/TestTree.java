package io.keyhole.tomcat;

import io.keyhole.AuthResponse;
import io.keyhole.Authorizer;
import io.keyhole.FileId;
import io.keyhole.tree.HashedTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * A tree with two files: one above the size where the zero-copy path takes over (sendfile), one below
 * it, and an authoriser that grants both with fixed metadata.
 */
record TestTree(Path root, byte[] large, byte[] small) {

    static final String LARGE = "0123456789abcdef0123456789abcdef";
    static final String SMALL = "fedcba9876543210fedcba9876543210";
    static final String ETAG = "\"v1\"";

    static TestTree create(Path root) throws IOException {
        byte[] large = new byte[300_000];
        byte[] small = new byte[1_000];
        Random random = new Random(7);
        random.nextBytes(large);
        random.nextBytes(small);
        HashedTree tree = new HashedTree(root, 2);
        for (String id : new String[] {LARGE, SMALL}) {
            Path file = tree.pathOf(FileId.parse(id));
            Files.createDirectories(file.getParent());
            Files.write(file, id.equals(LARGE) ? large : small);
        }
        return new TestTree(root, large, small);
    }

    byte[] content(String id) {
        return id.equals(LARGE) ? large : small;
    }

    static Authorizer grant() {
        return q -> new AuthResponse(200, "data.bin", "application/octet-stream", null, ETAG, null, 1_700_000_000L, null);
    }
}
