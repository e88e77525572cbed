package io.keyhole.cli;

import static io.keyhole.cli.InitCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MainTest {

    @ParameterizedTest
    @ValueSource(strings = {"help", "--help", "-h"})
    void helpPrintsUsageAndSucceeds(String word) {
        InitCommandTest.Result result = run(word);
        assertEquals(0, result.status());
        assertEquals(Main.USAGE_TEXT, result.out());
        assertEquals("", result.err());
    }

    @Test
    void helpOptionOfACommandPrintsUsage() {
        assertEquals(0, run("serve", "--help").status());
    }

    @Test
    void noCommandIsMisuse() {
        InitCommandTest.Result result = run();
        assertEquals(2, result.status());
        assertEquals(Main.USAGE_TEXT, result.err());
        assertEquals("", result.out());
    }

    @Test
    void unknownCommandIsNamed() {
        InitCommandTest.Result result = run("srve", "--config", "x");
        assertEquals(2, result.status());
        assertTrue(result.err().startsWith("keyhole: unknown command 'srve'\nUsage: keyhole"), result.err());
    }

    @Test
    void serveNeedsItsConfig() {
        InitCommandTest.Result result = run("serve");
        assertEquals(2, result.status());
        assertEquals("keyhole: serve: --config is required\n", result.err());
    }

    @Test
    void unknownOptionIsNamed() {
        InitCommandTest.Result result = run("init", "--root", "/tmp/x", "--dept", "2");
        assertEquals(2, result.status());
        assertEquals("keyhole: init: unknown option --dept; it takes --config, --depth, --root\n", result.err());
    }
}
