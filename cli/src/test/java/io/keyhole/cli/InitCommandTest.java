package io.keyhole.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InitCommandTest {

    @TempDir
    Path dir;

    @Test
    void createsEveryDirectoryOfTheTree() throws IOException {
        Path root = Files.createDirectories(dir.resolve("tree"));
        Result first = run("init", "--root", root.toString(), "--depth", "2");
        assertEquals(0, first.status(), first.err());
        // 16 first-level directories, 16 below each: 16 + 256
        assertEquals("keyhole: created 272 directories in " + root + " (depth 2)\n", first.out());
        try (Stream<Path> all = Files.walk(root)) {
            assertEquals(272, all.filter(p -> !p.equals(root)).filter(Files::isDirectory).count());
        }
        assertTrue(Files.isDirectory(root.resolve("f/0")));
        assertTrue(Files.isDirectory(root.resolve("0/f")));

        Result again = run("init", "--root", root.toString(), "--depth", "2");
        assertEquals("keyhole: created 0 directories in " + root + " (depth 2)\n", again.out());
    }

    @Test
    void depthBeyondWhatInitCreatesIsRefused() {
        Result result = run("init", "--root", dir.toString(), "--depth", "6");
        assertEquals(2, result.status());
        assertEquals("keyhole: init: --depth must be 1..5, was 6\n", result.err());
    }

    @Test
    void rootIsRequired() {
        Result result = run("init", "--depth", "2");
        assertEquals(2, result.status());
        assertEquals("keyhole: init: --root is required\n", result.err());
    }

    @Test
    void aBucketConfigurationIsReadiedThroughTheStoreAndItsFailureNamesTheBucket() throws IOException {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Path config = Files.writeString(dir.resolve("serve.properties"), String.join("\n",
                "storage=s3", "s3-bucket=acme-files", "s3-endpoint=http://127.0.0.1:" + closed, "s3-region=us-east-1",
                "s3-path-style=yes", "s3-access-key=k", "s3-secret-key=s", "storage-timeout=2s", "fs-depth=2",
                "mount=/files/", "jwt-key=0123456789abcdef0123456789abcdef"));
        Result down = run("init", "--config", config.toString());
        assertEquals(1, down.status(), down.err());
        assertTrue(down.err().startsWith("keyhole: init: cannot create the tree in s3://acme-files/ at http://127.0.0.1:"
                + closed + ": "), down.err());

        Result mixed = run("init", "--config", config.toString(), "--root", dir.toString());
        assertEquals(2, mixed.status());
        assertEquals("keyhole: init: --config takes the tree from FILE; leave out --root and --depth\n", mixed.err());
        Result meta = run("fsck", "--config", config.toString(), "--meta");
        assertEquals(2, meta.status());
        assertEquals("keyhole: fsck: --meta: a bucket keeps no .meta files\n", meta.err());
        Result fsck = run("fsck", "--config", config.toString());
        assertEquals(1, fsck.status(), fsck.err());
        assertTrue(fsck.err().startsWith("keyhole: fsck: cannot check s3://acme-files/ at http://127.0.0.1:" + closed),
                fsck.err());
    }

    record Result(int status, String out, String err) {
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
