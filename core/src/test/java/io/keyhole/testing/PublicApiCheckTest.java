package io.keyhole.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/** The API freeze itself: it must fail on every kind of drift, and its rewrite must satisfy it. */
class PublicApiCheckTest {

    private static final Set<String> TYPES = Set.of("io.keyhole.Keyhole", "io.keyhole.http.ByteRange",
            "io.keyhole.internal.Settings");

    @TempDir
    Path dir;

    @Test
    void theRewrittenListPassesOnceEveryInternalTypeSaysWhoNeedsIt() throws Exception {
        Path file = dir.resolve("public-api.txt");
        PublicApi.check("keyhole-x", TYPES, file, true);
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> PublicApi.check("keyhole-x", TYPES, file, false));
        assertEquals("io.keyhole.internal.Settings is public in an internal package: make it package-private, or write"
                + " after the '—' in " + file + " who needs it public", e.getMessage());
        String text = Files.readString(file, StandardCharsets.UTF_8);
        assertTrue(text.contains("\nio.keyhole\n    Keyhole\n\nio.keyhole.http\n    ByteRange\n"), text);
        Files.writeString(file, text.replace(PublicApi.UNJUSTIFIED, "keyhole-servlet reads text settings"));
        PublicApi.check("keyhole-x", TYPES, file, false);
        PublicApi.check("keyhole-x", TYPES, file, true);
        assertTrue(Files.readString(file).contains("    Settings — keyhole-servlet reads text settings\n"));
        assertEquals(TYPES, PublicApi.read(file).types());
    }

    @Test
    void typesThatAppearOrDisappearAreNamed() throws Exception {
        Path file = dir.resolve("public-api.txt");
        Files.writeString(file, "io.keyhole\n    Keyhole\n    Gone\n");
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> PublicApi.check("keyhole-x", Set.of("io.keyhole.Keyhole", "io.keyhole.New"), file, false));
        assertTrue(e.getMessage().startsWith("the public API of keyhole-x changed:\n"
                + "  appeared:    io.keyhole.New\n"
                + "  disappeared: io.keyhole.Gone\n"
                + "If that is intended, rewrite " + file + " with\n  " + PublicApi.UPDATE_COMMAND), e.getMessage());
    }

    @Test
    void anInternalTypeListedAsApiIsRefused() throws Exception {
        Path file = dir.resolve("public-api.txt");
        Files.writeString(file, "io.keyhole.internal\n    Settings\n");
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> PublicApi.check("keyhole-x", Set.of("io.keyhole.internal.Settings"), file, false));
        assertTrue(e.getMessage().startsWith("io.keyhole.internal.Settings is in an internal package but listed above"
                + " the heading"), e.getMessage());
    }

    @Test
    void internalMeansAPackageWhoseNameSaysSo() {
        assertTrue(PublicApi.internal("io.keyhole.internal.Settings"));
        assertTrue(PublicApi.internal("io.keyhole.internal.jetty.JettyRenderer"));
        assertTrue(!PublicApi.internal("io.keyhole.Internal"));
    }
}
