package io.keyhole.spring.boot.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.Keyhole;
import io.keyhole.KeyholeConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;

/** What stops the start, and what switches Keyhole off. */
class StartupTest {

    @TempDir
    Path dir;

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }

    @Test
    void aMisspeltKeyStopsTheStartNamingIt() {
        Throwable failure = assertThrows(Throwable.class, () -> BootApp.start(Map.of(
                "keyhole.fs-root", dir.toString(),
                "keyhole.unix-socket", dir.resolve("auth.sock").toString(),
                "keyhole.jwt-key", "0123456789abcdef0123456789abcdef",
                "keyhole.jwt-feild", "uid"), App.class).close());
        String messages = messages(failure);
        assertTrue(messages.contains("unknown configuration key 'jwt-feild'"), messages);
        assertTrue(messages.contains("did you mean 'jwt-field'?"), messages);
    }

    @Test
    void aBadValueStopsTheStartNamingTheKey() {
        Throwable failure = assertThrows(Throwable.class, () -> BootApp.start(Map.of(
                "keyhole.fs-root", dir.toString(),
                "keyhole.unix-socket", dir.resolve("auth.sock").toString(),
                "keyhole.fsDepth", "9"), App.class).close());
        String messages = messages(failure);
        assertTrue(messages.contains("fs-depth must be 1..8, was 9"), messages);
    }

    @Test
    void disabledItIsLeftOutAndNothingIsChecked() {
        try (BootApp app = BootApp.start(Map.of(
                "keyhole.enabled", "false",
                "keyhole.jwt-feild", "uid"), App.class)) {
            assertEquals(0, app.context.getBeanNamesForType(Keyhole.class).length);
            assertEquals(0, app.context.getBeanNamesForType(KeyholeConfig.class).length);
        }
    }

    private static String messages(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }
}
