package io.keyhole.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A bad configuration stops {@code serve} before it binds: one line naming the key, exit code 2. */
class ServeConfigTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} -> names {1}")
    @CsvSource(delimiter = '|', value = {
            // the broken line                      | the key the message must name
            "fs-depth = 12                          | fs-depth",
            "listen = localhost                     | listen",
            "listen = 127.0.0.1:99999               | listen",
            "colour = blue                          | colour",
            "fs-rot = /srv                          | unknown key 'fs-rot'; known keys: accel-prefix, active-uploads, all-cookies",
            "fs-rot = /srv                          | ; did you mean 'fs-root'?",
            "lisen = 127.0.0.1:0                    | ; did you mean 'listen'?",
            "delivery = carrier-pigeon              | delivery",
            "json-extended = perhaps                | json-extended",
            "auth-timeout = soon                    | auth-timeout",
            "mount = files                          | mount",
            "jwt-field = uid                        | jwt-key",
            "fs-root = /nonexistent/keyhole/tree    | fs-root",
    })
    void badValueIsNamed(String line, String key) throws Exception {
        Path tree = Files.createDirectories(dir.resolve("tree"));
        String base = "fs-root = " + tree + "\nunix-socket = " + dir.resolve("auth.sock") + "\nlisten = 127.0.0.1:0\n";
        // The broken line replaces a default of the same key, so each case has one fault.
        String name = line.substring(0, line.indexOf('=')).trim();
        String text = base.lines().filter(l -> !l.startsWith(name + " ")).reduce("", (a, l) -> a + l + "\n") + line + "\n";
        assertRejected(Files.writeString(dir.resolve("bad.properties"), text), key);
    }

    @Test
    void missingRootIsNamed() throws Exception {
        assertRejected(Files.writeString(dir.resolve("bad.properties"), "unix-socket = /run/a.sock\n"), "fs-root");
    }

    @Test
    void missingFileIsNamed() throws Exception {
        assertRejected(dir.resolve("absent.properties"), "absent.properties");
    }

    @Test
    void takenPortFailsNamingListen() throws Exception {
        Path tree = Files.createDirectories(dir.resolve("tree"));
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path config = Files.writeString(dir.resolve("taken.properties"), "fs-root = " + tree
                    + "\nunix-socket = " + dir.resolve("auth.sock") + "\nlisten = 127.0.0.1:" + taken.getLocalPort() + "\n");
            try (JavaProcess child = JavaProcess.main("serve", "--config", config.toString())) {
                assertEquals(1, child.awaitExit(), "stderr: " + child.stderr());
                assertEquals("keyhole: serve: cannot listen on 127.0.0.1:" + taken.getLocalPort()
                        + ": Address already in use; change 'listen' in " + config + "\n", child.stderr());
            }
        }
    }

    private static void assertRejected(Path config, String named) throws Exception {
        try (JavaProcess child = JavaProcess.main("serve", "--config", config.toString())) {
            assertEquals(2, child.awaitExit(), "stderr: " + child.stderr());
            String err = child.stderr();
            assertEquals(1, err.lines().count(), "one line, no stack trace: " + err);
            assertTrue(err.startsWith("keyhole: serve: "), err);
            assertTrue(err.contains(named), "should name " + named + ": " + err);
            assertFalse(err.contains("Exception"), err);
            assertEquals("[]", child.remainingLines().toString());
        }
    }
}
