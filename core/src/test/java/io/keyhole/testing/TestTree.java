package io.keyhole.testing;

import io.keyhole.AuthResponse;
import io.keyhole.Authorizer;
import io.keyhole.FileId;
import io.keyhole.tree.HashedTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * A tree of depth 2 with two files of random bytes, {@link #LARGE} and {@link #SMALL} (1,000
 * bytes), and an authoriser that grants both with fixed metadata. The large file's size is the
 * test's: above the size from which the container under test takes its zero-copy path (Jetty's
 * renderer maps files from 1 MiB, Tomcat's sendfile starts above 48 KiB). For tests in every
 * module (core's test-jar).
 */
public record TestTree(Path root, byte[] large, byte[] small) {

    public static final String LARGE = "0123456789abcdef0123456789abcdef";
    public static final String SMALL = "fedcba9876543210fedcba9876543210";
    public static final String ETAG = "\"v1\"";

    /** Writes the two files below {@code root}, the large one {@code largeSize} bytes long. */
    public static TestTree create(Path root, int largeSize) throws IOException {
        byte[] large = new byte[largeSize];
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

    public byte[] content(String id) {
        return id.equals(LARGE) ? large : small;
    }

    /** Grants every request: {@code data.bin}, {@link #ETAG}, uploaded 2023-11-14. */
    public static Authorizer grant() {
        return q -> new AuthResponse(200, "data.bin", "application/octet-stream", null, ETAG, null, 1_700_000_000L, null);
    }
}
