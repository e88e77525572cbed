package io.keyhole.internal.tomcat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which header values may be handed to Tomcat as bytes, past its own check of string values. */
class TomcatHeadersTest {

    @Test
    void tabAndPrintableLatin1GoAsBytes() {
        for (String value : List.of("\"1000-1a23a10c761\"", "inline; filename=\"r\u00e9sum\u00e9.pdf\"", "a\tb", " ~", "\u00a0\u00ff",
                "what?", "")) {
            assertArrayEquals(value.getBytes(StandardCharsets.ISO_8859_1), TomcatHeaders.wireBytes(value), value);
        }
    }

    @Test
    void controlCharactersAndWiderCharactersGoThroughTomcatsCheck() {
        for (String value : List.of("a\rb", "a\nSet-Cookie: x=1", "nul\u0000", "del\u007f", "c1\u0085", "c1\u009f",
                "euro \u20ac", "\ud83d\ude00", "why? \u0100")) {
            assertNull(TomcatHeaders.wireBytes(value), value.replace("\r", "\\r").replace("\n", "\\n"));
        }
    }
}
