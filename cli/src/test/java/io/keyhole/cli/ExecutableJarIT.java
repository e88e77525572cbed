package io.keyhole.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shaded {@code keyhole.jar} on its own: no class path but itself. Runs in the
 * integration-test phase, after {@code package} built the jar; the failsafe configuration says
 * where it is.
 */
class ExecutableJarIT {

    static final String JAR_PROPERTY = "keyhole.jar";
    static Path jar;

    @BeforeAll
    static void findJar() {
        // A test filter that also selects this class in the test phase runs before the jar exists.
        assumeTrue(System.getProperty(JAR_PROPERTY) != null, "runs in the integration-test phase only");
        jar = Path.of(System.getProperty(JAR_PROPERTY));
        assertTrue(Files.isRegularFile(jar), jar + " should have been built by the package phase");
    }

    @Test
    void helpRunsFromTheJar() throws Exception {
        try (JavaProcess help = JavaProcess.jar(jar, "help")) {
            assertEquals(0, help.awaitExit(), help.stderr());
            assertEquals(Main.USAGE_TEXT, String.join("\n", help.remainingLines()) + "\n");
            assertEquals("", help.stderr());
        }
    }

    @Test
    void demoRunsFromTheJar() throws Exception {
        try (JavaProcess demo = JavaProcess.jar(jar, "demo", "--port", "0")) {
            DemoReplay.check(demo);
        }
    }

    @Test
    void badConfigurationFromTheJarExitsTwo() throws Exception {
        Path config = Files.writeString(Files.createTempFile("keyhole-it-", ".properties"),
                "fs-root = /tmp\nfs-depth = 99\n");
        try (JavaProcess serve = JavaProcess.jar(jar, "serve", "--config", config.toString())) {
            assertEquals(2, serve.awaitExit());
            assertTrue(serve.stderr().contains("fs-depth"), serve.stderr());
        } finally {
            Files.delete(config);
        }
    }
}
