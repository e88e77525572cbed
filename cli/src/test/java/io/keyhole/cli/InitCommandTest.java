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
