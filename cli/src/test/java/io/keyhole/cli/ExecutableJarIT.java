package io.keyhole.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The shaded {@code keyhole.jar} on its own: no class path but itself. */
class ExecutableJarIT {

    static final Path JAR = Path.of(System.getProperty("keyhole.jar", "target/keyhole.jar"));

    @Test
    void helpRunsFromTheJar() throws Exception {
        assertTrue(Files.isRegularFile(JAR), JAR + " is built by the package phase");
        try (JavaProcess help = JavaProcess.jar(JAR, "help")) {
            assertEquals(0, help.awaitExit(), help.stderr());
            assertEquals(Main.USAGE_TEXT, String.join("\n", help.remainingLines()) + "\n");
            assertEquals("", help.stderr());
        }
    }

    @Test
    void demoRunsFromTheJar() throws Exception {
        try (JavaProcess demo = JavaProcess.jar(JAR, "demo", "--port", "0")) {
            DemoReplay.check(demo);
            assertEquals("", demo.stderr());
        }
    }

    @Test
    void badConfigurationFromTheJarExitsTwo() throws Exception {
        Path config = Files.writeString(Files.createTempFile("keyhole-it-", ".properties"),
                "fs-root = /tmp\nfs-depth = 99\n");
        try (JavaProcess serve = JavaProcess.jar(JAR, "serve", "--config", config.toString())) {
            assertEquals(2, serve.awaitExit());
            assertTrue(serve.stderr().contains("fs-depth"), serve.stderr());
        } finally {
            Files.delete(config);
        }
    }
}
