package io.keyhole.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keyhole.FileId;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FileIdsTest {

    /**
     * Known MurmurHash3_x64_128 results (seed 0) as the reference function's output bytes in hex.
     * Guava's test suite lists the fox as h1 = 0xe34bbc7bbc071b6c, h2 = 0x7a433ca9c49a9347 and
     * "hell" as h1 = 0x629942693e10f867, h2 = 0x92db0b82baeb5347, here written lowest byte first;
     * "hello" was printed by the reference C function; the empty input hashes to zero.
     */
    @ParameterizedTest(name = "\"{0}\"")
    @CsvSource(value = {
            "'',                                          00000000000000000000000000000000",
            "The quick brown fox jumps over the lazy dog, 6c1b07bc7bbc4be347939ac4a93c437a",
            "hell,                                        67f8103e694299624753ebba820bdb92",
            "hello,                                       029bbd41b3a7d8cb191dae486a901e5b",
    })
    void publishedVectors(String text, String expected) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        assertEquals(expected, FileIds.murmur3Hex(bytes), "library");
        assertEquals(expected, Murmur3Reference.hex(bytes), "reference implementation");
    }

    /** Each tail length of the reference function (0..15 bytes past the blocks) and several blocks. */
    @ParameterizedTest(name = "{0} bytes")
    @CsvSource({
            "1,  e7fe1aba01e8166d8c78ae6b966dedd7",
            "7,  4f1af6a6867a617b136ca4b29d812a7b",
            "8,  2b549fe3579e48510ecf3f4146377b01",
            "9,  e6b90c6992fb1bdda780235c87b874c9",
            "15, 9ac222c8ba62fd1c04a4ef21a1301538",
            "16, dd4325d9acbbcc68b0c361c2e2207d6d",
            "17, 93de29a2ce6598e26b3538ef9abd4f9c",
            "31, 74bac9cb1e5e7b88b39de6e8d5ac9918",
            "32, 10c4ba0bb9c0ae58c63dfa0d9e80c0ad",
            "33, 7df4d8cb220f3ab764103eeef17249eb",
    })
    void tailsAndBlocksMatchTheCReference(int length, String expected) {
        // Expected values printed by the reference C function for "x" repeated.
        byte[] bytes = "x".repeat(length).getBytes(StandardCharsets.US_ASCII);
        assertEquals(expected, FileIds.murmur3Hex(bytes));
        assertEquals(expected, Murmur3Reference.hex(bytes));
    }

    @Test
    void libraryAgreesWithTheReferenceOnRandomInputs() {
        Random random = new Random(20261122);
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = new byte[random.nextInt(200)];
            random.nextBytes(bytes);
            assertEquals(Murmur3Reference.hex(bytes), FileIds.murmur3Hex(bytes), () -> "input of " + bytes.length + " bytes");
        }
    }

    /** Ids of the documented input layout, as the reference C function hashes those bytes. */
    @ParameterizedTest(name = "{0} {1} {2} {3}")
    @CsvSource(value = {
            "report.pdf,  1700000000000, alice, web-1,    40482fb01e0da292a1d208257a52059c",
            "'',          0,             '',    '',       5da08a4269629ebce1b7dfad7a855276",
            "Grüße ✓.txt, 1763800000123, 42,    10.0.0.7, eb11c7fe0353e4d5e14372f644feca5b",
            "a,           -1,            b,     c,        891759ccfd3ce45125db4f177e416e31",
    })
    void idVectors(String name, long millis, String user, String instance, String expected) throws IOException {
        FileId id = FileIds.of(name, millis, user, instance);
        assertEquals(expected, id.value());
        assertEquals(expected, Murmur3Reference.hex(layout(name, millis, user, instance)));
    }

    @Test
    void idsOfRandomInputsMatchTheReference() throws IOException {
        Random random = new Random(7);
        for (int i = 0; i < 5_000; i++) {
            String name = randomText(random);
            String user = randomText(random);
            String instance = randomText(random);
            long millis = random.nextLong();
            assertEquals(Murmur3Reference.hex(layout(name, millis, user, instance)),
                    FileIds.of(name, millis, user, instance).value());
        }
    }

    @Test
    void idsAre32LowercaseHexDigits() {
        FileId id = FileIds.of("x", 1, "u", "i");
        assertEquals(FileIds.HEX_LENGTH, id.value().length());
        assertTrue(id.value().matches("[0-9a-f]{32}"), id.value());
        assertTrue(id.suffix().isEmpty());
    }

    @Test
    void lengthPrefixesKeepFieldsApart() {
        // Joined without prefixes these would hash the same bytes.
        assertNotEquals(FileIds.of("ab", 5, "c", "i"), FileIds.of("a", 5, "bc", "i"));
        assertNotEquals(FileIds.of("a", 5, "", "bc"), FileIds.of("a", 5, "b", "c"));
    }

    @Test
    void everyInputCounts() {
        FileId base = FileIds.of("a.png", 1000, "alice", "web-1");
        Set<FileId> ids = new HashSet<>(Set.of(base,
                FileIds.of("b.png", 1000, "alice", "web-1"),
                FileIds.of("a.png", 1001, "alice", "web-1"),
                FileIds.of("a.png", 1000, "bob", "web-1"),
                FileIds.of("a.png", 1000, "alice", "web-2")));
        assertEquals(5, ids.size());
        assertEquals(base, FileIds.of("a.png", 1000, "alice", "web-1"), "deterministic");
    }

    @Test
    void newIdReadsTheClockInMilliseconds() {
        Clock clock = Clock.fixed(Instant.parse("2026-11-22T10:15:30.123456Z"), ZoneOffset.UTC);
        FileIds ids = new FileIds("web-1", clock);
        assertEquals(FileIds.of("a.png", 1_795_342_530_123L, "alice", "web-1"), ids.newId("a.png", "alice"));
        assertEquals("web-1", ids.instance());
    }

    @Test
    void counterSuffixCountsFromZero() {
        FileId base = FileId.parse("40482fb01e0da292a1d208257a52059c");
        assertEquals(FileId.parse("40482fb01e0da292a1d208257a52059c.0"), FileIds.withCounter(base, 0));
        assertEquals("12", FileIds.withCounter(base, 12).suffix().orElseThrow());
        assertEquals(base.hex(), FileIds.withCounter(base, 12).hex());
        assertThrows(IllegalArgumentException.class, () -> FileIds.withCounter(FileIds.withCounter(base, 0), 1));
        assertThrows(IllegalArgumentException.class, () -> FileIds.withCounter(base, -1));
        // found by fuzzing: 17 digits do not fit the suffix, and the message must say why
        assertEquals("9999999999999999", FileIds.withCounter(base, FileIds.MAX_COUNTER).suffix().orElseThrow());
        IllegalArgumentException tooLarge = assertThrows(IllegalArgumentException.class,
                () -> FileIds.withCounter(base, FileIds.MAX_COUNTER + 1));
        assertEquals("counter must be 0..9999999999999999, was 10000000000000000", tooLarge.getMessage());
    }

    @Test
    void defaultInstanceNamesThisProcess() {
        assertTrue(FileIds.defaultInstance().startsWith(ProcessHandle.current().pid() + ""), FileIds.defaultInstance());
    }

    /** The documented layout, written independently of the code under test. */
    private static byte[] layout(String name, long millis, String user, String instance) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        for (Object field : new Object[] {name, millis, user, instance}) {
            if (field instanceof String s) {
                byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
                out.writeInt(utf8.length);
                out.write(utf8);
            } else {
                out.writeLong((Long) field);
            }
        }
        return bytes.toByteArray();
    }

    private static String randomText(Random random) {
        StringBuilder out = new StringBuilder();
        int length = random.nextInt(40);
        for (int i = 0; i < length; i++) {
            out.appendCodePoint(switch (random.nextInt(3)) {
                case 0 -> 0x20 + random.nextInt(0x5f);
                case 1 -> 0xa0 + random.nextInt(0x700);
                default -> 0x1f600 + random.nextInt(0x50);
            });
        }
        return out.toString();
    }
}
